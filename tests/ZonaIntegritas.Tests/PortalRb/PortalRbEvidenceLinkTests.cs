using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using ZonaIntegritas.Tests.Infrastructure;
using static ZonaIntegritas.Tests.PortalRb.PortalRbWorld;

namespace ZonaIntegritas.Tests.PortalRb;

/// <summary><c>bukti_dukung_unit</c>: signed, expiring links to an HTML page of the item's evidence, for evaluators without a key.</summary>
public sealed partial class PortalRbEvidenceLinkTests
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    private static async Task<JsonElement> UploadPdf(HttpClient client, Guid assessment, string item, string fileName = "sk-tim-zi.pdf")
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Pdf);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", fileName);
        form.Add(new StringContent("2026-03-20T09:30:00+07:00"), "capturedAt");
        return await (await client.PostAsync($"/api/v1/assessments/{assessment}/items/{item}/evidence", form)).Json(HttpStatusCode.Created);
    }

    private static async Task<JsonElement> AddLink(HttpClient client, Guid assessment, string item, string title) =>
        await (await client.PostJson($"/api/v1/assessments/{assessment}/items/{item}/evidence",
            new { url = "https://drive.example.go.id/sk?a=1&b=2", title, description = "Dokumen <i>asli</i>" })).Json(HttpStatusCode.Created);

    /// <summary>The proposed unit with a PDF on MP.P.1.a and one on MP.P.1.b.</summary>
    private static async Task<PortalRbWorld> WithPdfsOnTwoItems(TestApp app)
    {
        var w = await BuildAsync(app);
        await UploadPdf(w.Admin, w.Assessment, "MP.P.1.a");
        await UploadPdf(w.Admin, w.Assessment, "MP.P.1.b");
        return w;
    }

    /// <summary>The links jawaban-unit hands out, by item code.</summary>
    private static async Task<Dictionary<string, string?>> Links(PortalRbWorld w)
    {
        var body = await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).Json(HttpStatusCode.OK);
        var items = SoalMap.GetProperty("soal").EnumerateArray().Select(s => s.GetProperty("itemCode").GetString()!).ToList();
        return body.GetProperty("answers").EnumerateArray().Select((a, i) => (items[i], a.GetProperty("bukti_dukung_unit").GetString())).ToDictionary(p => p.Item1, p => p.Item2);
    }

    private static string PathAndQuery(string url) => new Uri(url).PathAndQuery;

    [Fact]
    public async Task AnItemWithEvidenceGetsASignedLinkThatOpensItsPageWithoutAKey()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var file = await UploadPdf(w.Admin, w.Assessment, "MP.P.1.a");
        await AddLink(w.Admin, w.Assessment, "MP.P.1.a", "<img src=x onerror=alert(1)> SK Tim");

        var links = await Links(w);
        var page = await app.ClientWithKey(null).GetAsync(PathAndQuery(links["MP.P.1.a"]!));
        var html = await page.Content.ReadAsStringAsync();

        Assert.Null(links["MP.P.1.b"]);
        Assert.Equal(1, links.Values.Count(l => l is not null));
        Assert.StartsWith("http://localhost/portalrb/v1/bukti/", links["MP.P.1.a"]);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", page.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", page.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("default-src 'none'", page.Headers.GetValues("Content-Security-Policy").Single());
        Assert.Equal("no-store", page.Headers.CacheControl?.ToString());
        Assert.Contains("sk-tim-zi.pdf", html);
        Assert.Contains(file.GetProperty("sha256").GetString()!, html);
        Assert.Contains($"<td>{Pdf.Length}</td>", html);
        Assert.Contains("2026-03-20", html);
        Assert.Contains("submitted", html);
        Assert.Contains("href=\"https://drive.example.go.id/sk?a=1&amp;b=2\"", html);
        Assert.DoesNotContain("<img", html);
        Assert.DoesNotContain("<i>", html);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt; SK Tim", html);
    }

    [Fact]
    public async Task TheFileLinkOnThePageDownloadsTheCurrentFileAndEachViewAndDownloadIsAudited()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        await UploadPdf(w.Admin, w.Assessment, "MP.P.2.a");
        var anonymous = app.ClientWithKey(null);
        var pageUrl = PathAndQuery((await Links(w))["MP.P.2.a"]!);

        var html = await (await anonymous.GetAsync(pageUrl)).Content.ReadAsStringAsync();
        await anonymous.GetAsync(pageUrl);
        var fileUrl = WebUtility.HtmlDecode(FileHref().Match(html).Groups[1].Value);
        var download = await anonymous.GetAsync(fileUrl);
        var tampered = await anonymous.GetAsync(fileUrl.Replace("sig=", "sig=x"));
        var audit = await (await w.Admin.GetAsync($"/api/v1/audit?entityId={w.Assessment}")).Json(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal(Pdf, await download.Content.ReadAsByteArrayAsync());
        Assert.Equal("application/pdf", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.Forbidden, tampered.StatusCode);
        Assert.Equal(2, audit.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("action").GetString() == "portalrb.evidence_viewed"));
        var downloads = await (await w.Admin.GetAsync("/api/v1/audit?entityType=evidence")).Json(HttpStatusCode.OK);
        Assert.Single(downloads.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "portalrb.evidence_downloaded");
    }

    [Fact]
    public async Task ATamperedLinkIsRefusedAndAnExpiredOneIsGone()
    {
        await using var app = await TestApp.StartAsync();
        var w = await WithPdfsOnTwoItems(app);
        var anonymous = app.ClientWithKey(null);
        var url = PathAndQuery((await Links(w))["MP.P.1.a"]!);
        var exp = long.Parse(Regex.Match(url, "exp=([0-9]+)").Groups[1].Value);

        var otherItem = await anonymous.GetAsync(url.Replace("/MP.P.1.a?", "/MP.P.1.b?"));
        var laterExpiry = await anonymous.GetAsync(url.Replace($"exp={exp}", $"exp={exp + 86400}"));
        var noSignature = await anonymous.GetAsync(url[..url.IndexOf("&sig=", StringComparison.Ordinal)]);
        var valid = await anonymous.GetAsync(url);
        // Valid for 90 days, rounded up to midnight UTC.
        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(exp);
        Assert.InRange(expiresAt - April2026, TimeSpan.FromDays(90), TimeSpan.FromDays(91));
        Assert.Equal(TimeSpan.Zero, expiresAt.TimeOfDay);
        app.Clock.Set(expiresAt);
        var expired = await anonymous.GetAsync(url);

        Assert.Equal(HttpStatusCode.Forbidden, otherItem.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, laterExpiry.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, noSignature.StatusCode);
        Assert.Equal(HttpStatusCode.OK, valid.StatusCode);
        Assert.Equal(HttpStatusCode.Gone, expired.StatusCode);
        Assert.Contains("kedaluwarsa", await expired.Content.ReadAsStringAsync());
        Assert.Equal("text/html", expired.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task ALinksSignatureIsTheHmacOfItsItemAndExpirySoLinksHandedOutBeforeAnUpgradeStillOpen()
    {
        await using var app = await TestApp.StartAsync();
        var w = await WithPdfsOnTwoItems(app);

        // Signed twice on one request's thread and again on later requests: a reused HMAC must give each link its own value.
        var first = await Links(w);
        var second = await Links(w);

        foreach (var item in new[] { "MP.P.1.a", "MP.P.1.b" })
        {
            var match = Regex.Match(first[item]!, "exp=([0-9]+)&sig=([A-Za-z0-9_-]+)$");
            var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(TestApp.LinkSecret), Encoding.UTF8.GetBytes($"item\n{w.Assessment:D}\n{item}\n{match.Groups[1].Value}"));
            Assert.Equal(Convert.ToBase64String(mac).TrimEnd('=').Replace('+', '-').Replace('/', '_'), match.Groups[2].Value);
            Assert.Equal(first[item], second[item]);
        }
        Assert.NotEqual(first["MP.P.1.a"]![^43..], first["MP.P.1.b"]![^43..]);
    }

    [Fact]
    public async Task RotatingTheLinkSecretRevokesEveryLinkHandedOut()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        await UploadPdf(w.Admin, w.Assessment, "MP.P.1.a");
        var anonymous = app.ClientWithKey(null);
        var before = PathAndQuery((await Links(w))["MP.P.1.a"]!);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(before)).StatusCode);

        var configuration = (IConfigurationRoot)app.Services.GetRequiredService<IConfiguration>();
        configuration["PortalRb:LinkSecret"] = "zi_rotated_portalrb_link_secret_9876543210_zyxwv";
        configuration.Reload();
        var after = PathAndQuery((await Links(w))["MP.P.1.a"]!);

        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.GetAsync(before)).StatusCode);
        Assert.NotEqual(before, after);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync(after)).StatusCode);
    }

    [Fact]
    public async Task WithdrawnEvidenceLeavesTheListAndItsFileLink()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var file = await UploadPdf(w.Admin, w.Assessment, "MP.P.1.a");
        var anonymous = app.ClientWithKey(null);
        var pageUrl = PathAndQuery((await Links(w))["MP.P.1.a"]!);
        var fileUrl = WebUtility.HtmlDecode(FileHref().Match(await (await anonymous.GetAsync(pageUrl)).Content.ReadAsStringAsync()).Groups[1].Value);

        (await w.Admin.DeleteAsync($"/api/v1/evidence/{file.Id()}")).EnsureSuccessStatusCode();
        var page = await (await anonymous.GetAsync(pageUrl)).Content.ReadAsStringAsync();

        Assert.Contains("Belum ada data dukung", page);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync(fileUrl)).StatusCode);
        Assert.Null((await Links(w))["MP.P.1.a"]);
    }

    [Fact]
    public async Task ThePageWorksInAPlainBrowser()
    {
        var (app, address) = await TestApp.StartOnLoopbackAsync();
        await using var _ = app;
        var admin = new HttpClient { BaseAddress = address };
        admin.DefaultRequestHeaders.Add("X-Api-Key", TestApp.AdminKey);
        app.Clock.Set(April2026);
        var agency = await admin.CreateAgency();
        var inspectorate = new HttpClient { BaseAddress = address };
        inspectorate.DefaultRequestHeaders.Add("X-Api-Key", await admin.CreateKey("inspectorate", agencyId: agency));
        var portalRb = new HttpClient { BaseAddress = address };
        portalRb.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", await admin.CreateKey("portalrb", agencyId: agency));
        var unit = await admin.CreateUnit(agency);
        var assessment = await Propose(app, admin, inspectorate, agency, unit);
        await UploadPdf(admin, assessment, "MP.P.1.a", "surat-keputusan.pdf");
        await AddLink(admin, assessment, "MP.P.1.a", "<script>document.title='pwned'</script>Piagam");
        var answers = await (await portalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{unit}")).Json(HttpStatusCode.OK);
        var link = answers.GetProperty("answers")[0].GetProperty("bukti_dukung_unit").GetString()!;

        var dom = await Chromium(link);

        Assert.StartsWith(address.ToString().TrimEnd('/'), link);
        Assert.Contains("<title>Data dukung MP.P.1.a</title>", dom);
        Assert.Contains("surat-keputusan.pdf", dom);
        Assert.Contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;Piagam", dom);
        Assert.DoesNotContain("pwned</title>", dom);
        Assert.Matches("<a class=\"file\" href=\"/portalrb/v1/bukti/[^\"]+/files/[^\"]+\\?exp=[0-9]+&amp;sig=[^\"]+\">surat-keputusan.pdf</a>", dom);
    }

    /// <summary>The DOM headless Chromium builds from the URL (see docs/PITFALLS: root needs --no-sandbox and a fresh profile).</summary>
    private static async Task<string> Chromium(string url)
    {
        const string browser = "/usr/bin/chromium";
        Assert.True(File.Exists(browser), $"{browser} is required for this test (.ci/run installs it).");
        var profile = Directory.CreateTempSubdirectory("zi-chromium-");
        try
        {
            var start = new ProcessStartInfo(browser)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                ArgumentList =
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                    $"--user-data-dir={profile.FullName}", "--dump-dom", url,
                },
            };
            using var process = Process.Start(start)!;
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            var dom = await output;
            Assert.True(dom.Contains("<html", StringComparison.Ordinal), $"Chromium gave no DOM (exit {process.ExitCode}): {await errors}");
            return dom;
        }
        finally
        {
            profile.Delete(recursive: true);
        }
    }

    [GeneratedRegex("<a class=\"file\" href=\"([^\"]+)\"")]
    private static partial Regex FileHref();
}

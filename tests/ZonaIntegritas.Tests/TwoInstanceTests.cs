using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.Scoring;

namespace ZonaIntegritas.Tests;

/// <summary>
/// Two real server processes on loopback sharing one SQLite file and one S3 bucket, as several instances behind a load
/// balancer share one database and one object store. Each instance caches documents and key lookups in memory; what
/// one instance writes must reach the other through the change feed within two feed intervals.
/// </summary>
public sealed class TwoInstanceTests : IAsyncLifetime
{
    private const string Key = "zi_pair_admin_key_0123456789_abcdefghijklmnopq";
    private const int FeedSeconds = 2;
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2 * FeedSeconds);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zi-tests", $"pair-{Guid.NewGuid():N}");
    private readonly List<Process> _servers = [];

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        foreach (var server in _servers)
        {
            RealServer.Stop(server);
        }
        await RealServer.RemoveFolderAsync(_folder);
    }

    [Fact]
    public async Task WritesThroughOneInstanceReachTheOtherWithinTwoFeedIntervals()
    {
        var store = await TestS3.NewBucketSettingsAsync();
        // One after the other: the first migrates the shared database.
        using var a = await StartAsync("a", store);
        using var b = await StartAsync("b", store);

        var agency = await a.CreateAgency();
        var unit = await a.CreateUnit(agency);
        var document = await Fetch(b, $"/api/v1/units/{unit}/compliance");
        var page = await Fetch(b, $"/api/v1/compliance?agencyId={agency}");
        Assert.False(document.Body.GetProperty("declared").GetBoolean());
        Assert.NotNull(document.ETag);

        // A declaration through A: B's unit document and its agency's list page change.
        await (await a.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit]))).Json(HttpStatusCode.Created);
        document = await Changed(b, $"/api/v1/units/{unit}/compliance", document, d => d.GetProperty("declared").GetBoolean());
        page = await Changed(b, $"/api/v1/compliance?agencyId={agency}", page, p => p.GetProperty("items")[0].GetProperty("declared").GetBoolean());

        // Answers through A: B's document shows the scores.
        var assessment = (await (await a.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        document = await Changed(b, $"/api/v1/units/{unit}/compliance", document, d => d.GetProperty("assessment").ValueKind == JsonValueKind.Object);
        var top = Worksheets.Top(Worksheets.Lke);
        await Answer(a, assessment, "self", top);
        document = await Changed(b, $"/api/v1/units/{unit}/compliance", document,
            d => d.GetProperty("assessment").GetProperty("scores").GetProperty("self").GetProperty("total").GetDecimal() > 0);

        // Evidence through A, large enough to go up in several parts: B serves the same bytes, and counts it once accepted.
        var bytes = new byte[9 * 1024 * 1024 + 12345];
        new Random(13).NextBytes(bytes);
        "%PDF-1.7\n"u8.CopyTo(bytes);
        var evidence = await Upload(a, assessment, bytes);
        var downloaded = await b.GetAsync($"/api/v1/evidence/{evidence.Id()}/content");
        Assert.Equal(HttpStatusCode.OK, downloaded.StatusCode);
        Assert.Equal(SHA256.HashData(bytes), SHA256.HashData(await downloaded.Content.ReadAsByteArrayAsync()));
        Assert.Equal($"\"{Convert.ToHexStringLower(SHA256.HashData(bytes))}\"", downloaded.Headers.ETag?.Tag);
        var range = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/evidence/{evidence.Id()}/content");
        range.Headers.Range = new RangeHeaderValue(8 * 1024 * 1024 - 2, 8 * 1024 * 1024 + 1);
        var partial = await b.SendAsync(range);
        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal(bytes[(8 * 1024 * 1024 - 2)..(8 * 1024 * 1024 + 2)], await partial.Content.ReadAsByteArrayAsync());
        await (await a.PostJson($"/api/v1/evidence/{evidence.Id()}/review", new { decision = "accepted" })).Json(HttpStatusCode.OK);
        document = await Changed(b, $"/api/v1/units/{unit}/compliance", document,
            d => d.GetProperty("evidence").GetProperty("itemsWithAcceptedEvidence").GetInt32() == 1);

        // A designation decided through A: B's document shows the predikat.
        await Answer(a, assessment, "tpi", top);
        await (await a.PostJson($"/api/v1/assessments/{assessment}/submit", new { })).Json(HttpStatusCode.OK);
        await (await a.PostJson($"/api/v1/assessments/{assessment}/review", new { })).Json(HttpStatusCode.OK);
        await a.RecordWtp(agency, 2025);
        await (await a.PostJson($"/api/v1/assessments/{assessment}/propose", new { })).Json(HttpStatusCode.OK);
        await Answer(a, assessment, "tpn", top);
        await a.ThroughNationalEvaluation(assessment, "2026-11-30");
        await (await a.PostJson($"/api/v1/assessments/{assessment}/decide",
            new { outcome = "designated", decreeNumber = "SK MENPANRB 13/2026", decreeDate = "2026-11-30" })).Json(HttpStatusCode.OK);
        document = await Changed(b, $"/api/v1/units/{unit}/compliance", document,
            d => d.GetProperty("designation").ValueKind == JsonValueKind.Object && d.GetProperty("designation").GetProperty("active").GetBoolean());
        Assert.Equal("WBK", document.Body.GetProperty("designation").GetProperty("predikat").GetString());

        // A key revoked through A is refused by B, which had it in its key cache.
        var created = await (await a.PostJson("/api/v1/api-keys", new { name = "Dasbor", role = "reader" })).Json(HttpStatusCode.Created);
        using var reader = Client(b.BaseAddress!, created.GetProperty("key").GetString()!);
        Assert.Equal(HttpStatusCode.OK, (await reader.GetAsync($"/api/v1/agencies/{agency}")).StatusCode);
        await (await a.DeleteAsync($"/api/v1/api-keys/{created.GetProperty("apiKey").Id()}")).Json(HttpStatusCode.NoContent);
        var revokedAt = Stopwatch.StartNew();
        HttpStatusCode status;
        while ((status = (await reader.GetAsync($"/api/v1/agencies/{agency}")).StatusCode) == HttpStatusCode.OK && revokedAt.Elapsed < Bound)
        {
            await Task.Delay(100);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, status);
    }

    /// <summary>A response as sent; list pages carry no ETag, so their version is the body itself.</summary>
    private sealed record Fetched(JsonElement Body, string? ETag)
    {
        public string Version => ETag ?? Body.GetRawText();
    }

    private static async Task<Fetched> Fetch(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        return new Fetched(await response.Json(HttpStatusCode.OK), response.Headers.ETag?.Tag);
    }

    /// <summary>
    /// Polls until the resource differs from what was read before (a new ETag and a body meeting the expectation),
    /// failing when that takes longer than two feed intervals after the write was acknowledged.
    /// </summary>
    private static async Task<Fetched> Changed(HttpClient client, string url, Fetched before, Func<JsonElement, bool> expected)
    {
        var since = Stopwatch.StartNew();
        while (true)
        {
            var now = await Fetch(client, url);
            if (now.Version != before.Version && expected(now.Body))
            {
                return now;
            }
            Assert.True(since.Elapsed < Bound, $"{url} still served the old version {since.Elapsed.TotalSeconds:F1} s after the write (bound {Bound.TotalSeconds} s): {now.Body}");
            Assert.Equal(before.Version, now.Version); // a change must come with its expected content, not an unrelated one
            await Task.Delay(100);
        }
    }

    private static async Task Answer(HttpClient client, Guid assessment, string layer, Dictionary<string, string> answers) =>
        await (await client.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/{layer}",
            new { answers = answers.Select(a => new { itemCode = a.Key, value = a.Value }).ToArray() })).Json(HttpStatusCode.OK);

    private static async Task<JsonElement> Upload(HttpClient client, Guid assessment, byte[] bytes)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", "laporan.pdf");
        return await (await client.PostAsync($"/api/v1/assessments/{assessment}/items/MP.P.1.a/evidence", form)).Json(HttpStatusCode.Created);
    }

    private static HttpClient Client(Uri address, string key)
    {
        var client = new HttpClient { BaseAddress = address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private async Task<HttpClient> StartAsync(string name, Dictionary<string, string?> store)
    {
        var port = RealServer.FreePort();
        var settings = RealServer.Settings(_folder, Key);
        // Each instance stages uploads on its own disk; the bytes live in the shared bucket.
        settings["Evidence:StoragePath"] = Path.Combine(_folder, $"staging-{name}");
        settings["Cache:ChangeFeedSeconds"] = FeedSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        settings["Proposals:DeadlineMonthDay"] = "12-31";
        settings["RateLimits:RequestsPerKey"] = "1000000";
        settings["RateLimits:UploadsPerKey"] = "1000000";
        foreach (var (setting, value) in store)
        {
            settings[setting] = value;
        }
        _servers.Add(await RealServer.StartAsync(_folder, port, settings, $"Instance {name}"));
        return Client(new Uri($"http://127.0.0.1:{port}"), Key);
    }
}

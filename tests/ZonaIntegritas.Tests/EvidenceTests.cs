using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ZonaIntegritas.Api.Features.Evidence;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>Every evidence behaviour, run once per store: <see cref="DiskEvidenceTests"/> and <see cref="S3EvidenceTests"/>.</summary>
public abstract class EvidenceTests
{
    /// <summary>The app under test, with this class's store.</summary>
    protected abstract Task<TestApp> StartAsync(string provider = Providers.Sqlite, Dictionary<string, string?>? settings = null);

    /// <summary>Everything the store holds: stored blobs and staged temporary files.</summary>
    protected abstract Task<List<string>> Stored(TestApp app);

    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 1, 2, 3, 4];
    private static readonly byte[] Exe = [(byte)'M', (byte)'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xFF, 0xFF];

    private static byte[] Zip(params string[] entries)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var entry in entries)
            {
                using var writer = new StreamWriter(zip.CreateEntry(entry).Open());
                writer.Write("<xml/>");
            }
        }
        return memory.ToArray();
    }

    private static MultipartFormDataContent Form(byte[] bytes, string fileName = "sk-tim-zi.pdf", string contentType = "application/pdf", string? description = null, string? capturedAt = null)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        form.Add(file, "file", fileName);
        if (description is not null) form.Add(new StringContent(description), "description");
        if (capturedAt is not null) form.Add(new StringContent(capturedAt), "capturedAt");
        return form;
    }

    private static async Task<(Guid Agency, Guid Unit, Guid Assessment)> Start(HttpClient admin)
    {
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var assessment = await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created);
        return (agency, unit, assessment.Id());
    }

    private static Task<HttpResponseMessage> Upload(HttpClient client, Guid assessment, HttpContent content, string item = "MP.P.1.a", string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/assessments/{assessment}/items/{item}/evidence") { Content = content };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return client.SendAsync(request);
    }

    private static string Sha(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    [Theory, SqliteData, SqlServerData]
    public async Task AnUploadedFileComesBackByteForByteWithItsHash(string provider)
    {
        await using var app = await StartAsync(provider);
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);

        var response = await Upload(admin, assessment, Form(Pdf, "../../etc/SK Tim\u0001ZI.pdf", description: "SK Tim ZI", capturedAt: "2026-11-20T09:30:00+07:00"));
        var created = await response.Json(HttpStatusCode.Created);
        var content = await admin.GetAsync($"/api/v1/evidence/{created.Id()}/content");
        var bytes = await content.Content.ReadAsByteArrayAsync();

        Assert.Equal($"/api/v1/evidence/{created.Id()}", response.Headers.Location?.ToString());
        Assert.Equal("file", created.GetProperty("kind").GetString());
        Assert.Equal("application/pdf", created.GetProperty("contentType").GetString());
        Assert.Equal(Pdf.Length, created.GetProperty("size").GetInt64());
        Assert.Equal(Sha(Pdf), created.GetProperty("sha256").GetString());
        Assert.Equal(1, created.GetProperty("version").GetInt32());
        Assert.Equal("submitted", created.GetProperty("status").GetString());
        Assert.Equal("SK Tim_ZI.pdf", created.GetProperty("fileName").GetString());
        Assert.Equal("2026-11-20T02:30:00+00:00", created.GetProperty("capturedAt").GetString());
        Assert.Equal(Pdf, bytes);
        Assert.Equal("application/pdf", content.Content.Headers.ContentType?.MediaType);
        Assert.Equal("attachment", content.Content.Headers.ContentDisposition?.DispositionType);
        Assert.Equal($"\"{Sha(Pdf)}\"", content.Headers.ETag?.Tag);
    }

    [Fact]
    public async Task TheBytesDecideTheType()
    {
        await using var app = await StartAsync();
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);

        var png = await (await Upload(admin, assessment, Form(Png, "foto-piagam.pdf"))).Json(HttpStatusCode.Created);
        var docx = await (await Upload(admin, assessment, Form(Zip("[Content_Types].xml", "word/document.xml"), "laporan.docx", "application/octet-stream"))).Json(HttpStatusCode.Created);
        var exe = await (await Upload(admin, assessment, Form(Exe, "laporan.pdf"))).Problem(HttpStatusCode.UnsupportedMediaType);
        var zip = await (await Upload(admin, assessment, Form(Zip("a.txt"), "laporan.docx"))).Problem(HttpStatusCode.UnsupportedMediaType);

        Assert.Equal("image/png", png.GetProperty("contentType").GetString());
        Assert.Equal("application/vnd.openxmlformats-officedocument.wordprocessingml.document", docx.GetProperty("contentType").GetString());
        Assert.Contains("application/x-msdownload", exe.GetProperty("detail").GetString());
        Assert.Equal("application/zip", zip.GetProperty("detectedType").GetString());
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(app.EvidencePath, "tmp")));
    }

    [Fact]
    public async Task EmptyMissingAndOversizedFilesAreRefused()
    {
        await using var app = await StartAsync(settings: new() { ["Evidence:MaxBytes"] = "2048" });
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);
        var big = Pdf.Concat(new byte[4096]).ToArray();
        var noFile = new MultipartFormDataContent { { new StringContent("x"), "description" } };

        var empty = await (await Upload(admin, assessment, Form([]))).Problem(HttpStatusCode.BadRequest);
        var missing = await (await Upload(admin, assessment, noFile)).Problem(HttpStatusCode.BadRequest);
        var tooLarge = await (await Upload(admin, assessment, Form(big))).Problem(HttpStatusCode.RequestEntityTooLarge);
        var unknownItem = await (await Upload(admin, assessment, Form(Pdf), item: "MP.R.1.a.1")).Problem(HttpStatusCode.NotFound);

        Assert.Contains("empty", empty.Errors("file")[0]);
        Assert.Contains("required", missing.Errors("file")[0]);
        Assert.Contains("2048", tooLarge.GetProperty("detail").GetString());
        Assert.Contains("MP.R.1.a.1", unknownItem.GetProperty("detail").GetString());
        var list = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence")).Json(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("total").GetInt32());
        Assert.Empty(await Stored(app));
    }

    [Theory, SqliteData, SqlServerData]
    public async Task ARetryWithTheSameIdempotencyKeyReturnsTheOriginalAndOtherContentIs422(string provider)
    {
        await using var app = await StartAsync(provider);
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);

        var first = await (await Upload(admin, assessment, Form(Pdf), key: "phone-42-upload-1")).Json(HttpStatusCode.Created);
        var retryResponse = await Upload(admin, assessment, Form(Pdf), key: "phone-42-upload-1");
        var retry = await retryResponse.Json(HttpStatusCode.Created);
        var other = await (await Upload(admin, assessment, Form(Png, "other.png"), key: "phone-42-upload-1")).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.Equal(first.Id(), retry.Id());
        Assert.Equal(first.ToString(), retry.ToString());
        Assert.Equal("true", retryResponse.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Contains("phone-42-upload-1", other.GetProperty("detail").GetString());
        var list = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence")).Json(HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("total").GetInt32());
    }

    [Theory, SqliteData, SqlServerData]
    public async Task TwentyConcurrentRetriesWithOneKeyCreateOneRecord(string provider)
    {
        await using var app = await StartAsync(provider);
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Upload(app.Admin(), assessment, Form(Pdf), key: "flaky-network")));

        var ids = new List<Guid>();
        foreach (var response in responses)
        {
            ids.Add((await response.Json(HttpStatusCode.Created)).Id());
        }
        Assert.Single(ids.Distinct());
        var list = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence")).Json(HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Single(await Stored(app));
    }

    [Fact]
    public async Task RangeRequestsAndConditionalRequestsAreHonoured()
    {
        await using var app = await StartAsync();
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);
        var created = await (await Upload(admin, assessment, Form(Pdf))).Json(HttpStatusCode.Created);
        var url = $"/api/v1/evidence/{created.Id()}/content";

        var range = new HttpRequestMessage(HttpMethod.Get, url);
        range.Headers.Range = new RangeHeaderValue(0, 3);
        var partial = await admin.SendAsync(range);
        var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(new EntityTagHeaderValue($"\"{Sha(Pdf)}\""));
        var notModified = await admin.SendAsync(conditional);

        Assert.Equal(HttpStatusCode.PartialContent, partial.StatusCode);
        Assert.Equal("%PDF"u8.ToArray(), await partial.Content.ReadAsByteArrayAsync());
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
    }

    [Fact]
    public async Task ANewVersionKeepsTheOldOneReadableAndGoesBackToSubmitted()
    {
        await using var app = await StartAsync();
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);
        var created = await (await Upload(admin, assessment, Form(Pdf))).Json(HttpStatusCode.Created);
        var id = created.Id();
        await (await admin.PostJson($"/api/v1/evidence/{id}/review", new { decision = "revision_requested", comment = "Lampirkan tanda tangan" })).Json(HttpStatusCode.OK);

        var second = await (await admin.PostAsync($"/api/v1/evidence/{id}/versions", Form(Png, "scan.png"))).Json(HttpStatusCode.Created);
        var versions = await (await admin.GetAsync($"/api/v1/evidence/{id}/versions")).Json(HttpStatusCode.OK);
        var original = await (await admin.GetAsync($"/api/v1/evidence/{id}/content?version=1")).Content.ReadAsByteArrayAsync();
        var current = await (await admin.GetAsync($"/api/v1/evidence/{id}/content")).Content.ReadAsByteArrayAsync();

        Assert.Equal(2, second.GetProperty("version").GetInt32());
        Assert.Equal("submitted", second.GetProperty("status").GetString());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("reviewComment").ValueKind);
        Assert.Equal(2, versions.GetArrayLength());
        Assert.Equal(Pdf, original);
        Assert.Equal(Png, current);
    }

    [Fact]
    public async Task ReviewsNeedTheRightRoleAndACommentUnlessAccepted()
    {
        await using var app = await StartAsync();
        var admin = app.Admin();
        var (agency, unit, assessment) = await Start(admin);
        var unitKey = app.ClientWithKey(await admin.CreateKey("unit", unitId: unit));
        var inspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: agency));
        var otherInspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: await admin.CreateAgency()));
        var evaluator = app.ClientWithKey(await admin.CreateKey("evaluator"));
        var created = await (await Upload(unitKey, assessment, Form(Pdf))).Json(HttpStatusCode.Created);
        var url = $"/api/v1/evidence/{created.Id()}/review";

        await (await unitKey.PostJson(url, new { decision = "accepted" })).Problem(HttpStatusCode.Forbidden);
        await (await otherInspectorate.PostJson(url, new { decision = "accepted" })).Problem(HttpStatusCode.NotFound);
        var noComment = await (await inspectorate.PostJson(url, new { decision = "rejected" })).Problem(HttpStatusCode.BadRequest);
        var rejected = await (await inspectorate.PostJson(url, new { decision = "rejected", comment = "Dokumen tidak terbaca" })).Json(HttpStatusCode.OK);
        var seenByUnit = await (await unitKey.GetAsync($"/api/v1/evidence/{created.Id()}")).Json(HttpStatusCode.OK);
        var accepted = await (await evaluator.PostJson(url, new { decision = "accepted" })).Json(HttpStatusCode.OK);

        Assert.Contains("comment is required", noComment.Errors("comment")[0]);
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Equal("Dokumen tidak terbaca", seenByUnit.GetProperty("reviewComment").GetString());
        Assert.Equal("accepted", accepted.GetProperty("status").GetString());
    }

    [Fact]
    public async Task AUnitKeyUploadsOnlyToItsOwnUnitAndReadersCannotUpload()
    {
        await using var app = await StartAsync();
        var admin = app.Admin();
        var (agency, _, assessment) = await Start(admin);
        var siblingKey = app.ClientWithKey(await admin.CreateKey("unit", unitId: await admin.CreateUnit(agency)));
        var reader = app.ClientWithKey(await admin.CreateKey("reader", agencyId: agency));

        var sibling = await (await Upload(siblingKey, assessment, Form(Pdf))).Problem(HttpStatusCode.NotFound);
        var read = await (await Upload(reader, assessment, Form(Pdf))).Problem(HttpStatusCode.Forbidden);

        Assert.Contains(assessment.ToString(), sibling.GetProperty("detail").GetString());
        Assert.Contains("'reader'", read.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task WithdrawnEvidenceLeavesTheListsButAcceptedEvidenceCannotBeWithdrawn()
    {
        await using var app = await StartAsync();
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);
        var draft = await (await Upload(admin, assessment, Form(Pdf))).Json(HttpStatusCode.Created);
        var kept = await (await Upload(admin, assessment, Form(Png, "piagam.png"), item: "MP.P.1.b")).Json(HttpStatusCode.Created);
        await (await admin.PostJson($"/api/v1/evidence/{kept.Id()}/review", new { decision = "accepted" })).Json(HttpStatusCode.OK);

        await (await admin.DeleteAsync($"/api/v1/evidence/{draft.Id()}")).Json(HttpStatusCode.NoContent);
        var refused = await (await admin.DeleteAsync($"/api/v1/evidence/{kept.Id()}")).Problem(HttpStatusCode.Conflict);
        var list = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence")).Json(HttpStatusCode.OK);
        var record = await (await admin.GetAsync($"/api/v1/evidence/{draft.Id()}")).Json(HttpStatusCode.OK);

        Assert.Contains("accepted", refused.GetProperty("detail").GetString());
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, record.GetProperty("withdrawnAt").ValueKind);
    }

    [Fact]
    public async Task TheSummaryCountsPerItemAndExpiredEvidenceNoLongerCounts()
    {
        await using var app = await StartAsync();
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);
        var a = await (await Upload(admin, assessment, Form(Pdf))).Json(HttpStatusCode.Created);
        await (await Upload(admin, assessment, Form(Png, "b.png"))).Json(HttpStatusCode.Created);
        var c = await (await Upload(admin, assessment, Form(Pdf), item: "PT.P.1.a")).Json(HttpStatusCode.Created);
        await (await admin.PostJson($"/api/v1/evidence/{a.Id()}/review", new { decision = "accepted" })).Json(HttpStatusCode.OK);
        await (await admin.PostJson($"/api/v1/evidence/{c.Id()}/review", new { decision = "accepted", validUntil = "2026-12-31" })).Json(HttpStatusCode.OK);

        var before = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence-summary")).Json(HttpStatusCode.OK);
        app.Clock.Set(new DateTimeOffset(2027, 1, 5, 3, 0, 0, TimeSpan.Zero));
        var after = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence-summary")).Json(HttpStatusCode.OK);
        var expired = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence?status=expired")).Json(HttpStatusCode.OK);

        var mp = before.GetProperty("items")[0];
        Assert.Equal("MP.P.1.a", mp.GetProperty("itemCode").GetString());
        Assert.Equal(1, mp.GetProperty("accepted").GetInt32());
        Assert.Equal(1, mp.GetProperty("submitted").GetInt32());
        Assert.Equal(["MP.P.1.a", "PT.P.1.a"], before.GetProperty("itemsWithAcceptedEvidence").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(111, before.GetProperty("itemsWithoutAcceptedEvidence").GetArrayLength());
        Assert.Equal(112, after.GetProperty("itemsWithoutAcceptedEvidence").GetArrayLength());
        Assert.Equal(c.Id(), expired.GetProperty("items")[0].Id());
        Assert.Equal("expired", expired.GetProperty("items")[0].GetProperty("status").GetString());
    }

    [Fact]
    public async Task ALinkMustBeHttps()
    {
        await using var app = await StartAsync();
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);

        var link = await (await Upload(admin, assessment, JsonContent.Create(new { url = "https://drive.example.go.id/sk-tim.pdf", title = "SK Tim ZI" }))).Json(HttpStatusCode.Created);
        var http = await (await Upload(admin, assessment, JsonContent.Create(new { url = "http://drive.example.go.id/sk.pdf", title = "SK" }))).Problem(HttpStatusCode.BadRequest);
        var content = await (await admin.GetAsync($"/api/v1/evidence/{link.Id()}/content")).Problem(HttpStatusCode.NotFound);

        Assert.Equal("link", link.GetProperty("kind").GetString());
        Assert.Contains("https", http.Errors("url")[0]);
        Assert.Contains("drive.example.go.id", content.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AFailureBetweenFileAndRowLeavesNoVisibleEvidenceAndTheOrphanIsSweptAtStart()
    {
        await using var app = await StartAsync();
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);
        await using (var connection = new SqliteConnection(app.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            // Simulates a crash after the blob is in place but before the row commits.
            command.CommandText = "CREATE TRIGGER simulated_crash BEFORE INSERT ON evidence BEGIN SELECT RAISE(ABORT, 'simulated crash'); END;";
            await command.ExecuteNonQueryAsync();
        }

        var failed = await Upload(admin, assessment, Form(Pdf));
        var list = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence")).Json(HttpStatusCode.OK);
        var orphans = await Stored(app);
        var removed = await app.Services.GetRequiredService<EvidenceSweeper>().SweepAsync();

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal(0, list.GetProperty("total").GetInt32());
        Assert.Single(orphans);
        Assert.Equal(1, removed);
        Assert.Empty(await Stored(app));
    }
}

public sealed class DiskEvidenceTests : EvidenceTests
{
    protected override Task<TestApp> StartAsync(string provider = Providers.Sqlite, Dictionary<string, string?>? settings = null) =>
        TestApp.StartAsync(provider, settings);

    protected override Task<List<string>> Stored(TestApp app) =>
        Task.FromResult(Directory.EnumerateFiles(app.EvidencePath, "*", SearchOption.AllDirectories).ToList());
}

/// <summary>The same tests with evidence in an S3 bucket (s3rver on loopback unless ZI_TEST_S3 names another store).</summary>
public sealed class S3EvidenceTests : EvidenceTests
{
    protected override async Task<TestApp> StartAsync(string provider = Providers.Sqlite, Dictionary<string, string?>? settings = null)
    {
        var all = await TestS3.NewBucketSettingsAsync();
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }
        return await TestApp.StartAsync(provider, all);
    }

    protected override async Task<List<string>> Stored(TestApp app)
    {
        var staged = Directory.Exists(app.EvidencePath) ? Directory.EnumerateFiles(app.EvidencePath, "*", SearchOption.AllDirectories) : [];
        return [.. await TestS3.KeysAsync(app.Settings["Evidence:S3:Bucket"]!), .. staged];
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Compliance;
using ZonaIntegritas.Api.Features.PortalRb;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.PortalRb;

namespace ZonaIntegritas.Tests;

/// <summary>
/// The stored compliance documents against the raw tables (issue 19): after any sequence of writes, every stored row
/// that is still valid is exactly the document a build from the tables gives, and once the refresher has run every
/// unit's row is valid and exact.
/// </summary>
public sealed class ComplianceStoreTests
{
    // Ya/Tidak items end in .a here, A–C/A–E items in .b and .c.
    private static readonly string[] Items = ["MP.P.1.a", "MP.P.2.a", "MP.P.1.b", "MP.P.2.b", "MP.P.2.c"];

    private static string AnswerFor(string item, Random random) =>
        item.EndsWith(".a", StringComparison.Ordinal) ? (random.Next(2) == 0 ? "Ya" : "Tidak") : (random.Next(2) == 0 ? "A" : "B");

    [Theory]
    [SqliteData]
    [SqlServerData]
    public async Task StoredDocumentsAgreeWithTheTablesAfterARandomSequenceOfWrites(string provider)
    {
        // A slow refresher, so that stale rows stay stale long enough for the checks to see what the writes marked.
        await using var app = await TestApp.StartAsync(provider, new() { ["Compliance:RefreshMilliseconds"] = "60000" });
        var admin = app.Admin();
        var random = new Random(19);
        var agencies = new[] { await admin.CreateAgency(), await admin.CreateAgency() };
        var units = new List<(Guid Agency, Guid Unit, Guid Assessment)>();
        foreach (var agency in agencies)
        {
            for (var i = 0; i < 2; i++)
            {
                var unit = await admin.CreateUnit(agency, employeeCount: 4);
                var assessment = await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created);
                units.Add((agency, unit, assessment.Id()));
            }
        }
        var nip = 0;
        var evidence = new List<Guid>();
        var operations = new List<string>();
        var compared = 0;
        for (var step = 0; step < 70; step++)
        {
            var (agency, unit, assessment) = units[random.Next(units.Count)];
            var operation = random.Next(14);
            operations.Add(operation.ToString(System.Globalization.CultureInfo.InvariantCulture));
            var response = operation switch
            {
                0 => await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts",
                    new { pacts = Enumerable.Range(0, 1 + random.Next(3)).Select(_ => Fixtures.Pact(Fixtures.Nip(++nip))).ToArray() }),
                1 => await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit], declaredOn: "2026-03-15", nipSeed: ++nip)),
                2 => await PutAnswer(admin, assessment, Items[random.Next(Items.Length)], random),
                3 => await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/{(random.Next(2) == 0 ? "self" : "tpi")}",
                    new { answers = Items.Select(i => new { itemCode = i, value = AnswerFor(i, random) }).ToArray() }),
                4 => await AddEvidence(admin, assessment, random, evidence),
                5 when evidence.Count > 0 => await admin.PostJson($"/api/v1/evidence/{evidence[random.Next(evidence.Count)]}/review",
                    new { decision = "accepted", validUntil = IndonesiaClock.Today(app.Clock).AddDays(1 + random.Next(15)).ToString("yyyy-MM-dd") }),
                6 => Advance(app, random),
                7 => await admin.PutAsJsonAsync("/api/v1/proposal-windows/2026", new { opensOn = "2026-01-01", closesOn = IndonesiaClock.Today(app.Clock).AddDays(random.Next(10)).ToString("yyyy-MM-dd") }),
                8 => await admin.PutAsJsonAsync($"/api/v1/agencies/{agency}/audit-opinions/2025",
                    new { opinion = random.Next(3) == 0 ? "WDP" : "WTP", reportNumber = "LHP 1", issuedOn = "2026-05-20" }),
                9 => await admin.PostJson($"/api/v1/assessments/{assessment}/{new[] { "submit", "review", "propose" }[random.Next(3)]}", new { }),
                10 => await admin.PutAsJsonAsync($"/api/v1/units/{unit}/budget/2026", new { ceiling = "1000000.00" }),
                11 => await admin.PostJson($"/api/v1/units/{unit}/budget/2026/realisations", new { month = 1 + random.Next(11), amount = "50000.00", physicalProgressPercent = 10 }),
                12 => await Fetch(app, admin, agency, unit),
                _ => await admin.GetAsync($"/api/v1/units/{unit}/compliance"),
            };
            Assert.True((int)response.StatusCode < 500, $"Operation {operation} answered {(int)response.StatusCode}.");
            compared += await AssertStoredRowsAgree(app, units.Select(u => u.Unit), $"after operations {string.Join(',', operations)}");
            // Readers keep reading: every unit's row is built again, so the next write finds valid rows to mark.
            foreach (var (_, each, _) in units)
            {
                (await admin.GetAsync($"/api/v1/units/{each}/compliance")).EnsureSuccessStatusCode();
            }
        }
        Assert.True(compared > 150, $"Only {compared} stored rows were valid when checked; the sequence proved little.");

        var store = app.Services.GetRequiredService<ComplianceStore>();
        var factory = app.Services.GetRequiredService<DbConnectionFactory>();
        await using (var connection = await factory.OpenAsync())
        {
            while (await store.RefreshStaleAsync(connection, factory.Dialect, IndonesiaClock.Today(app.Clock), 50, includeMissing: true) > 0)
            {
            }
        }
        var valid = await AssertStoredRowsAgree(app, units.Select(u => u.Unit), "after the refresh");
        Assert.Equal(units.Count, valid);
        foreach (var (_, unit, _) in units)
        {
            var sent = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Content.ReadAsByteArrayAsync();
            Assert.Equal(Encoding.UTF8.GetString((await Built(app, unit))!), Encoding.UTF8.GetString(sent));
        }
    }

    [Fact]
    public async Task AUnitsDocumentIsStoredWhenItIsFirstReadAndServedFromTheRowAfterARestart()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["Compliance:RefreshMilliseconds"] = "60000", ["Cache:Enabled"] = "false" });
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency(), employeeCount: 2);
        (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(1)) } })).EnsureSuccessStatusCode();
        Assert.Null(await Stored(app, unit)); // the write marked it stale; the refresher has not run
        var first = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);
        Assert.Equal(1, first.GetProperty("pacts").GetProperty("signedEmployees").GetInt32());
        var stored = await Stored(app, unit);
        Assert.NotNull(stored);
        Assert.Equal(1, JsonDocument.Parse(stored).RootElement.GetProperty("pacts").GetProperty("signedEmployees").GetInt32());
    }

    [Fact]
    public async Task AStoredDocumentShowsPortalRbsLatestFetchFromItsRowWithoutBeingRebuilt()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["Compliance:RefreshMilliseconds"] = "60000", ["Cache:Enabled"] = "false" });
        var w = await PortalRbWorld.BuildAsync(app);
        var before = await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance")).Json(HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Null, before.GetProperty("portalRb").GetProperty("lastFetchedAt").ValueKind);
        var storedBody = await Stored(app, w.Unit);
        Assert.NotNull(storedBody);

        app.Clock.Advance(TimeSpan.FromHours(2));
        var fetchedAt = app.Clock.GetUtcNow();
        (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).EnsureSuccessStatusCode();
        await w.FetchesLogged();
        app.Clock.Advance(TimeSpan.FromHours(1));
        (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}?tahun=2025")).Dispose(); // another year: not this document's
        await w.FetchesLogged();

        var after = await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance")).Json(HttpStatusCode.OK);
        Assert.Equal(fetchedAt, after.GetProperty("portalRb").GetProperty("lastFetchedAt").GetDateTimeOffset());
        Assert.False(after.GetProperty("portalRb").GetProperty("answersChangedSince").GetBoolean());
        // The row was not rebuilt for it: its body is the one stored before the fetch, the fetch settled at read time.
        var factory = app.Services.GetRequiredService<DbConnectionFactory>();
        await using var connection = await factory.OpenAsync();
        Assert.Equal(JsonDocument.Parse(storedBody).RootElement.GetRawText(),
            JsonDocument.Parse(await connection.ExecuteScalarAsync<string>("SELECT body FROM compliance_documents WHERE unit_id = @Unit", new { w.Unit }) ?? "null").RootElement.GetRawText());
    }

    [Fact]
    public async Task AFetchAfterTheRowWasBuiltIsSentInTheBytesAndETagAFreshBuildWouldSend()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["Compliance:RefreshMilliseconds"] = "60000", ["Cache:Enabled"] = "false" });
        var w = await PortalRbWorld.BuildAsync(app);
        (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).EnsureSuccessStatusCode();
        await w.FetchesLogged();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await PortalRbWorld.Answer(w.Admin, w.Assessment, "tpi", new Dictionary<string, string> { ["MP.P.1.b"] = "B" });
        // Built after the change: the row shows the first fetch and asks for a refetch.
        var built = await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance")).Json(HttpStatusCode.OK);
        Assert.Contains(PortalRbStanding.RefetchFlag, built.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));

        app.Clock.Advance(TimeSpan.FromMinutes(1));
        (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).EnsureSuccessStatusCode();
        await w.FetchesLogged();
        var sent = await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance");
        var body = await sent.Content.ReadAsByteArrayAsync();

        // The refetch settled the flag and the time without a rebuild; a build from the tables is the oracle.
        var factory = app.Services.GetRequiredService<DbConnectionFactory>();
        await using var connection = await factory.OpenAsync();
        var fresh = (await app.Services.GetRequiredService<ComplianceStore>().BuiltFromTablesAsync(connection, factory.Dialect, w.Unit, IndonesiaClock.Today(app.Clock)))!;
        Assert.Equal(Encoding.UTF8.GetString(fresh.Body), Encoding.UTF8.GetString(body));
        Assert.Equal(fresh.ETag, sent.Headers.ETag?.Tag);
        Assert.DoesNotContain(PortalRbStanding.RefetchFlag, JsonDocument.Parse(body).RootElement.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM compliance_documents WHERE unit_id = @Unit AND valid_until IS NOT NULL AND portalrb_fetched_at IS NOT NULL AND portalrb_fetched_at <> last_fetched_at", new { w.Unit }));
    }

    [Fact]
    public async Task AFetchCommittedLateWithAnEarlierTimeLeavesTheDocumentsLastFetchAtTheLatest()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["Compliance:RefreshMilliseconds"] = "60000", ["Cache:Enabled"] = "false" });
        var w = await PortalRbWorld.BuildAsync(app);
        (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance")).EnsureSuccessStatusCode();
        app.Clock.Advance(TimeSpan.FromHours(2));
        var latest = app.Clock.GetUtcNow();
        (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).EnsureSuccessStatusCode();
        await w.FetchesLogged();

        // Another instance's batch, answered an hour earlier by its clock, commits after this one's.
        app.Clock.Set(latest - TimeSpan.FromHours(1));
        (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).EnsureSuccessStatusCode();
        await w.FetchesLogged();
        app.Clock.Set(latest + TimeSpan.FromMinutes(5));

        var after = await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance")).Json(HttpStatusCode.OK);
        Assert.Equal(latest, after.GetProperty("portalRb").GetProperty("lastFetchedAt").GetDateTimeOffset());
        await AssertStoredRowsAgree(app, [w.Unit], "after a late, earlier fetch");
    }

    [Fact]
    public async Task AStoredDocumentIsRebuiltWhenADateItShowsComes()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["Compliance:RefreshMilliseconds"] = "60000", ["Cache:Enabled"] = "false" });
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency(), employeeCount: 2);
        var assessment = await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created);
        var link = await (await admin.PostJson($"/api/v1/assessments/{assessment.Id()}/items/MP.P.1.a/evidence", new { url = "https://drive.example.go.id/sk.pdf", title = "SK" })).Json(HttpStatusCode.Created);
        (await admin.PostJson($"/api/v1/evidence/{link.Id()}/review", new { decision = "accepted", validUntil = "2026-11-25" })).EnsureSuccessStatusCode();
        var before = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);
        Assert.Equal(1, before.GetProperty("evidence").GetProperty("itemsWithAcceptedEvidence").GetInt32());
        Assert.NotNull(await Stored(app, unit));

        app.Clock.Advance(TimeSpan.FromDays(4)); // 26 November: the acceptance has expired
        Assert.Null(await Stored(app, unit));
        var after = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);
        Assert.Equal(0, after.GetProperty("evidence").GetProperty("itemsWithAcceptedEvidence").GetInt32());
    }

    private static Task<HttpResponseMessage> PutAnswer(HttpClient admin, Guid assessment, string item, Random random) =>
        admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self/{item}", new { value = AnswerFor(item, random) });

    private static async Task<HttpResponseMessage> AddEvidence(HttpClient admin, Guid assessment, Random random, List<Guid> evidence)
    {
        var response = await admin.PostJson($"/api/v1/assessments/{assessment}/items/{Items[random.Next(Items.Length)]}/evidence",
            new { url = $"https://drive.example.go.id/{random.Next(1000)}.pdf", title = "Bukti" });
        if (response.StatusCode == HttpStatusCode.Created)
        {
            evidence.Add((await response.Json(HttpStatusCode.Created)).Id());
        }
        return response;
    }

    private static HttpResponseMessage Advance(TestApp app, Random random)
    {
        app.Clock.Advance(TimeSpan.FromDays(1 + random.Next(6)));
        return new HttpResponseMessage(HttpStatusCode.OK);
    }

    private static async Task<HttpResponseMessage> Fetch(TestApp app, HttpClient admin, Guid agency, Guid unit)
    {
        var response = await admin.GetAsync($"/portalrb/v1/lke/jawaban-unit/{unit}?tahun=2026&agencyId={agency}");
        await app.Services.GetServices<IHostedService>().OfType<FetchLogWriter>().Single().FlushAsync(CancellationToken.None);
        return response;
    }

    /// <summary>Every valid stored row equals the build from the tables; returns how many rows were valid.</summary>
    private static async Task<int> AssertStoredRowsAgree(TestApp app, IEnumerable<Guid> units, string when)
    {
        // Every row's last fetch, built or stale, is what the fetch log says for the year the row shows.
        var factory = app.Services.GetRequiredService<DbConnectionFactory>();
        await using (var connection = await factory.OpenAsync())
        {
            const string drifted = """
                SELECT unit_id FROM compliance_documents
                WHERE last_fetched_at IS DISTINCT FROM
                      (SELECT MAX(f.at) FROM portalrb_fetches f
                       WHERE f.unit_id = compliance_documents.unit_id AND f.year = compliance_documents.assessment_year
                         AND f.endpoint = 'jawaban-unit' AND f.status = 200)
                """;
            Assert.True((await connection.QueryAsync<Guid>(drifted)).AsList() is [], $"last_fetched_at disagrees with the fetch log {when}.");
        }
        var valid = 0;
        foreach (var unit in units)
        {
            if (await Stored(app, unit) is { } stored)
            {
                valid++;
                Assert.True(Encoding.UTF8.GetString((await Built(app, unit))!) == stored, $"The stored document of {unit} differs from the tables {when}:\n{stored}\n{Encoding.UTF8.GetString((await Built(app, unit))!)}");
            }
        }
        return valid;
    }

    private static async Task<string?> Stored(TestApp app, Guid unit)
    {
        var factory = app.Services.GetRequiredService<DbConnectionFactory>();
        await using var connection = await factory.OpenAsync();
        var entry = await app.Services.GetRequiredService<ComplianceStore>().StoredAsync(connection, unit, IndonesiaClock.Today(app.Clock));
        return entry is null ? null : Encoding.UTF8.GetString(entry.Body);
    }

    private static async Task<byte[]?> Built(TestApp app, Guid unit)
    {
        var factory = app.Services.GetRequiredService<DbConnectionFactory>();
        await using var connection = await factory.OpenAsync();
        return (await app.Services.GetRequiredService<ComplianceStore>().BuiltFromTablesAsync(connection, factory.Dialect, unit, IndonesiaClock.Today(app.Clock)))?.Body;
    }
}

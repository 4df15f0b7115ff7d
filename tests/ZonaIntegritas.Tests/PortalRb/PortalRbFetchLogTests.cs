using System.Net;
using System.Net.Http.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.PortalRb;
using ZonaIntegritas.Tests.Infrastructure;
using static ZonaIntegritas.Tests.PortalRb.PortalRbWorld;

namespace ZonaIntegritas.Tests.PortalRb;

/// <summary>What the agency sees of PortalRB: the fetch log, and whether its answers changed since PortalRB last fetched them.</summary>
public sealed class PortalRbFetchLogTests
{
    [Fact]
    public async Task EveryPortalRbCallIsLoggedWithEndpointUnitYearKeyAndStatus()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var unknown = Guid.NewGuid();

        await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk");
        await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}");
        await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{unknown}");
        await Bearer(app, await w.Admin.CreateKey("inspectorate", agencyId: w.Agency)).GetAsync("/portalrb/v1/pengusulan/unit-wbbm");
        var log = await (await w.Inspectorate.GetAsync("/api/v1/portalrb/fetches")).Json(HttpStatusCode.OK);
        var forUnit = await (await w.Admin.GetAsync($"/api/v1/portalrb/fetches?unitId={w.Unit}&year=2026")).Json(HttpStatusCode.OK);
        var audit = await (await w.Admin.GetAsync("/api/v1/audit?entityType=portalrb_fetch")).Json(HttpStatusCode.OK);

        var entries = log.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(4, log.GetProperty("total").GetInt64());
        Assert.Equal(["unit-wbbm", "jawaban-unit", "jawaban-unit", "unit-wbk"], entries.Select(e => e.GetProperty("endpoint").GetString()));
        Assert.Equal([403, 404, 200, 200], entries.Select(e => e.GetProperty("status").GetInt32()));
        Assert.Equal(unknown, entries[1].GetProperty("unitId").GetGuid());
        Assert.Equal(2026, entries[2].GetProperty("year").GetInt32());
        Assert.Equal(w.Agency, entries[3].GetProperty("agencyId").GetGuid());
        Assert.All(entries, e => Assert.NotEqual(Guid.Empty, e.GetProperty("apiKeyId").GetGuid()));
        Assert.Equal(PortalRbWorld.April2026, entries[2].GetProperty("at").GetDateTimeOffset());
        var single = Assert.Single(forUnit.GetProperty("items").EnumerateArray());
        Assert.Equal(200, single.GetProperty("status").GetInt32());
        Assert.Equal(4, audit.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("action").GetString() == "portalrb.fetched"));
    }

    [Fact]
    public async Task TheFetchLogIsScopedToTheAgencyAndReadOnlyForAdminAndInspectorate()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var other = await BuildAsync(app);
        await other.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk");
        await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk");

        var mine = await (await w.Inspectorate.GetAsync("/api/v1/portalrb/fetches")).Json(HttpStatusCode.OK);
        var all = await (await w.Admin.GetAsync("/api/v1/portalrb/fetches")).Json(HttpStatusCode.OK);
        var unitKey = await app.ClientWithKey(await w.Admin.CreateKey("unit", unitId: w.Unit)).GetAsync("/api/v1/portalrb/fetches");
        var badYear = await (await w.Admin.GetAsync("/api/v1/portalrb/fetches?year=1900")).Problem(HttpStatusCode.BadRequest);

        Assert.Equal([w.Agency], mine.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("agencyId").GetGuid()));
        Assert.Equal(2, all.GetProperty("total").GetInt64());
        await unitKey.Problem(HttpStatusCode.Forbidden);
        Assert.NotEmpty(badYear.Errors("year"));
    }

    [Fact]
    public async Task ConcurrentPullsAreEachLoggedOnceWithTheirAuditEntry()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);

        var answers = await Task.WhenAll(Enumerable.Range(0, 48).Select(_ => w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")));
        var log = await (await w.Admin.GetAsync($"/api/v1/portalrb/fetches?unitId={w.Unit}")).Json(HttpStatusCode.OK);
        var audit = await (await w.Admin.GetAsync("/api/v1/audit?entityType=portalrb_fetch&pageSize=100")).Json(HttpStatusCode.OK);

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.StatusCode));
        Assert.Equal(48, log.GetProperty("total").GetInt64());
        Assert.Equal(48, log.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("requestId").GetString()).Distinct().Count());
        Assert.Equal(48, audit.GetProperty("items").EnumerateArray().Count(e => e.GetProperty("action").GetString() == "portalrb.fetched"));
    }

    [Fact]
    public async Task AStoppingInstanceWritesEveryQueuedEntryAndLaterCallsAreWrittenDirectly()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var writer = app.Services.GetRequiredService<FetchLogWriter>();

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk")));
        await writer.StopAsync(CancellationToken.None);
        var afterStop = await Rows(app);
        await (await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk")).Json(HttpStatusCode.OK);

        Assert.Equal(20, afterStop);
        Assert.Equal(21, await Rows(app));
    }

    [Fact]
    public async Task ACallThatFindsTheQueueFullWaitsForRoomInsteadOfWritingItsOwnEntry()
    {
        await using var app = await TestApp.StartAsync();
        // A writer of its own, not started: nothing drains its queue until the test starts it.
        var writer = new FetchLogWriter(app.Services.GetRequiredService<DbConnectionFactory>(), app.Services.GetRequiredService<ChangeStamps>(),
            NullLogger<FetchLogWriter>.Instance);
        var caller = new Caller(Guid.NewGuid(), "portalrb", Guid.NewGuid(), null) { At = DateTimeOffset.UtcNow };
        FetchEntry Entry(int n) => new(caller with { RequestId = $"queued-{n}" }, "unit-wbk", caller.AgencyId, null, 2026, 200);

        for (var n = 0; n < 10_000; n++)
        {
            await writer.AddAsync(Entry(n));
        }
        var overflow = writer.AddAsync(Entry(10_000)).AsTask();
        await Task.Delay(300);
        var whileFull = await Rows(app);
        var waitedWhileFull = !overflow.IsCompleted;
        await writer.StartAsync(CancellationToken.None);
        await overflow.WaitAsync(TimeSpan.FromSeconds(30));
        await writer.FlushAsync(CancellationToken.None);
        await writer.StopAsync(CancellationToken.None);

        // Writing its own entry would have queued the request for SQLite's write lock, on the thread (see FetchLogWriter).
        Assert.True(waitedWhileFull, "the call past the queue's capacity completed while nothing drained the queue");
        Assert.Equal(0, whileFull);
        Assert.Equal(10_001, await Rows(app));
    }

    private static async Task<long> Rows(TestApp app)
    {
        await using var connection = new SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM portalrb_fetches";
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task TheFetchLogCannotBeRewritten()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk");
        await w.FetchesLogged();
        await using var connection = new SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();

        foreach (var sql in new[] { "UPDATE portalrb_fetches SET status = 500", "DELETE FROM portalrb_fetches" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var error = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("append-only", error.Message);
        }
    }

    [Fact]
    public async Task TheComplianceDocumentSaysWhenPortalRbFetchedAndWhetherAnswersChangedSince()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        async Task<System.Text.Json.JsonElement> Compliance() => await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance?year=2026")).Json(HttpStatusCode.OK);
        async Task<List<Guid>> Flagged() => (await (await w.Admin.GetAsync($"/api/v1/compliance?agencyId={w.Agency}&year=2026&flag=portalrb_refetch_needed")).Json(HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Select(d => d.GetProperty("unitId").GetGuid()).ToList();

        var never = await Compliance();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).Json(HttpStatusCode.OK);
        await w.FetchesLogged();
        var fetched = await Compliance();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await Answer(w.Admin, w.Assessment, "tpi", new Dictionary<string, string> { ["MP.P.1.b"] = "B" }, new Dictionary<string, string> { ["MP.P.1.b"] = "turun" });
        var changed = await Compliance();
        var flaggedAfterChange = await Flagged();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).Json(HttpStatusCode.OK);
        await w.FetchesLogged();
        var refetched = await Compliance();
        var flaggedAfterRefetch = await Flagged();

        Assert.Equal(System.Text.Json.JsonValueKind.Null, never.GetProperty("portalRb").GetProperty("lastFetchedAt").ValueKind);
        Assert.False(never.GetProperty("portalRb").GetProperty("answersChangedSince").GetBoolean());
        Assert.Equal(April2026.AddMinutes(1), fetched.GetProperty("portalRb").GetProperty("lastFetchedAt").GetDateTimeOffset());
        Assert.False(fetched.GetProperty("portalRb").GetProperty("answersChangedSince").GetBoolean());
        Assert.DoesNotContain("portalrb_refetch_needed", fetched.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.True(changed.GetProperty("portalRb").GetProperty("answersChangedSince").GetBoolean());
        Assert.Contains("portalrb_refetch_needed", changed.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal([w.Unit], flaggedAfterChange);
        Assert.Equal(April2026.AddMinutes(3), refetched.GetProperty("portalRb").GetProperty("lastFetchedAt").GetDateTimeOffset());
        Assert.False(refetched.GetProperty("portalRb").GetProperty("answersChangedSince").GetBoolean());
        Assert.Empty(flaggedAfterRefetch);
    }

    [Fact]
    public async Task NewEvidenceAfterAFetchAlsoNeedsARefetchButAFailedFetchDoesNotCount()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).Json(HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await w.Admin.PostJson($"/api/v1/assessments/{w.Assessment}/items/MP.P.1.a/evidence", new { url = "https://drive.example.go.id/sk.pdf", title = "SK" }))
            .Json(HttpStatusCode.Created);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}?tahun=2025")).Json(HttpStatusCode.NotFound);
        await w.FetchesLogged();

        var document = await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance?year=2026")).Json(HttpStatusCode.OK);

        Assert.Equal(April2026, document.GetProperty("portalRb").GetProperty("lastFetchedAt").GetDateTimeOffset());
        Assert.True(document.GetProperty("portalRb").GetProperty("answersChangedSince").GetBoolean());
    }

    [Fact]
    public async Task AnUnknownFlagInTheListFilterIsRefusedNamingTheField()
    {
        await using var app = await TestApp.StartAsync();

        var problem = await (await app.Admin().GetAsync("/api/v1/compliance?flag=nope")).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("portalrb_refetch_needed", Assert.Single(problem.Errors("flag")));
    }
}

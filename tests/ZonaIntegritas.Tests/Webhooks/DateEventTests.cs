using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Compliance;
using ZonaIntegritas.Api.Features.Webhooks;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests.Webhooks;

/// <summary>
/// compliance.changed and absorption.behind when a date changes a unit's standing with no write: the stored document
/// whose date came is rebuilt, and its audit entry (compliance.date_passed) makes the projector compare the unit again.
/// </summary>
public sealed class DateEventTests
{
    // The test clock starts on 22 November 2026 (12:00 WIT); the window closes on the 25th, so the 26th brings deadline_passed.
    private static readonly DateTimeOffset DayAfterTheDeadline = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);

    private sealed record World(HttpClient Admin, Guid Agency, Guid Unit);

    /// <summary>A unit with a draft 2026 assessment whose proposal window closes on 25 November, announced without deadline_passed.</summary>
    private static async Task<World> DraftBeforeItsDeadline(TestApp app)
    {
        var admin = app.Admin();
        // The window first: its own write marks every document but announces nothing per unit.
        (await admin.PutAsJsonAsync("/api/v1/proposal-windows/2026", new { opensOn = "2026-11-01", closesOn = "2026-11-25" })).EnsureSuccessStatusCode();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).EnsureStatus(HttpStatusCode.Created);
        return new World(admin, agency, unit);
    }

    private static IEnumerable<JsonElement> Events(JsonElement page, string type, Guid unit) =>
        page.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == type && e.GetProperty("unitId").GetGuid() == unit);

    private static bool HasFlag(JsonElement e, string property, string flag) =>
        e.GetProperty("data").GetProperty(property) is { ValueKind: JsonValueKind.Array } flags && flags.EnumerateArray().Any(f => f.GetString() == flag);

    private static async Task<JsonElement> AllEvents(HttpClient client) =>
        await (await client.GetAsync("/api/v1/changes?limit=500")).Json(HttpStatusCode.OK);

    /// <summary>Waits (wall clock) until the change stream holds what <paramref name="done"/> asks for.</summary>
    private static async Task<JsonElement> WaitForEvents(HttpClient client, Func<JsonElement, bool> done, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement page = default;
        while (DateTime.UtcNow < deadline)
        {
            page = await AllEvents(client);
            if (done(page))
            {
                return page;
            }
            await Task.Delay(25);
        }
        Assert.Fail($"The change stream did not show the expected events: {page}");
        return page;
    }

    private static async Task<List<JsonElement>> DatePassedEntries(HttpClient admin, Guid unit) =>
        (await (await admin.GetAsync($"/api/v1/audit?entityType=compliance_document&entityId={unit}&pageSize=100")).Json(HttpStatusCode.OK))
        .GetProperty("items").EnumerateArray().ToList();

    [Fact]
    public async Task AProposalDeadlinePassingWithNoWriteIsDeliveredAsOneComplianceChanged()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await WebhookTests.Start();
        var (_, secret) = await WebhookTests.Subscribe(app.Admin(), receiver.Url, ["compliance.changed"]);
        var w = await DraftBeforeItsDeadline(app);
        await receiver.WaitFor(r => r.Any(x => x.Json.GetProperty("data").GetProperty("stage").GetString() == "assessing"));
        await Task.Delay(300);
        Assert.DoesNotContain(receiver.All, r => HasFlag(r.Json, "flags", "deadline_passed"));

        app.Clock.Set(DayAfterTheDeadline);

        var received = await receiver.WaitFor(r => r.Any(x => HasFlag(x.Json, "flags", "deadline_passed")));
        await Task.Delay(500);
        var dated = Assert.Single(receiver.All, r => HasFlag(r.Json, "flags", "deadline_passed"));
        Assert.True(WebhookReceiver.SignatureVerifies(dated, secret));
        Assert.Equal(w.Unit, dated.Json.GetProperty("unitId").GetGuid());
        Assert.Equal("assessing", dated.Json.GetProperty("data").GetProperty("previousStage").GetString());
        Assert.False(HasFlag(dated.Json, "previousFlags", "deadline_passed"));
        Assert.Equal(DayAfterTheDeadline, dated.Json.GetProperty("time").GetDateTimeOffset());
        // Recorded by the service itself, naming the date that came; the row it saved is not marked stale again.
        var entry = Assert.Single(await DatePassedEntries(w.Admin, w.Unit));
        Assert.Equal("compliance.date_passed", entry.GetProperty("action").GetString());
        Assert.Equal(JsonValueKind.Null, entry.GetProperty("apiKeyId").ValueKind);
        Assert.Equal("2026-11-26", entry.GetProperty("changes").GetProperty("validUntil").GetString());
        Assert.Contains("deadline_passed", entry.GetProperty("changes").GetProperty("changes").GetProperty("flags").GetProperty("after").GetString());
        await using var connection = await app.Services.GetRequiredService<DbConnectionFactory>().OpenAsync();
        Assert.Equal(1, await connection.ExecuteScalarAsync<int>(
            "SELECT COUNT(*) FROM compliance_documents WHERE unit_id = @Unit AND valid_until > @Today", new { Unit = w.Unit, Today = new DateOnly(2026, 11, 26) }));
    }

    [Fact]
    public async Task ANewMonthsAbsorptionMilestoneMakesAUnitBehindWithOneEventAndNoWrite()
    {
        await using var app = await WebhookTests.Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        (await admin.PutAsJsonAsync($"/api/v1/units/{unit}/budget/2026", new { ceiling = "1000000.00" })).EnsureSuccessStatusCode();
        (await admin.PostJson($"/api/v1/units/{unit}/budget/2026/realisations", new { month = 11, amount = "500000.00", physicalProgressPercent = 50 })).EnsureSuccessStatusCode();
        // 50% absorbed: ahead of November's 40%, behind December's 90%.
        (await admin.PutAsJsonAsync($"/api/v1/agencies/{agency}/absorption-milestones/2026",
            new[] { new { month = 11, minPercent = 40 }, new { month = 12, minPercent = 90 } })).EnsureSuccessStatusCode();
        await WaitForEvents(admin, p => Events(p, "compliance.changed", unit).Any());
        await Task.Delay(300);
        Assert.Empty(Events(await AllEvents(admin), "absorption.behind", unit));

        app.Clock.Set(new DateTimeOffset(2026, 11, 30, 15, 0, 0, TimeSpan.Zero)); // 1 December, 00:00 WIT

        var page = await WaitForEvents(admin, p => Events(p, "absorption.behind", unit).Any());
        await Task.Delay(500);
        var behind = Assert.Single(Events(await AllEvents(admin), "absorption.behind", unit));
        Assert.Equal(50m, behind.GetProperty("data").GetProperty("percent").GetDecimal());
        Assert.Equal(agency, behind.GetProperty("agencyId").GetGuid());
        Assert.Single(await DatePassedEntries(admin, unit));
        Assert.True(page.GetProperty("nextCursor").GetInt64() > 0);
    }

    [Fact]
    public async Task TwoInstancesOnOneDatabaseAnnounceTheDateOnce()
    {
        await using var first = await WebhookTests.Start();
        await using var second = await TestApp.StartSharingAsync(first, new()
        {
            ["Webhooks:PollMilliseconds"] = "25",
            ["Compliance:RefreshMilliseconds"] = "20",
        });
        var w = await DraftBeforeItsDeadline(first);
        await WaitForEvents(w.Admin, p => Events(p, "compliance.changed", w.Unit).Any(e => e.GetProperty("data").GetProperty("stage").GetString() == "assessing"));

        // Both instances' refreshers see the date come, both projectors poll: one entry, one event.
        first.Clock.Set(DayAfterTheDeadline);

        await WaitForEvents(second.Admin(), p => Events(p, "compliance.changed", w.Unit).Any(e => HasFlag(e, "flags", "deadline_passed")));
        await Task.Delay(1000);
        Assert.Single(Events(await AllEvents(w.Admin), "compliance.changed", w.Unit), e => HasFlag(e, "flags", "deadline_passed"));
        Assert.Single(await DatePassedEntries(w.Admin, w.Unit));
    }

    [Fact]
    public async Task TheRefresherRunTwiceAndAProjectorStartedAfterItAnnounceTheDateOnce()
    {
        // Nothing runs in the background: each step is taken by hand, as separate processes would take it.
        await using var app = await TestApp.StartAsync(settings: new() { ["Webhooks:Enabled"] = "false", ["Compliance:RefresherEnabled"] = "false" });
        var w = await DraftBeforeItsDeadline(app);
        var factory = app.Services.GetRequiredService<DbConnectionFactory>();
        var store = app.Services.GetRequiredService<ComplianceStore>();
        async Task Refresh()
        {
            await using var connection = await factory.OpenAsync();
            while (await store.RefreshStaleAsync(connection, factory.Dialect, IndonesiaClock.Today(app.Clock), 50, includeMissing: true) > 0)
            {
            }
        }
        await Refresh();
        await ActivatorUtilities.CreateInstance<EventProjector>(app.Services).ProjectOnceAsync(CancellationToken.None);
        Assert.Single(Events(await AllEvents(w.Admin), "compliance.changed", w.Unit));

        app.Clock.Set(DayAfterTheDeadline);
        // Two refreshers at once on their own connections, then again: the row's save lands once, with its entry.
        await Task.WhenAll(Refresh(), Task.Run(Refresh));
        await Refresh();
        Assert.Single(await DatePassedEntries(w.Admin, w.Unit));
        Assert.Single(Events(await AllEvents(w.Admin), "compliance.changed", w.Unit));
        // The entry waits in the audit trail for whichever projector comes next, here a new one (a restarted process).
        var restarted = ActivatorUtilities.CreateInstance<EventProjector>(app.Services);
        await restarted.ProjectOnceAsync(CancellationToken.None);
        await restarted.ProjectOnceAsync(CancellationToken.None);

        var events = Events(await AllEvents(w.Admin), "compliance.changed", w.Unit).ToList();
        Assert.Equal(2, events.Count);
        Assert.True(HasFlag(events[1], "flags", "deadline_passed"));
    }

    [Fact]
    public async Task AWriteAnnouncedJustBeforeMidnightWhoseDocumentIsRebuiltAfterItStillAnnouncesWhatTheNewDayBrought()
    {
        // No refresher: the unit's document stays stale from the write until a read rebuilds it, after midnight.
        await using var app = await WebhookTests.Start(new() { ["Compliance:RefresherEnabled"] = "false" });
        var w = await DraftBeforeItsDeadline(app);
        app.Clock.Set(new DateTimeOffset(2026, 11, 25, 14, 59, 0, TimeSpan.Zero)); // 25 November, 23:59 WIT
        (await w.Admin.PostJson($"/api/v1/units/{w.Unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(1)))).EnsureStatus(HttpStatusCode.Created);
        // Projected on the 25th: still without deadline_passed.
        await WaitForEvents(w.Admin, p => Events(p, "pacts.recorded", w.Unit).Any());
        await Task.Delay(300);
        Assert.DoesNotContain(Events(await AllEvents(w.Admin), "compliance.changed", w.Unit), e => HasFlag(e, "flags", "deadline_passed"));

        app.Clock.Set(DayAfterTheDeadline);
        var document = await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance")).Json(HttpStatusCode.OK);

        Assert.Contains("deadline_passed", document.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        await WaitForEvents(w.Admin, p => Events(p, "compliance.changed", w.Unit).Any(e => HasFlag(e, "flags", "deadline_passed")));
        var entry = Assert.Single(await DatePassedEntries(w.Admin, w.Unit));
        Assert.Equal("2026-11-25", entry.GetProperty("changes").GetProperty("markedOn").GetString());
    }

    [Fact]
    public async Task AWriteOnTheDayTheDocumentIsRebuiltRecordsNoDateEntry()
    {
        await using var app = await WebhookTests.Start();
        var w = await DraftBeforeItsDeadline(app);
        (await w.Admin.PostJson($"/api/v1/units/{w.Unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(1)))).EnsureStatus(HttpStatusCode.Created);
        await WaitForEvents(w.Admin, p => Events(p, "pacts.recorded", w.Unit).Any());
        await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance")).Json(HttpStatusCode.OK);
        await Task.Delay(300);

        // The writes' own entries announce them; a date entry would only be noise in the audit trail.
        Assert.Empty(await DatePassedEntries(w.Admin, w.Unit));
    }

    [Fact]
    public async Task AProposalWindowClosedForEveryUnitAnnouncesEachUnitWhoseFlagsItChangedOnce()
    {
        await using var app = await WebhookTests.Start();
        var w = await DraftBeforeItsDeadline(app);
        var untouched = await w.Admin.CreateUnit(w.Agency);
        await WaitForEvents(w.Admin, p => Events(p, "compliance.changed", w.Unit).Any(e => e.GetProperty("data").GetProperty("stage").GetString() == "assessing")
            && Events(p, "compliance.changed", untouched).Any());
        // Reads build both stored rows, so the rebuild after the window has a body to compare with (the case below has none).
        await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance")).Json(HttpStatusCode.OK);
        await (await w.Admin.GetAsync($"/api/v1/units/{untouched}/compliance")).Json(HttpStatusCode.OK);

        // An admin moves the close to a day that has passed: a write that names no unit, but changes this unit's flags.
        (await w.Admin.PutAsJsonAsync("/api/v1/proposal-windows/2026", new { opensOn = "2026-11-01", closesOn = "2026-11-20" })).EnsureSuccessStatusCode();

        var page = await WaitForEvents(w.Admin, p => Events(p, "compliance.changed", w.Unit).Any(e => HasFlag(e, "flags", "deadline_passed")));
        await Task.Delay(500);
        page = await AllEvents(w.Admin);
        var changed = Assert.Single(Events(page, "compliance.changed", w.Unit), e => HasFlag(e, "flags", "deadline_passed"));
        Assert.False(HasFlag(changed, "previousFlags", "deadline_passed"));
        // The unit without an assessment shows nothing new: no second event for it, and no entry.
        Assert.Single(Events(page, "compliance.changed", untouched));
        Assert.Empty(await DatePassedEntries(w.Admin, untouched));
        var entry = Assert.Single(await DatePassedEntries(w.Admin, w.Unit));
        Assert.True(entry.GetProperty("changes").GetProperty("markedForAll").GetBoolean());
    }

    [Fact]
    public async Task AProposalWindowClosedBeforeTheUnitsDocumentsWereEverBuiltStillAnnouncesTheChangeOnce()
    {
        // No refresher: the rows the units' creation inserted stay unbuilt, with no body to compare with.
        await using var app = await WebhookTests.Start(new() { ["Compliance:RefresherEnabled"] = "false" });
        var w = await DraftBeforeItsDeadline(app);
        var untouched = await w.Admin.CreateUnit(w.Agency);
        await WaitForEvents(w.Admin, p => Events(p, "compliance.changed", w.Unit).Any(e => e.GetProperty("data").GetProperty("stage").GetString() == "assessing")
            && Events(p, "compliance.changed", untouched).Any());

        (await w.Admin.PutAsJsonAsync("/api/v1/proposal-windows/2026", new { opensOn = "2026-11-01", closesOn = "2026-11-20" })).EnsureSuccessStatusCode();
        await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance")).Json(HttpStatusCode.OK);
        await (await w.Admin.GetAsync($"/api/v1/units/{untouched}/compliance")).Json(HttpStatusCode.OK);

        await WaitForEvents(w.Admin, p => Events(p, "compliance.changed", w.Unit).Any(e => HasFlag(e, "flags", "deadline_passed")));
        // Both rebuilds tell the projector; it compares with what it announced, so the unit whose standing stayed the
        // same gets no second event.
        Assert.True(Assert.Single(await DatePassedEntries(w.Admin, untouched)).GetProperty("changes").GetProperty("markedForAll").GetBoolean());
        await Task.Delay(500);
        var page = await AllEvents(w.Admin);
        Assert.Single(Events(page, "compliance.changed", w.Unit), e => HasFlag(e, "flags", "deadline_passed"));
        Assert.Single(Events(page, "compliance.changed", untouched));
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests.Webhooks;

/// <summary>GET /api/v1/changes: cursor pages, long polling, server-sent events with Last-Event-ID, read scoping.</summary>
public sealed class ChangeStreamTests
{
    private sealed record Sse(long Id, string Event, JsonElement Data);

    private static async Task<JsonElement> Page(HttpClient client, string query = "") =>
        await (await client.GetAsync($"/api/v1/changes{query}")).Json(HttpStatusCode.OK);

    private static async Task<JsonElement> WaitForPage(HttpClient client, string query, Func<JsonElement, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        JsonElement page = default;
        while (DateTime.UtcNow < deadline)
        {
            page = await Page(client, query);
            if (done(page))
            {
                return page;
            }
            await Task.Delay(25);
        }
        Assert.Fail($"The change stream did not show the expected events: {page}");
        return page;
    }

    private static IEnumerable<string> Types(JsonElement page) => page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()!);

    /// <summary>Reads server-sent events until <paramref name="count"/> have come (or 15 s passed).</summary>
    private static async Task<List<Sse>> ReadEvents(HttpClient client, int count, long? lastEventId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/changes");
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId.ToString());
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token), Encoding.UTF8);
        var events = new List<Sse>();
        long id = 0;
        string? type = null;
        while (events.Count < count && await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("id: ", StringComparison.Ordinal)) id = long.Parse(line[4..]);
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) events.Add(new Sse(id, type!, JsonDocument.Parse(line[6..]).RootElement.Clone()));
        }
        return events;
    }

    [Fact]
    public async Task APortalRbFetchAnnouncesTheRefetchFlagItClearsAndAListingAnnouncesNothing()
    {
        await using var app = await WebhookTests.Start();
        var w = await PortalRb.PortalRbWorld.BuildAsync(app);
        static bool Refetch(JsonElement e) => e.GetProperty("data").GetProperty("flags").EnumerateArray().Any(f => f.GetString() == "portalrb_refetch_needed");
        IEnumerable<JsonElement> UnitCompliance(JsonElement page) =>
            page.GetProperty("events").EnumerateArray().Where(e => e.GetProperty("type").GetString() == "compliance.changed" && e.GetProperty("unitId").GetGuid() == w.Unit);

        await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).Json(HttpStatusCode.OK);
        await w.FetchesLogged();
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await PortalRb.PortalRbWorld.Answer(w.Admin, w.Assessment, "tpi", new Dictionary<string, string> { ["MP.P.1.b"] = "B" });
        var flagged = await WaitForPage(w.Admin, "?limit=500", p => UnitCompliance(p).Any(Refetch));
        var cursor = flagged.GetProperty("nextCursor").GetInt64();
        await (await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk")).Json(HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).Json(HttpStatusCode.OK);
        var cleared = await WaitForPage(w.Admin, $"?after={cursor}", p => UnitCompliance(p).Any());

        Assert.False(Refetch(Assert.Single(UnitCompliance(cleared))));
        Assert.DoesNotContain(cleared.GetProperty("events").EnumerateArray(), e => e.GetProperty("type").GetString() == "compliance.changed" && e.GetProperty("unitId").GetGuid() != w.Unit);
    }

    [Fact]
    public async Task PagesFollowTheCursorInOrderAndAnEmptyPageKeepsItsPlace()
    {
        await using var app = await WebhookTests.Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var first = await WaitForPage(admin, "?limit=1", p => p.GetProperty("events").GetArrayLength() == 1);
        (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).EnsureStatus(HttpStatusCode.Created);

        Assert.Equal("compliance.changed", Types(first).Single());
        var cursor = first.GetProperty("nextCursor").GetInt64();
        var rest = await WaitForPage(admin, $"?after={cursor}", p => Types(p).Contains("assessment.created"));
        Assert.Equal("assessment.created", Types(rest).First());
        var end = rest.GetProperty("nextCursor").GetInt64();
        Assert.True(end > cursor);
        var empty = await Page(admin, $"?after={end}");
        Assert.Empty(empty.GetProperty("events").EnumerateArray());
        Assert.Equal(end, empty.GetProperty("nextCursor").GetInt64());
        var problem = await (await admin.GetAsync("/api/v1/changes?wait=31")).Problem(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.Errors("wait"));
    }

    [Fact]
    public async Task ALongPollAnswersAsSoonAsTheNextEventIsProjected()
    {
        await using var app = await WebhookTests.Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        await admin.CreateUnit(agency);
        var cursor = (await WaitForPage(admin, "", p => p.GetProperty("events").GetArrayLength() == 1)).GetProperty("nextCursor").GetInt64();

        var started = DateTime.UtcNow;
        var poll = admin.GetAsync($"/api/v1/changes?after={cursor}&wait=20");
        await Task.Delay(500);
        Assert.False(poll.IsCompleted, "The long poll answered before there was an event.");
        var unit = await admin.CreateUnit(agency);
        var page = await (await poll).Json(HttpStatusCode.OK);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(10));
        Assert.Equal(unit, page.GetProperty("events")[0].GetProperty("unitId").GetGuid());
    }

    [Fact]
    public async Task ServerSentEventsResumeAfterTheLastEventIdWithoutRepeatsOrGaps()
    {
        await using var app = await WebhookTests.Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var units = new List<Guid> { await admin.CreateUnit(agency), await admin.CreateUnit(agency) };

        var before = await ReadEvents(admin, 2);
        Assert.Equal(units, before.Select(e => e.Data.GetProperty("unitId").GetGuid()));
        Assert.All(before, e => Assert.Equal("compliance.changed", e.Event));
        // Disconnected; more happens meanwhile.
        units.Add(await admin.CreateUnit(agency));
        units.Add(await admin.CreateUnit(agency));

        var after = await ReadEvents(admin, 2, lastEventId: before[^1].Id);
        Assert.Equal(units[2..], after.Select(e => e.Data.GetProperty("unitId").GetGuid()));
        Assert.True(after[0].Id > before[^1].Id && after[1].Id > after[0].Id);
        using var bad = new HttpRequestMessage(HttpMethod.Get, "/api/v1/changes");
        bad.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        bad.Headers.Add("Last-Event-ID", "abc");
        (await (await admin.SendAsync(bad)).Problem(HttpStatusCode.BadRequest)).Errors("Last-Event-ID");
    }

    [Fact]
    public async Task EachKeyReadsOnlyTheEventsItMayRead()
    {
        await using var app = await WebhookTests.Start();
        var admin = app.Admin();
        var agencyA = await admin.CreateAgency();
        var agencyB = await admin.CreateAgency();
        var own = await admin.CreateUnit(agencyA);
        var sibling = await admin.CreateUnit(agencyA);
        var foreign = await admin.CreateUnit(agencyB);
        await WaitForPage(admin, "", p => p.GetProperty("events").GetArrayLength() == 3);

        var reader = app.ClientWithKey(await admin.CreateKey("reader", agencyA));
        var unitKey = app.ClientWithKey(await admin.CreateKey("unit", unitId: own));
        Guid[] UnitsIn(JsonElement page) => page.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("unitId").GetGuid()).ToArray();
        Assert.Equal(new[] { own, sibling }, UnitsIn(await Page(reader)));
        Assert.Equal(new[] { own }, UnitsIn(await Page(unitKey)));
        Assert.Equal(new[] { foreign }, UnitsIn(await Page(admin, $"?agencyId={agencyB}")));
        await (await reader.GetAsync($"/api/v1/changes?agencyId={agencyB}")).Problem(HttpStatusCode.NotFound);
        var streamed = await ReadEvents(reader, 2);
        Assert.Equal(new[] { own, sibling }, streamed.Select(e => e.Data.GetProperty("unitId").GetGuid()));
    }
}

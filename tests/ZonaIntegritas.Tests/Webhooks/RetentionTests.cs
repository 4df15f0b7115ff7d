using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests.Webhooks;

/// <summary>
/// Webhooks:RetentionDays: finished deliveries and the events nothing refers to any more are deleted once old; pending
/// deliveries keep their events; a change-stream cursor below what was deleted is told it missed events (410).
/// </summary>
public sealed class RetentionTests
{
    private static Task<TestApp> Start() => WebhookTests.Start(new() { ["Webhooks:RetentionIntervalSeconds"] = "1" });

    private static async Task<long> Count(TestApp app, string sql)
    {
        await using var connection = await app.Services.GetRequiredService<DbConnectionFactory>().OpenAsync();
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    private static HttpRequestMessage Stream(string query = "", string? lastEventId = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/changes{query}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }
        return request;
    }

    [Fact]
    public async Task OldFinishedDeliveriesAndTheirEventsAreDeletedWhileAPendingDeliveryKeepsItsEvent()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var failing = Guid.Empty;
        receiver.Answer = (_, body) => Task.FromResult(body.Contains(failing.ToString()) ? 500 : 200);
        await using var app = await Start();
        var admin = app.Admin();
        var (webhook, _) = await WebhookTests.Subscribe(admin, receiver.Url, ["compliance.changed"]);
        var healthy = await admin.CreateAgency();
        // The receiver refuses this agency's events, so its unit's delivery stays pending.
        failing = await admin.CreateAgency();
        var delivered = await admin.CreateUnit(healthy);
        var stuck = await admin.CreateUnit(failing);
        (await admin.PostJson("/api/v1/assessments", new { unitId = delivered, year = 2026, target = "WBK" })).EnsureStatus(HttpStatusCode.Created);
        while (await Count(app, "SELECT COUNT(*) FROM events WHERE type = 'assessment.created'") == 0)
        {
            await Task.Delay(25);
        }
        bool Of(JsonElement d, Guid unit) => d.GetProperty("unitId").GetGuid() == unit;
        await WebhookTests.WaitForDeliveries(admin, webhook, d => d.Any(x => Of(x, delivered)) && d.Where(x => Of(x, delivered)).All(x => x.GetProperty("status").GetString() == "succeeded")
            && d.Any(x => Of(x, stuck) && x.GetProperty("attempts").GetInt32() == 1));
        // Besides the units' compliance.changed, assessment.created, which no webhook takes.
        Assert.True(await Count(app, "SELECT COUNT(*) FROM events") >= 3);

        app.Clock.Advance(TimeSpan.FromDays(31));

        var left = await WebhookTests.WaitForDeliveries(admin, webhook, d => d.Length == 1);
        var pending = Assert.Single(left.EnumerateArray());
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.Equal(stuck, pending.GetProperty("unitId").GetGuid());
        var listed = await (await admin.GetAsync($"/api/v1/webhooks/{webhook}/deliveries")).Json(HttpStatusCode.OK);
        Assert.Equal(1, listed.GetProperty("total").GetInt32());
        var kept = await Count(app, "SELECT MIN(seq) FROM events");
        Assert.Equal(pending.GetProperty("eventCursor").GetInt64(), kept);
        Assert.Equal(0, await Count(app, $"SELECT COUNT(*) FROM events WHERE seq <> {kept} AND at < '2026-12-01'"));

        // Once delivered, it is kept for the retention from its last attempt, then deleted with its event.
        failing = Guid.NewGuid();
        app.Clock.Advance(TimeSpan.FromHours(1));
        await WebhookTests.WaitForDeliveries(admin, webhook, d => d.Length == 1 && d[0].GetProperty("status").GetString() == "succeeded");
        await Task.Delay(1500);
        Assert.Single((await WebhookTests.Deliveries(admin, webhook)).EnumerateArray());
        app.Clock.Advance(TimeSpan.FromDays(31));
        await WebhookTests.WaitForDeliveries(admin, webhook, d => d.All(x => x.GetProperty("eventCursor").GetInt64() != kept));
        Assert.Equal(0, await Count(app, $"SELECT COUNT(*) FROM events WHERE seq = {kept}"));
    }

    [Fact]
    public async Task ACursorBelowTheDeletedEventsIsGoneWithTheCursorToContinueFromAndThatCursorWorks()
    {
        await using var app = await Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        await admin.CreateUnit(agency);
        await admin.CreateUnit(agency);
        var first = await (await admin.GetAsync("/api/v1/changes?wait=10")).Json(HttpStatusCode.OK);
        var seen = first.GetProperty("events")[0].GetProperty("id").GetGuid();
        while (await Count(app, "SELECT COUNT(*) FROM events") < 2)
        {
            await Task.Delay(25);
        }
        var newest = await Count(app, "SELECT MAX(seq) FROM events");

        app.Clock.Advance(TimeSpan.FromDays(31));
        var fresh = await admin.CreateUnit(agency);
        while (await Count(app, "SELECT purged_through FROM event_retention") < newest)
        {
            await Task.Delay(25);
        }

        var gone = await (await admin.GetAsync("/api/v1/changes?after=0")).Problem(HttpStatusCode.Gone);
        Assert.Equal("after", gone.GetProperty("parameter").GetString());
        Assert.Equal(0, gone.GetProperty("cursor").GetInt64());
        Assert.Equal(newest, gone.GetProperty("oldestCursor").GetInt64());
        Assert.Equal(30, gone.GetProperty("retentionDays").GetInt32());
        Assert.Contains($"after={newest}", gone.GetProperty("detail").GetString());
        var below = await (await admin.GetAsync($"/api/v1/changes?after={newest - 1}&wait=5")).Problem(HttpStatusCode.Gone);
        Assert.Equal(newest - 1, below.GetProperty("cursor").GetInt64());

        // From the cursor it names, the stream goes on with nothing missing; without a cursor it starts with what is kept.
        var resumed = await (await admin.GetAsync($"/api/v1/changes?after={newest}&wait=10")).Json(HttpStatusCode.OK);
        Assert.Equal(fresh, resumed.GetProperty("events")[0].GetProperty("unitId").GetGuid());
        var fromStart = await (await admin.GetAsync("/api/v1/changes")).Json(HttpStatusCode.OK);
        Assert.Equal(fresh, fromStart.GetProperty("events")[0].GetProperty("unitId").GetGuid());
        Assert.DoesNotContain(fromStart.GetProperty("events").EnumerateArray(), e => e.GetProperty("id").GetGuid() == seen);

        // Server-sent events: the same answer before any stream starts, for Last-Event-ID and for after.
        using var resumedStream = await admin.SendAsync(Stream(lastEventId: "1"), HttpCompletionOption.ResponseHeadersRead);
        var streamGone = await resumedStream.Problem(HttpStatusCode.Gone);
        Assert.Equal("Last-Event-ID", streamGone.GetProperty("parameter").GetString());
        Assert.Equal(newest, streamGone.GetProperty("oldestCursor").GetInt64());
        using var afterStream = await admin.SendAsync(Stream($"?after={newest - 1}"), HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("after", (await afterStream.Problem(HttpStatusCode.Gone)).GetProperty("parameter").GetString());
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        using var open = await admin.SendAsync(Stream(lastEventId: newest.ToString()), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal(HttpStatusCode.OK, open.StatusCode);
        Assert.Equal("text/event-stream", open.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await open.Content.ReadAsStreamAsync(timeout.Token));
        string? line;
        while ((line = await reader.ReadLineAsync(timeout.Token)) is not null && !line.StartsWith("data: ", StringComparison.Ordinal))
        {
        }
        Assert.Equal(fresh, JsonDocument.Parse(line![6..]).RootElement.GetProperty("unitId").GetGuid());
    }

    [Fact]
    public async Task EventsWithinTheRetentionAreKept()
    {
        await using var app = await Start();
        var admin = app.Admin();
        await admin.CreateUnit(await admin.CreateAgency());
        while (await Count(app, "SELECT COUNT(*) FROM events") < 1)
        {
            await Task.Delay(25);
        }

        app.Clock.Advance(TimeSpan.FromDays(29));
        await Task.Delay(2500);

        Assert.Equal(1, await Count(app, "SELECT COUNT(*) FROM events WHERE type = 'compliance.changed'"));
        Assert.Equal(0, await Count(app, "SELECT purged_through FROM event_retention"));
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/api/v1/changes?after=0")).StatusCode);
    }

    [Fact]
    public async Task ARetentionOutsideItsRangeStopsTheStartNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings: new() { ["Webhooks:RetentionDays"] = "0" }));

        Assert.Contains("Webhooks:RetentionDays must be between 1 and 3650", error.Message);
    }
}

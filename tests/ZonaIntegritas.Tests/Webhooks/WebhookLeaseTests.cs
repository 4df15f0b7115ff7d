using System.Net;
using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Webhooks;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests.Webhooks;

/// <summary>
/// Several dispatchers and projectors on one database, as several instances run them: leases decide who sends an attempt
/// and who projects, so nothing is sent or projected twice.
/// </summary>
public sealed class WebhookLeaseTests
{
    [Theory]
    [SqliteData]
    [SqlServerData]
    public async Task TwoDispatchersRacingForTheSameDeliveriesSendEachAttemptOnce(string provider)
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TestApp.StartAsync(provider, new() { ["Webhooks:Enabled"] = "false", ["Webhooks:ConcurrentDeliveries"] = "8" });
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        await WebhookTests.Subscribe(admin, receiver.Url, ["compliance.changed"], agency);
        for (var i = 0; i < 40; i++)
        {
            await admin.CreateUnit(agency);
        }
        // Two projectors at once: one takes the lease, and the position moves once.
        var projectors = new[] { app.Services.GetRequiredService<EventProjector>(), ActivatorUtilities.CreateInstance<EventProjector>(app.Services) };
        await Task.WhenAll(projectors.Select(p => p.ProjectOnceAsync(CancellationToken.None)));
        await Task.WhenAll(projectors.Select(p => p.ProjectOnceAsync(CancellationToken.None)));
        await using (var connection = await app.Services.GetRequiredService<DbConnectionFactory>().OpenAsync())
        {
            Assert.Equal(40, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM events"));
            Assert.Equal(40, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM webhook_deliveries"));
        }

        var dispatchers = Enumerable.Range(0, 3).Select(_ => ActivatorUtilities.CreateInstance<WebhookDispatcher>(app.Services)).ToArray();
        var rounds = 0;
        while (receiver.All.Count < 40 && rounds++ < 50)
        {
            await Task.WhenAll(dispatchers.Select(d => Task.Run(() => d.DispatchOnceAsync(CancellationToken.None))));
        }

        Assert.Equal(40, receiver.All.Count);
        Assert.Equal(40, receiver.All.Select(r => r.Id).Distinct().Count());
        var deliveries = (await (await admin.GetAsync($"/api/v1/webhooks/{(await (await admin.GetAsync("/api/v1/webhooks")).Json(HttpStatusCode.OK)).GetProperty("items")[0].Id()}/deliveries?pageSize=100"))
            .Json(HttpStatusCode.OK)).GetProperty("items").EnumerateArray().ToList();
        Assert.All(deliveries, d => Assert.Equal(1, d.GetProperty("attempts").GetInt32()));
    }

    [Fact]
    public async Task OneUnitsEventsReachTheReceiverInOrderEvenWhenAnEarlierOneIsBeingRetried()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await WebhookTests.Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var (webhook, _) = await WebhookTests.Subscribe(admin, receiver.Url, ["assessment.*", "compliance.changed"], agency);
        // The unit's first event (its compliance.changed on creation) fails once.
        var failed = 0;
        receiver.Answer = (_, body) => Task.FromResult(body.Contains("\"compliance.changed\"") && Interlocked.Exchange(ref failed, 1) == 0 ? 500 : 200);
        var unit = await admin.CreateUnit(agency);
        await WebhookTests.WaitForDeliveries(admin, webhook, d => d.Length == 1 && d[0].GetProperty("attempts").GetInt32() == 1);
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        var other = await admin.CreateUnit(agency);

        // The unit's later events wait behind the failed one; the other unit's do not.
        await receiver.WaitFor(r => r.Any(x => x.Json.GetProperty("unitId").GetGuid() == other));
        await Task.Delay(300);
        Assert.Equal(1, failed);
        Assert.DoesNotContain(receiver.All, r => r.Json.GetProperty("unitId").GetGuid() == unit);
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        var received = await receiver.WaitFor(r => r.Count(x => x.Json.GetProperty("unitId").GetGuid() == unit) == 3);
        var ofUnit = received.Where(r => r.Json.GetProperty("unitId").GetGuid() == unit).ToList();
        Assert.Equal(new[] { "compliance.changed", "assessment.created", "compliance.changed" }, ofUnit.Select(r => r.Type));
        Assert.Equal(new[] { "not_declared", "assessing" }, ofUnit.Where(r => r.Type == "compliance.changed").Select(r => r.Json.GetProperty("data").GetProperty("stage").GetString()));
        Assert.Equal(assessment, ofUnit[1].Json.GetProperty("data").GetProperty("assessmentId").GetGuid());
        Assert.Equal(4, (await WebhookTests.Deliveries(admin, webhook)).GetArrayLength());
    }

    [Fact]
    public async Task AUnitsBurstGoesOutInOneRunInOrderAndAFailureInTheMiddleHoldsBackTheRest()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TestApp.StartAsync(Providers.Sqlite, new() { ["Webhooks:Enabled"] = "false" });
        var (admin, webhook) = await SixEventsOfOneUnit(app, receiver);
        var events = (await WebhookTests.Deliveries(admin, webhook)).EnumerateArray().OrderBy(d => d.GetProperty("eventCursor").GetInt64())
            .Select(d => d.GetProperty("eventId").GetGuid().ToString()).ToList();
        Assert.Equal(6, events.Count);
        var dispatcher = ActivatorUtilities.CreateInstance<WebhookDispatcher>(app.Services);
        // The fourth request fails once.
        receiver.Answer = (number, _) => Task.FromResult(number == 4 ? 503 : 200);

        Assert.Equal(4, await dispatcher.DispatchOnceAsync(CancellationToken.None));
        // The fifth and sixth were claimed with the run but not sent; now they wait behind the fourth's backoff.
        Assert.Equal(0, await dispatcher.DispatchOnceAsync(CancellationToken.None));
        var held = (await WebhookTests.Deliveries(admin, webhook)).EnumerateArray().OrderBy(d => d.GetProperty("eventCursor").GetInt64()).ToList();
        Assert.Equal(["succeeded", "succeeded", "succeeded", "pending", "pending", "pending"], held.Select(d => d.GetProperty("status").GetString()));
        Assert.Equal([1, 1, 1, 1, 0, 0], held.Select(d => d.GetProperty("attempts").GetInt32()));

        app.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(3, await dispatcher.DispatchOnceAsync(CancellationToken.None));
        // In write order; the receiver records what it accepted, and the fourth took two attempts.
        Assert.Equal(events, receiver.All.Select(r => r.Id));
        var done = (await WebhookTests.Deliveries(admin, webhook)).EnumerateArray().OrderBy(d => d.GetProperty("eventCursor").GetInt64()).ToList();
        Assert.Equal([1, 1, 1, 2, 1, 1], done.Select(d => d.GetProperty("attempts").GetInt32()));
        Assert.All(done, d => Assert.Equal("succeeded", d.GetProperty("status").GetString()));
    }

    [Fact]
    public async Task ASlowReceiversRunStopsBeforeItsClaimCouldExpireAndHandsBackTheRest()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await TestApp.StartAsync(Providers.Sqlite, new() { ["Webhooks:Enabled"] = "false" });
        var (admin, webhook) = await SixEventsOfOneUnit(app, receiver);
        var dispatcher = ActivatorUtilities.CreateInstance<WebhookDispatcher>(app.Services);
        // Each answer takes 5 s of the app's clock. The claim lasts 2 × 10 s + 10 s; a send may start while a whole
        // timeout and the recording margin still fit in it: at 0, 5, 10 and 15 s, not at 20 s.
        receiver.Answer = (_, _) =>
        {
            app.Clock.Advance(TimeSpan.FromSeconds(5));
            return Task.FromResult(200);
        };

        Assert.Equal(4, await dispatcher.DispatchOnceAsync(CancellationToken.None));
        var handedBack = (await WebhookTests.Deliveries(admin, webhook, "pending")).EnumerateArray().ToList();
        Assert.Equal(2, handedBack.Count);
        Assert.All(handedBack, d => Assert.Equal(0, d.GetProperty("attempts").GetInt32()));
        // Handed back, not left leased: the next round takes them at once.
        Assert.Equal(2, await dispatcher.DispatchOnceAsync(CancellationToken.None));
        Assert.Equal(6, receiver.All.Count);
    }

    /// <summary>One unit's six pacts.recorded events, projected and pending for a webhook to the receiver; no dispatcher runs.</summary>
    private static async Task<(HttpClient Admin, Guid Webhook)> SixEventsOfOneUnit(TestApp app, WebhookReceiver receiver)
    {
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var (webhook, _) = await WebhookTests.Subscribe(admin, receiver.Url, ["pacts.recorded"], agency);
        for (var i = 1; i <= 6; i++)
        {
            (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(i)) } })).EnsureSuccessStatusCode();
        }
        await app.Services.GetRequiredService<EventProjector>().ProjectOnceAsync(CancellationToken.None);
        return (admin, webhook);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests.Webhooks;

/// <summary>Webhooks through HTTP, delivered to a real receiver on loopback.</summary>
public sealed class WebhookTests
{
    internal static Task<TestApp> Start(Dictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?>
        {
            ["Webhooks:PollMilliseconds"] = "25",
            ["Webhooks:AnswersDebounceSeconds"] = "10",
            ["Webhooks:TimeoutSeconds"] = "2",
        };
        foreach (var (key, value) in settings ?? [])
        {
            all[key] = value;
        }
        return TestApp.StartAsync(settings: all);
    }

    internal static async Task<(Guid Id, string Secret)> Subscribe(HttpClient client, string url, string[] events, Guid? agencyId = null)
    {
        var created = await (await client.PostJson("/api/v1/webhooks", new { url, events, agencyId })).Json(HttpStatusCode.Created);
        return (created.GetProperty("webhook").Id(), created.GetProperty("secret").GetString()!);
    }

    internal static async Task<JsonElement> Deliveries(HttpClient client, Guid webhookId, string? status = null) =>
        (await (await client.GetAsync($"/api/v1/webhooks/{webhookId}/deliveries{(status is null ? "" : $"?status={status}")}")).Json(HttpStatusCode.OK)).GetProperty("items");

    /// <summary>Waits (wall clock) until the webhook's deliveries satisfy the predicate, and returns them.</summary>
    internal static async Task<JsonElement> WaitForDeliveries(HttpClient client, Guid webhookId, Func<JsonElement[], bool> done, int seconds = 15)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        JsonElement items = default;
        while (DateTime.UtcNow < deadline)
        {
            items = await Deliveries(client, webhookId);
            if (done(items.EnumerateArray().ToArray()))
            {
                return items;
            }
            await Task.Delay(25);
        }
        Assert.Fail($"The deliveries did not reach the expected state within {seconds} s: {items}");
        return items;
    }

    [Fact]
    public async Task ADeclarationIsDeliveredAsASignedEventPerUnitThatVerifiesWithTheSecret()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var units = new[] { await admin.CreateUnit(agency), await admin.CreateUnit(agency) };
        var (_, secret) = await Subscribe(admin, receiver.Url, ["declaration.*"], agency);

        var declaration = (await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, units))).Json(HttpStatusCode.Created)).Id();

        var received = await receiver.WaitFor(r => r.Count(x => x.Type == "declaration.created") == 2);
        foreach (var request in received)
        {
            Assert.True(WebhookReceiver.SignatureVerifies(request, secret), $"The signature of {request.Body} does not verify.");
            Assert.Equal(request.Id, request.Json.GetProperty("id").GetString());
            Assert.Equal(app.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(), request.Timestamp);
            Assert.Equal(agency, request.Json.GetProperty("agencyId").GetGuid());
            Assert.Equal(declaration, request.Json.GetProperty("data").GetProperty("declarationId").GetGuid());
            Assert.Equal("2026-03-15", request.Json.GetProperty("data").GetProperty("declaredOn").GetString());
            Assert.DoesNotContain("nip", request.Body, StringComparison.OrdinalIgnoreCase);
        }
        Assert.Equal(units.Order(), received.Select(r => r.Json.GetProperty("unitId").GetGuid()).Order());
        Assert.False(WebhookReceiver.SignatureVerifies(received[0] with { Body = received[0].Body.Replace("2026", "2027") }, secret));
        // Only the subscribed family: the units' compliance.changed events were not sent to this webhook.
        Assert.All(received, r => Assert.StartsWith("declaration.", r.Type));
    }

    [Fact]
    public async Task AReceiverAnswering500IsRetriedWithBackoffUntilItAccepts()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = (n, _) => Task.FromResult(n <= 2 ? 500 : 204);
        await using var app = await Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var (webhook, _) = await Subscribe(admin, receiver.Url, ["compliance.changed"], agency);
        var unit = await admin.CreateUnit(agency);

        var first = (await WaitForDeliveries(admin, webhook, d => d.Length == 1 && d[0].GetProperty("attempts").GetInt32() == 1))[0];
        Assert.Equal("pending", first.GetProperty("status").GetString());
        Assert.Equal(500, first.GetProperty("lastStatusCode").GetInt32());
        var wait = first.GetProperty("nextAttemptAt").GetDateTimeOffset() - app.Clock.GetUtcNow();
        Assert.InRange(wait, TimeSpan.FromSeconds(47), TimeSpan.FromSeconds(60));

        // Not before it is due.
        await Task.Delay(300);
        Assert.Equal(1, (await Deliveries(admin, webhook))[0].GetProperty("attempts").GetInt32());
        app.Clock.Advance(TimeSpan.FromMinutes(1));
        var second = (await WaitForDeliveries(admin, webhook, d => d[0].GetProperty("attempts").GetInt32() == 2))[0];
        var secondWait = second.GetProperty("nextAttemptAt").GetDateTimeOffset() - app.Clock.GetUtcNow();
        Assert.True(secondWait > wait, $"The second wait ({secondWait}) is not longer than the first ({wait}).");
        app.Clock.Advance(TimeSpan.FromMinutes(4));

        var done = (await WaitForDeliveries(admin, webhook, d => d[0].GetProperty("status").GetString() == "succeeded"))[0];
        Assert.Equal(3, done.GetProperty("attempts").GetInt32());
        Assert.Equal(204, done.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, done.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(unit, receiver.OfType("compliance.changed").Single().Json.GetProperty("unitId").GetGuid());
    }

    [Fact]
    public async Task AReceiverThatDoesNotAnswerInTimeIsAFailedAttempt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = async (n, _) =>
        {
            if (n == 1)
            {
                await Task.Delay(TimeSpan.FromSeconds(4));
            }
            return 200;
        };
        await using var app = await Start(new() { ["Webhooks:TimeoutSeconds"] = "1" });
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var (webhook, _) = await Subscribe(admin, receiver.Url, ["*"], agency);
        await admin.CreateUnit(agency);

        var failed = (await WaitForDeliveries(admin, webhook, d => d.Length == 1 && d[0].GetProperty("attempts").GetInt32() == 1))[0];
        Assert.Equal("pending", failed.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, failed.GetProperty("lastStatusCode").ValueKind);
        Assert.Contains("No answer within 1 s", failed.GetProperty("lastError").GetString());
        app.Clock.Advance(TimeSpan.FromMinutes(2));
        await WaitForDeliveries(admin, webhook, d => d[0].GetProperty("status").GetString() == "succeeded");
    }

    [Fact]
    public async Task AfterTheLastAttemptTheDeliveryIsDeadAndRedeliveryOnRequestSendsItAgain()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var healthy = false;
        receiver.Answer = (_, _) => Task.FromResult(healthy ? 200 : 503);
        await using var app = await Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var (webhook, _) = await Subscribe(admin, receiver.Url, ["compliance.changed"], agency);
        await admin.CreateUnit(agency);

        for (var attempt = 1; attempt < 8; attempt++)
        {
            await WaitForDeliveries(admin, webhook, d => d.Length == 1 && d[0].GetProperty("attempts").GetInt32() == attempt);
            app.Clock.Advance(TimeSpan.FromHours(24));
        }
        var dead = (await WaitForDeliveries(admin, webhook, d => d[0].GetProperty("status").GetString() == "dead"))[0];
        Assert.Equal(8, dead.GetProperty("attempts").GetInt32());
        Assert.Equal(503, dead.GetProperty("lastStatusCode").GetInt32());
        Assert.Equal(JsonValueKind.Null, dead.GetProperty("nextAttemptAt").ValueKind);
        Assert.Equal(1, (await Deliveries(admin, webhook, "dead")).GetArrayLength());
        Assert.Empty(receiver.All);

        healthy = true;
        var redelivered = await (await admin.PostAsync($"/api/v1/webhooks/{webhook}/deliveries/{dead.Id()}/redeliver", null)).Json(HttpStatusCode.OK);
        Assert.Equal("pending", redelivered.GetProperty("status").GetString());
        Assert.Equal(0, redelivered.GetProperty("attempts").GetInt32());
        await WaitForDeliveries(admin, webhook, d => d[0].GetProperty("status").GetString() == "succeeded");
        Assert.Equal(dead.GetProperty("eventId").GetGuid().ToString(), receiver.All.Single().Id);
        (await admin.PostAsync($"/api/v1/webhooks/{webhook}/deliveries/{Guid.NewGuid()}/redeliver", null)).EnsureStatus(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AnAgencysWebhookNeverReceivesAnotherAgencysEventsAndANationalOneReceivesBoth()
    {
        await using var ours = await WebhookReceiver.StartAsync();
        await using var national = await WebhookReceiver.StartAsync();
        await using var app = await Start();
        var admin = app.Admin();
        var agencyA = await admin.CreateAgency();
        var agencyB = await admin.CreateAgency();
        var inspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyA));
        // The inspectorate's subscription is its agency's, whether it names the agency or not.
        var (mine, _) = await Subscribe(inspectorate, ours.Url, ["*"]);
        Assert.Equal(agencyA, (await (await inspectorate.GetAsync($"/api/v1/webhooks/{mine}")).Json(HttpStatusCode.OK)).GetProperty("agencyId").GetGuid());
        await Subscribe(admin, national.Url, ["compliance.changed"]);
        var refused = await (await inspectorate.PostJson("/api/v1/webhooks", new { url = ours.Url, events = new[] { "*" }, agencyId = agencyB })).Problem(HttpStatusCode.BadRequest);
        Assert.NotEmpty(refused.Errors("agencyId"));

        var foreignUnit = await admin.CreateUnit(agencyB);
        var ownUnit = await admin.CreateUnit(agencyA);

        await ours.WaitFor(r => r.Any(x => x.Json.GetProperty("unitId").GetGuid() == ownUnit));
        await national.WaitFor(r => r.Count == 2);
        await Task.Delay(300);
        Assert.All(ours.All, r => Assert.Equal(agencyA, r.Json.GetProperty("agencyId").GetGuid()));
        Assert.DoesNotContain(ours.All, r => r.Body.Contains(foreignUnit.ToString(), StringComparison.OrdinalIgnoreCase));
        Assert.Equal(new[] { agencyA, agencyB }.Order(), national.All.Select(r => r.Json.GetProperty("agencyId").GetGuid()).Order());
        // Another agency's webhook is not there for this inspectorate.
        var theirs = (await Subscribe(admin, national.Url, ["*"], agencyB)).Id;
        (await inspectorate.GetAsync($"/api/v1/webhooks/{theirs}")).EnsureStatus(HttpStatusCode.NotFound);
        (await inspectorate.GetAsync($"/api/v1/webhooks/{theirs}/deliveries")).EnsureStatus(HttpStatusCode.NotFound);
        Assert.DoesNotContain(theirs.ToString(), await (await inspectorate.GetAsync("/api/v1/webhooks")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WritesThatRolledBackSendNothing()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        await Subscribe(admin, receiver.Url, ["declaration.created", "pacts.recorded"], agency);

        // 30 identical declarations at once: the unique index lets one commit and rolls the others back.
        var body = Fixtures.DeclarationBody(agency, [unit]);
        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => app.Admin().PostJson("/api/v1/declarations", body)));
        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        // A pact batch refused as a whole (one bad NIP) commits nothing either.
        (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(1)), Fixtures.Pact("123") } }))
            .EnsureStatus(HttpStatusCode.BadRequest);
        (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(2)) } })).EnsureSuccessStatusCode();

        await receiver.WaitFor(r => r.Any(x => x.Type == "pacts.recorded"));
        await Task.Delay(300);
        Assert.Single(receiver.OfType("declaration.created"));
        var pacts = receiver.OfType("pacts.recorded").Single();
        Assert.Equal(1, pacts.Json.GetProperty("data").GetProperty("recorded").GetInt32());
    }

    [Fact]
    public async Task AnswerChangesAreAnnouncedOnceWhenTheLayerHasBeenQuiet()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        await Subscribe(admin, receiver.Url, ["answers.changed", "assessment.created"], agency);
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        foreach (var item in Scoring.Worksheets.Scored(Scoring.Worksheets.Lke).Where(i => i.AnswerType == "YA_TIDAK").Take(3).Select(i => i.Code))
        {
            (await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self/{item}", new { value = "Ya" })).EnsureSuccessStatusCode();
        }
        (await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/tpi/{Scoring.Worksheets.Scored(Scoring.Worksheets.Lke).First(i => i.AnswerType == "YA_TIDAK").Code}", new { value = "Ya" })).EnsureSuccessStatusCode();

        await receiver.WaitFor(r => r.Any(x => x.Type == "assessment.created"));
        await Task.Delay(500);
        Assert.Empty(receiver.OfType("answers.changed"));
        app.Clock.Advance(TimeSpan.FromSeconds(11));

        await receiver.WaitFor(r => r.Count(x => x.Type == "answers.changed") == 2);
        var byLayer = receiver.OfType("answers.changed").ToDictionary(r => r.Json.GetProperty("data").GetProperty("layer").GetString()!, r => r.Json.GetProperty("data"));
        Assert.Equal(3, byLayer["self"].GetProperty("changes").GetInt32());
        Assert.Equal(1, byLayer["tpi"].GetProperty("changes").GetInt32());
        Assert.Equal(assessment, byLayer["self"].GetProperty("assessmentId").GetGuid());
        app.Clock.Advance(TimeSpan.FromSeconds(11));
        await Task.Delay(300);
        Assert.Equal(2, receiver.OfType("answers.changed").Count);
    }

    [Fact]
    public async Task WorkflowStepsAreAnnouncedWithTheirNewStatus()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await Start();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        await Subscribe(admin, receiver.Url, ["assessment.*"], agency);
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        var answers = Scoring.Worksheets.Top(Scoring.Worksheets.Lke).Select(a => new { itemCode = a.Key, value = a.Value }).ToArray();
        (await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self", new { answers })).EnsureSuccessStatusCode();
        (await admin.PostJson($"/api/v1/assessments/{assessment}/submit", new { note = "siap" })).EnsureSuccessStatusCode();
        (await admin.PostJson($"/api/v1/assessments/{assessment}/return", new { note = "lengkapi" })).EnsureSuccessStatusCode();

        var received = await receiver.WaitFor(r => r.Count == 3);
        Assert.Equal(new[] { "assessment.created", "assessment.submitted", "assessment.returned" }, received.Select(r => r.Type));
        var returned = received[2].Json.GetProperty("data");
        Assert.Equal("returned", returned.GetProperty("status").GetString());
        Assert.Equal("self_submitted", returned.GetProperty("previousStatus").GetString());
    }

    [Fact]
    public async Task TheTestSendReportsWhatTheReceiverAnswered()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var app = await Start();
        var admin = app.Admin();
        var (webhook, secret) = await Subscribe(admin, receiver.Url, ["*"]);
        var result = await (await admin.PostAsync($"/api/v1/webhooks/{webhook}/test", null)).Json(HttpStatusCode.OK);
        Assert.True(result.GetProperty("delivered").GetBoolean());
        Assert.Equal(200, result.GetProperty("statusCode").GetInt32());
        var sent = receiver.All.Single();
        Assert.Equal("webhook.test", sent.Type);
        Assert.True(WebhookReceiver.SignatureVerifies(sent, secret));

        receiver.Answer = (_, _) => Task.FromResult(410);
        var gone = await (await admin.PostAsync($"/api/v1/webhooks/{webhook}/test", null)).Json(HttpStatusCode.OK);
        Assert.False(gone.GetProperty("delivered").GetBoolean());
        Assert.Equal(410, gone.GetProperty("statusCode").GetInt32());

        (await admin.DeleteAsync($"/api/v1/webhooks/{webhook}")).EnsureStatus(HttpStatusCode.NoContent);
        (await admin.PostAsync($"/api/v1/webhooks/{webhook}/test", null)).EnsureStatus(HttpStatusCode.NotFound);
    }
}

using System.Net;
using System.Net.Http.Json;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class SecurityTests
{
    [Fact]
    public async Task AKeyOverItsRequestLimitGets429WithRetryAfterWhileOtherKeysGoOn()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["RateLimits:RequestsPerKey"] = "5" });
        var admin = app.Admin();
        var readerKey = await admin.CreateKey("reader");
        var reader = app.ClientWithKey(readerKey);
        for (var i = 0; i < 5; i++)
        {
            (await reader.GetAsync("/api/v1/agencies")).EnsureSuccessStatusCode();
        }

        var refused = await reader.GetAsync("/api/v1/agencies");

        var problem = await refused.Problem(HttpStatusCode.TooManyRequests);
        Assert.Contains("Retry after", problem.GetProperty("detail").GetString());
        Assert.True(int.Parse(refused.Headers.GetValues("Retry-After").Single()) is > 0 and <= 60);
        var other = app.ClientWithKey(await admin.CreateKey("reader"));
        (await other.GetAsync("/api/v1/agencies")).EnsureSuccessStatusCode();
    }

    [Fact]
    public async Task UploadsHaveATighterLimitOfTheirOwn()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["RateLimits:UploadsPerKey"] = "2" });
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        var url = $"/api/v1/assessments/{assessment}/items/MP.P.1.a/evidence";
        for (var i = 0; i < 2; i++)
        {
            await (await admin.PostAsJsonAsync(url, new { url = $"https://drive.example.go.id/{i}.pdf", title = "SK" })).Json(HttpStatusCode.Created);
        }

        var problem = await (await admin.PostAsJsonAsync(url, new { url = "https://drive.example.go.id/3.pdf", title = "SK" })).Problem(HttpStatusCode.TooManyRequests);

        Assert.Contains("Too many requests", problem.GetProperty("detail").GetString());
        // Other requests of the same key are not uploads and go on.
        (await admin.GetAsync($"/api/v1/assessments/{assessment}")).EnsureSuccessStatusCode();
        var evidence = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence")).Json(HttpStatusCode.OK);
        Assert.Equal(2, evidence.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task RepeatedFailedAuthenticationFromOneAddressGets429AndOneAuditEntry()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["RateLimits:FailedAuthenticationsPerIp"] = "3" });
        var admin = app.Admin();
        (await admin.GetAsync("/api/v1/agencies")).EnsureSuccessStatusCode();
        var guesser = app.ClientWithKey("zi_guess_0000000000000000000000000000000000000");
        for (var i = 0; i < 3; i++)
        {
            await (await guesser.GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);
        }

        var refused = await guesser.GetAsync("/api/v1/agencies");
        await (await guesser.GetAsync("/api/v1/units")).Problem(HttpStatusCode.TooManyRequests);

        await refused.Problem(HttpStatusCode.TooManyRequests);
        Assert.True(refused.Headers.Contains("Retry-After"));
        // A key already in use from the same address still works: an office behind one NAT is not locked out.
        var trail = await (await admin.GetAsync("/api/v1/audit?entityType=client")).Json(HttpStatusCode.OK);
        var burst = Assert.Single(trail.GetProperty("items").EnumerateArray());
        Assert.Equal("authentication.failure_burst", burst.GetProperty("action").GetString());
    }

    [Fact]
    public async Task EveryResponseCarriesSecurityHeadersAndApiAnswersAreNotStored()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();

        var json = await admin.GetAsync("/api/v1/agencies");
        var swagger = await app.CreateClient().GetAsync("/swagger/index.html");
        var anonymous = await app.CreateClient().GetAsync("/api/v1/agencies");

        foreach (var response in new[] { json, swagger, anonymous })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        }
        Assert.True(json.Headers.CacheControl?.NoStore);
        Assert.True(anonymous.Headers.CacheControl?.NoStore);
        var csp = swagger.Headers.GetValues("Content-Security-Policy").Single();
        Assert.Contains("default-src 'none'", csp);
        Assert.Contains("script-src 'self'", csp);
        Assert.DoesNotContain("unsafe-eval", csp);
        Assert.Equal("default-src 'none'; frame-ancestors 'none'", json.Headers.GetValues("Content-Security-Policy").Single());
    }

    [Fact]
    public async Task CorsAnswersOnlyTheConfiguredOrigins()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["Cors:AllowedOrigins:0"] = "https://zi.inspektorat.go.id" });

        async Task<HttpResponseMessage> Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/agencies");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "GET");
            request.Headers.Add("Access-Control-Request-Headers", "X-Api-Key");
            return await app.CreateClient().SendAsync(request);
        }

        var allowed = await Preflight("https://zi.inspektorat.go.id");
        var other = await Preflight("https://evil.example.com");

        Assert.Equal("https://zi.inspektorat.go.id", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task WithoutConfiguredOriginsNoCrossOriginRequestIsAllowed()
    {
        await using var app = await TestApp.StartAsync();
        var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/agencies");
        request.Headers.Add("Origin", "https://zi.inspektorat.go.id");
        request.Headers.Add("X-Api-Key", TestApp.AdminKey);

        var response = await app.CreateClient().SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task KeyMaterialNeverReachesTheLogsAtAnyLevel()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var created = await (await admin.PostJson("/api/v1/api-keys", new { name = "mobile app", role = "evaluator" })).Json(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        var evaluator = app.ClientWithKey(key);
        (await evaluator.GetAsync("/api/v1/agencies")).EnsureSuccessStatusCode();
        (await admin.DeleteAsync($"/api/v1/api-keys/{created.GetProperty("apiKey").Id()}")).EnsureSuccessStatusCode();
        await (await evaluator.GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);
        const string wrong = "zi_wrong_key_that_someone_typed_by_hand_0000000";
        await (await app.ClientWithKey(wrong).GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);

        var logs = app.Logs.Text;

        Assert.NotEmpty(logs);
        foreach (var secret in new[] { key, TestApp.AdminKey, wrong })
        {
            // The secret part of a key: everything after its displayed prefix.
            Assert.DoesNotContain(secret[12..], logs);
        }
    }

    [Fact]
    public async Task ARevokedKeyIsRefusedOnTheVeryNextRequestEvenThoughKeysAreCached()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var created = await (await admin.PostJson("/api/v1/api-keys", new { name = "dashboard", role = "reader" })).Json(HttpStatusCode.Created);
        var reader = app.ClientWithKey(created.GetProperty("key").GetString());
        for (var i = 0; i < 3; i++)
        {
            (await reader.GetAsync("/api/v1/agencies")).EnsureSuccessStatusCode();
        }

        (await admin.DeleteAsync($"/api/v1/api-keys/{created.GetProperty("apiKey").Id()}")).EnsureSuccessStatusCode();

        var problem = await (await reader.GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);
        Assert.Equal("The API key is not valid.", problem.GetProperty("detail").GetString());
        var audit = await (await admin.GetAsync($"/api/v1/audit?apiKeyId={created.GetProperty("apiKey").Id()}")).Json(HttpStatusCode.OK);
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "authentication.refused"
            && e.GetProperty("changes").ToString().Contains("revoked"));
    }

    [Fact]
    public async Task AnExpiredKeyIsRefusedOnceTheClockPassesItsExpiry()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var key = await admin.CreateKey("reader", expiresAt: app.Clock.GetUtcNow().AddHours(1));
        var reader = app.ClientWithKey(key);
        (await reader.GetAsync("/api/v1/agencies")).EnsureSuccessStatusCode();

        app.Clock.Advance(TimeSpan.FromHours(2));

        var problem = await (await reader.GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);
        // The answer is the one every refused key gets; the audit trail says it was an expired key.
        Assert.Equal("The API key is not valid.", problem.GetProperty("detail").GetString());
        var audit = await (await admin.GetAsync("/api/v1/audit?entityType=client")).Json(HttpStatusCode.OK);
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "authentication.refused"
            && e.GetProperty("changes").ToString().Contains("expired"));
    }
}

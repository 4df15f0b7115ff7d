using System.Net;
using Microsoft.Data.Sqlite;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class ApiKeyTests
{
    [Fact]
    public async Task ARequestWithoutAKeyGets401ProblemDetails()
    {
        await using var app = await TestApp.StartAsync();

        var problem = await (await app.ClientWithKey(null).GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);

        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnUnknownKeyGets401()
    {
        await using var app = await TestApp.StartAsync();

        var problem = await (await app.ClientWithKey("zi_not_a_real_key_but_long_enough_to_look_real").GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);

        Assert.Equal("The API key is not valid.", problem.GetProperty("detail").GetString());
    }

    [Theory, SqliteData, SqlServerData]
    public async Task ANewKeyIsShownOnceWorksAndIsRefusedFromTheRequestAfterItsRevocation(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();

        var created = await (await admin.PostJson("/api/v1/api-keys", new { name = "Dashboard", role = "reader", agencyId = agency })).Json(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        var id = created.GetProperty("apiKey").Id();
        var reader = app.ClientWithKey(key);
        await (await reader.GetAsync($"/api/v1/agencies/{agency}")).Json(HttpStatusCode.OK);

        var list = await (await admin.GetAsync("/api/v1/api-keys")).Json(HttpStatusCode.OK);
        await (await admin.DeleteAsync($"/api/v1/api-keys/{id}")).Json(HttpStatusCode.NoContent);
        var refused = await (await reader.GetAsync($"/api/v1/agencies/{agency}")).Problem(HttpStatusCode.Unauthorized);

        Assert.True(key.Length >= 43);
        Assert.DoesNotContain(key, list.ToString());
        Assert.Contains(list.GetProperty("items").EnumerateArray(), k => k.Id() == id && k.GetProperty("keyPrefix").GetString() == key[..10]);
        // Revoked, expired and unknown keys get one answer; the audit trail keeps which it was.
        Assert.Equal("The API key is not valid.", refused.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task KeysAreStoredOnlyAsSha256Hashes()
    {
        await using var app = await TestApp.StartAsync();
        var key = await app.Admin().CreateKey("evaluator");

        await using var connection = new SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT key_hash FROM api_keys WHERE role = 'evaluator'";
        var stored = (byte[])(await command.ExecuteScalarAsync())!;

        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)), stored);
    }

    [Fact]
    public async Task AnExpiredKeyIsRefused()
    {
        await using var app = await TestApp.StartAsync();
        var key = await app.Admin().CreateKey("evaluator", expiresAt: app.Clock.GetUtcNow().AddHours(1));
        var evaluator = app.ClientWithKey(key);
        await (await evaluator.GetAsync("/api/v1/agencies")).Json(HttpStatusCode.OK);

        app.Clock.Advance(TimeSpan.FromHours(2));
        var problem = await (await evaluator.GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);

        Assert.Equal("The API key is not valid.", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task KeyScopesMustFitTheirRole()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();

        var inspectorate = await (await admin.PostJson("/api/v1/api-keys", new { name = "Itjen", role = "inspectorate" })).Problem(HttpStatusCode.BadRequest);
        var unit = await (await admin.PostJson("/api/v1/api-keys", new { name = "PIC", role = "unit", agencyId = agency })).Problem(HttpStatusCode.BadRequest);
        var role = await (await admin.PostJson("/api/v1/api-keys", new { name = "X", role = "superuser" })).Problem(HttpStatusCode.BadRequest);
        var missing = await (await admin.PostJson("/api/v1/api-keys", new { name = "X", role = "inspectorate", agencyId = Guid.NewGuid() })).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("agencyId is required", inspectorate.Errors("agencyId")[0]);
        Assert.Contains("unitId is required", unit.Errors("unitId")[0]);
        Assert.Contains("role must be one of", role.Errors("role")[0]);
        Assert.Contains("does not exist", missing.Errors("agencyId")[0]);
    }

    [Fact]
    public async Task TheLastAdminKeyCannotBeRevoked()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var keys = await (await admin.GetAsync("/api/v1/api-keys")).Json(HttpStatusCode.OK);
        var bootstrap = keys.GetProperty("items")[0].Id();

        var problem = await (await admin.DeleteAsync($"/api/v1/api-keys/{bootstrap}")).Problem(HttpStatusCode.Conflict);

        Assert.Contains("last active admin key", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task OnlyAdminsManageKeys()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var inspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: await admin.CreateAgency()));

        var problem = await (await inspectorate.PostJson("/api/v1/api-keys", new { name = "mine", role = "admin" })).Problem(HttpStatusCode.Forbidden);

        Assert.Contains("'inspectorate'", problem.GetProperty("detail").GetString());
        await (await inspectorate.GetAsync("/api/v1/api-keys")).Problem(HttpStatusCode.Forbidden);
    }
}

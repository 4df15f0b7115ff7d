using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class AuditTests
{
    private static async Task<JsonElement[]> Entries(HttpClient client, string query = "")
    {
        var page = await (await client.GetAsync($"/api/v1/audit?pageSize=200{query}")).Json(HttpStatusCode.OK);
        return page.GetProperty("items").EnumerateArray().ToArray();
    }

    [Fact]
    public async Task EveryKindOfWriteLeavesAnEntryNamingWhoDidWhatToWhich()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency, employeeCount: 10);
        (await admin.PutAsJsonAsync($"/api/v1/units/{unit}", new
        {
            code = "BIRO-UMUM", name = "Biro Umum dan Keuangan", kind = "biro", providesPublicService = true, employeeCount = 12,
        })).EnsureSuccessStatusCode();
        await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit]))).Json(HttpStatusCode.Created);
        await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(5)))).Json(HttpStatusCode.Created);
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        (await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self/MP.P.1.a", new { value = "Ya" })).EnsureSuccessStatusCode();

        var entries = await Entries(admin);

        var actions = entries.Select(e => e.GetProperty("action").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "agency.created", "unit.created", "unit.updated", "declaration.created", "integrity_pacts.recorded",
            "assessment.created", "answers.written", "api_key.bootstrapped" }, actions);
        var update = entries.Single(e => e.GetProperty("action").GetString() == "unit.updated");
        Assert.Equal("unit", update.GetProperty("entityType").GetString());
        Assert.Equal(unit.ToString(), update.GetProperty("entityId").GetString());
        Assert.Equal("admin", update.GetProperty("role").GetString());
        Assert.Equal(agency, update.GetProperty("agencyId").GetGuid());
        Assert.False(string.IsNullOrEmpty(update.GetProperty("requestId").GetString()));
        var changes = update.GetProperty("changes");
        Assert.Equal(10, changes.GetProperty("employeeCount").GetProperty("before").GetInt32());
        Assert.Equal(12, changes.GetProperty("employeeCount").GetProperty("after").GetInt32());
        Assert.Equal("BIRO-UMUM", changes.GetProperty("code").GetProperty("after").GetString());
        // Unchanged fields are left out of the summary.
        Assert.False(changes.TryGetProperty("kind", out _));
        var answers = entries.Single(e => e.GetProperty("action").GetString() == "answers.written");
        Assert.Contains("\"MP.P.1.a\":{\"before\":null,\"after\":\"Ya\"}", answers.GetProperty("changes").GetRawText());
        // Newest first.
        var ids = entries.Select(e => e.GetProperty("id").GetInt64()).ToList();
        Assert.Equal(ids.OrderDescending(), ids);
    }

    [Fact]
    public async Task ARefusedWriteLeavesNoEntry()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit]))).Json(HttpStatusCode.Created);
        var before = (await Entries(admin)).Length;

        await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit]))).Problem(HttpStatusCode.Conflict);
        await (await admin.PostJson("/api/v1/units", new { agencyId = agency, code = "", name = "x", kind = "biro", providesPublicService = true, employeeCount = 1 }))
            .Problem(HttpStatusCode.BadRequest);
        await (await admin.PostJson("/api/v1/agencies", new { code = (string?)null })).Problem(HttpStatusCode.BadRequest);

        Assert.Equal(before, (await Entries(admin)).Length);
    }

    [Fact]
    public async Task KeyCreationAndRevocationAreAuditedWithoutTheKey()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var created = await (await admin.PostJson("/api/v1/api-keys", new { name = "evaluator", role = "evaluator" })).Json(HttpStatusCode.Created);
        var key = created.GetProperty("key").GetString()!;
        (await admin.DeleteAsync($"/api/v1/api-keys/{created.GetProperty("apiKey").Id()}")).EnsureSuccessStatusCode();

        var csv = await (await app.Admin().SendAsync(new HttpRequestMessage(HttpMethod.Get, "/api/v1/audit?entityType=api_key")
        {
            Headers = { { "Accept", "text/csv" } },
        })).Content.ReadAsStringAsync();

        Assert.Contains("api_key.created", csv);
        Assert.Contains("api_key.revoked", csv);
        Assert.DoesNotContain(key, csv);
        Assert.DoesNotContain(key[12..], csv);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("id,at,apiKeyId,role,action,entityType,entityId", lines[0]);
        Assert.Equal(4, lines.Length); // header, bootstrap, created, revoked
    }

    [Fact]
    public async Task AnInspectorateSeesTheTrailOfItsOwnAgencyOnlyAndOtherRolesNone()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var mine = await admin.CreateAgency();
        var other = await admin.CreateAgency();
        var myUnit = await admin.CreateUnit(mine);
        var otherUnit = await admin.CreateUnit(other);
        var inspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: mine));
        var unitKey = app.ClientWithKey(await admin.CreateKey("unit", unitId: myUnit));
        var evaluator = app.ClientWithKey(await admin.CreateKey("evaluator"));

        var seen = await Entries(inspectorate);

        Assert.NotEmpty(seen);
        Assert.All(seen, e => Assert.Equal(mine, e.GetProperty("agencyId").GetGuid()));
        Assert.Contains(seen, e => e.GetProperty("entityId").GetString() == myUnit.ToString());
        Assert.DoesNotContain(seen, e => e.GetProperty("entityId").GetString() == otherUnit.ToString());
        await (await unitKey.GetAsync("/api/v1/audit")).Problem(HttpStatusCode.Forbidden);
        await (await evaluator.GetAsync("/api/v1/audit")).Problem(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task FiltersNarrowTheTrailAndBadFiltersAreNamed()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        await admin.CreateUnit(agency);

        var byEntity = await Entries(admin, $"&entityType=unit&entityId={unit}");
        var future = await Entries(admin, "&from=2030-01-01T00:00:00Z");

        Assert.Single(byEntity);
        Assert.Empty(future);
        var problem = await (await admin.GetAsync("/api/v1/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z")).Problem(HttpStatusCode.BadRequest);
        Assert.NotEmpty(problem.Errors("to"));
        var badDate = await (await admin.GetAsync("/api/v1/audit?from=yesterday")).Problem(HttpStatusCode.BadRequest);
        Assert.Contains("from", badDate.GetProperty("detail").GetString() + badDate.ToString());
    }

    [Fact]
    public async Task TheDatabaseRefusesToUpdateOrDeleteAuditEntries()
    {
        await using var app = await TestApp.StartAsync();
        await app.Admin().CreateAgency();
        await using var connection = new SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();

        foreach (var sql in new[] { "UPDATE audit_entries SET action = 'nothing'", "DELETE FROM audit_entries" })
        {
            await using var command = connection.CreateCommand();
            command.CommandText = sql;
            var refused = await Assert.ThrowsAsync<SqliteException>(() => command.ExecuteNonQueryAsync());
            Assert.Contains("append-only", refused.Message);
        }
    }
}

using System.Net;
using Microsoft.Extensions.DependencyInjection;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class ComplianceTests
{
    [Theory, SqliteData, SqlServerData]
    public async Task AnUndeclaredUnitWithoutPactsIsNotCompliant(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency(), employeeCount: 40);

        var compliance = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).As<UnitComplianceResource>(HttpStatusCode.OK);

        Assert.False(compliance.Declared);
        Assert.Null(compliance.Declaration);
        Assert.Equal(2026, compliance.Year);
        Assert.Equal(new PactCoverageResource(SignedEmployees: 0, EmployeeCount: 40, Coverage: 0m, HeadSigned: false), compliance.Pacts);
    }

    [Theory, SqliteData, SqlServerData]
    public async Task ADeclaredUnitReportsItsDeclarationCoverageAndWhetherItsHeadSigned(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency, employeeCount: 3);
        var declaration = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit], nipSeed: 100))).Json(HttpStatusCode.Created);
        await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(1)), Fixtures.Pact(Fixtures.Nip(1), occasion: "mutasi") } });

        var before = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).As<UnitComplianceResource>(HttpStatusCode.OK);
        await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(100), occasion: "pencanangan", signedOn: "2026-03-15", role: "pimpinan"));
        var after = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).As<UnitComplianceResource>(HttpStatusCode.OK);
        var lastYear = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance?year=2025")).As<UnitComplianceResource>(HttpStatusCode.OK);

        Assert.True(before.Declared);
        Assert.Equal(new DeclarationSummaryResource(declaration.Id(), new DateOnly(2026, 3, 15)), before.Declaration);
        Assert.Equal(new PactCoverageResource(SignedEmployees: 1, EmployeeCount: 3, Coverage: 0.3333m, HeadSigned: false), before.Pacts);
        Assert.Equal(0.6667m, after.Pacts.Coverage);
        Assert.True(after.Pacts.HeadSigned);
        Assert.Equal(0, lastYear.Pacts.SignedEmployees);
    }

    [Fact]
    public async Task CoverageNeverExceedsOne()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency(), employeeCount: 1);
        await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(1)), Fixtures.Pact(Fixtures.Nip(2)) } });

        var compliance = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);

        Assert.Equal(1m, compliance.GetProperty("pacts").GetProperty("coverage").GetDecimal());
    }

    [Fact]
    public async Task AReaderOfAnotherAgencyCannotSeeTheUnit()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var reader = app.ClientWithKey(await admin.CreateKey("reader", agencyId: await admin.CreateAgency()));

        var problem = await (await reader.GetAsync($"/api/v1/units/{unit}/compliance")).Problem(HttpStatusCode.NotFound);

        Assert.Contains(unit.ToString(), problem.GetProperty("detail").GetString());
    }
}

public sealed class ComplianceCacheTests
{
    private static async Task<decimal> CoverageInList(HttpClient client, Guid agency, Guid unit)
    {
        var page = await (await client.GetAsync($"/api/v1/compliance?agencyId={agency}")).As<PageOf<UnitComplianceResource>>(HttpStatusCode.OK);
        return page.Items.Single(d => d.UnitId == unit).Pacts.Coverage;
    }

    [Fact]
    public async Task CachedDocumentsAndPagesFollowEveryWriteToTheirUnitOrAgency()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var reader = app.ClientWithKey(await admin.CreateKey("reader"));
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency, employeeCount: 4);
        var other = await admin.CreateUnit(agency, employeeCount: 4);
        var etag = (await reader.GetAsync($"/api/v1/units/{unit}/compliance")).Headers.ETag;
        Assert.Equal(0m, await CoverageInList(reader, agency, unit));

        // A pact for the unit: its document and the agency's page change, for every key.
        await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(1)))).Json(HttpStatusCode.Created);

        var after = await reader.GetAsync($"/api/v1/units/{unit}/compliance");
        Assert.NotEqual(etag, after.Headers.ETag);
        Assert.Equal(0.25m, (await after.Json(HttpStatusCode.OK)).GetProperty("pacts").GetProperty("coverage").GetDecimal());
        Assert.Equal(0.25m, await CoverageInList(reader, agency, unit));

        // A declaration names the agency, not each unit: every unit of the agency and its summary are rebuilt.
        Assert.Equal("not_declared", (await (await reader.GetAsync($"/api/v1/units/{other}/compliance")).Json(HttpStatusCode.OK)).GetProperty("stage").GetString());
        var summary = $"/api/v1/agencies/{agency}/compliance-summary";
        Assert.Equal(0, (await (await reader.GetAsync(summary)).Json(HttpStatusCode.OK)).GetProperty("declared").GetInt32());
        await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [other]))).Json(HttpStatusCode.Created);
        Assert.Equal("declared", (await (await reader.GetAsync($"/api/v1/units/{other}/compliance")).Json(HttpStatusCode.OK)).GetProperty("stage").GetString());
        Assert.Equal(1, (await (await reader.GetAsync(summary)).Json(HttpStatusCode.OK)).GetProperty("declared").GetInt32());
    }

    [Fact]
    public async Task TheDateIsPartOfWhatACachedDocumentDependsOn()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        app.Clock.Set(new DateTimeOffset(2026, 5, 30, 3, 0, 0, TimeSpan.Zero));
        await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created);
        var before = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);

        app.Clock.Set(new DateTimeOffset(2026, 6, 1, 3, 0, 0, TimeSpan.Zero)); // past the 31 May proposal deadline, no write in between

        var after = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);
        Assert.DoesNotContain("deadline_passed", before.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("deadline_passed", after.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task AWriteByAnotherInstanceReachesTheCacheThroughTheAuditTrail()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["Cache:ChangeFeedSeconds"] = "60" });
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency, employeeCount: 2);
        Assert.Equal(0, (await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK)).GetProperty("pacts").GetProperty("signedEmployees").GetInt32());

        // Another instance records a pact: the row, its audit entry and the stale mark on the stored document (what
        // AuditTrail writes), in one transaction, on the shared database.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(app.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                BEGIN;
                INSERT INTO integrity_pacts (id, unit_id, nip, name, position, role, occasion, signed_on, signed_year, document_url, created_at, created_by)
                VALUES ($pact, $unit, '198501012010011001', 'Pegawai', 'Analis', 'pegawai', 'tahunan', '2026-01-10', 2026, NULL, '2026-11-22T03:00:00.0000000+00:00', $pact);
                INSERT INTO audit_entries (at, action, entity_type, entity_id, agency_id, unit_id)
                VALUES ('2026-11-22T03:00:00.0000000+00:00', 'integrity_pacts.recorded', 'unit', $unit, $agency, $unit);
                UPDATE compliance_documents SET version = version + 1, valid_until = NULL, marked_on = '2026-11-22' WHERE unit_id = $unit;
                COMMIT;
                """;
            command.Parameters.AddWithValue("$pact", Guid.NewGuid().ToString());
            command.Parameters.AddWithValue("$unit", unit.ToString());
            command.Parameters.AddWithValue("$agency", agency.ToString());
            await command.ExecuteNonQueryAsync();
        }
        var stale = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);

        await app.ReadChangeFeedAsync();

        var fresh = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);
        Assert.Equal(0, stale.GetProperty("pacts").GetProperty("signedEmployees").GetInt32()); // served from memory until the feed is read
        Assert.Equal(1, fresh.GetProperty("pacts").GetProperty("signedEmployees").GetInt32());
    }
}

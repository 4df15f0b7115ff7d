using System.Net;
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

        var compliance = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);

        Assert.False(compliance.GetProperty("declared").GetBoolean());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, compliance.GetProperty("declaration").ValueKind);
        Assert.Equal(2026, compliance.GetProperty("year").GetInt32());
        var pacts = compliance.GetProperty("pacts");
        Assert.Equal(0, pacts.GetProperty("signedEmployees").GetInt32());
        Assert.Equal(40, pacts.GetProperty("employeeCount").GetInt32());
        Assert.Equal(0m, pacts.GetProperty("coverage").GetDecimal());
        Assert.False(pacts.GetProperty("headSigned").GetBoolean());
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

        var before = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);
        await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(100), occasion: "pencanangan", signedOn: "2026-03-15", role: "pimpinan"));
        var after = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);
        var lastYear = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance?year=2025")).Json(HttpStatusCode.OK);

        Assert.True(before.GetProperty("declared").GetBoolean());
        Assert.Equal(declaration.Id(), before.GetProperty("declaration").Id());
        Assert.Equal("2026-03-15", before.GetProperty("declaration").GetProperty("declaredOn").GetString());
        Assert.Equal(1, before.GetProperty("pacts").GetProperty("signedEmployees").GetInt32());
        Assert.Equal(0.3333m, before.GetProperty("pacts").GetProperty("coverage").GetDecimal());
        Assert.False(before.GetProperty("pacts").GetProperty("headSigned").GetBoolean());
        Assert.Equal(0.6667m, after.GetProperty("pacts").GetProperty("coverage").GetDecimal());
        Assert.True(after.GetProperty("pacts").GetProperty("headSigned").GetBoolean());
        Assert.Equal(0, lastYear.GetProperty("pacts").GetProperty("signedEmployees").GetInt32());
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

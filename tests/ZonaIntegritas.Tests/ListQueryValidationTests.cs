using System.Net;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>Every list binds its query string as one record and the validation filter checks it, naming each field.</summary>
public sealed class ListQueryValidationTests
{
    [Fact]
    public async Task EveryListRefusesAPageOutOfRangeNamingPageAndPageSizeTogether()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        string[] lists =
        [
            "/api/v1/agencies", "/api/v1/units", "/api/v1/assessments", "/api/v1/declarations", "/api/v1/designations",
            "/api/v1/api-keys", $"/api/v1/units/{unit}/integrity-pacts", $"/api/v1/assessments/{assessment}/evidence",
            "/api/v1/compliance", "/api/v1/audit", $"/api/v1/agencies/{agency}/absorption", "/api/v1/webhooks",
            // The query is checked before the webhook is looked up, so any id will do.
            $"/api/v1/webhooks/{Guid.NewGuid()}/deliveries", "/api/v1/portalrb/fetches",
        ];

        foreach (var list in lists)
        {
            var problem = await (await admin.GetAsync($"{list}?page=0&pageSize=201")).Problem(HttpStatusCode.BadRequest);

            Assert.Equal(["page must be between 1 and 1000000."], problem.Errors("page"));
            Assert.Equal(["pageSize must be between 1 and 200."], problem.Errors("pageSize"));
        }
    }

    [Fact]
    public async Task AListsOwnFiltersAreCheckedWithItsPaging()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();

        var units = await (await admin.GetAsync($"/api/v1/units?q={new string('x', 201)}&pageSize=0")).Problem(HttpStatusCode.BadRequest);
        var designations = await (await admin.GetAsync("/api/v1/designations?predikat=WBX")).Problem(HttpStatusCode.BadRequest);
        var declarations = await (await admin.GetAsync("/api/v1/declarations?year=1999")).Problem(HttpStatusCode.BadRequest);
        var pacts = await (await admin.GetAsync($"/api/v1/units/{unit}/integrity-pacts?year=2201")).Problem(HttpStatusCode.BadRequest);
        var evidence = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence?status=lost")).Problem(HttpStatusCode.BadRequest);

        Assert.Equal(["q must be at most 200 characters."], units.Errors("q"));
        Assert.Single(units.Errors("pageSize"));
        Assert.Equal(["predikat must be WBK or WBBM."], designations.Errors("predikat"));
        Assert.Equal(["year must be between 2000 and 2200; got 1999."], declarations.Errors("year"));
        Assert.Equal(["year must be between 2000 and 2200; got 2201."], pacts.Errors("year"));
        Assert.Equal(["status must be one of: submitted, accepted, rejected, revision_requested, expired."], evidence.Errors("status"));
    }

    [Fact]
    public async Task TheComplianceAuditAbsorptionWebhookAndFetchListsNameEveryBadFilter()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();

        var compliance = await (await admin.GetAsync("/api/v1/compliance?stage=sleeping&predikat=WBX&year=1999&flag=nope&nationalStage=lulus&page=0"))
            .Problem(HttpStatusCode.BadRequest);
        var audit = await (await admin.GetAsync(
            $"/api/v1/audit?entityType={new string('t', 41)}&entityId={new string('i', 101)}&from=2026-01-02T00:00:00Z&to=2026-01-01T23:00:00Z"))
            .Problem(HttpStatusCode.BadRequest);
        var absorption = await (await admin.GetAsync($"/api/v1/agencies/{agency}/absorption?year=1999&month=13")).Problem(HttpStatusCode.BadRequest);
        var deliveries = await (await admin.GetAsync($"/api/v1/webhooks/{Guid.NewGuid()}/deliveries?status=lost")).Problem(HttpStatusCode.BadRequest);
        var fetches = await (await admin.GetAsync("/api/v1/portalrb/fetches?year=1900")).Problem(HttpStatusCode.BadRequest);

        Assert.Equal(["stage must be one of: not_declared, declared, assessing, proposed, WBK, WBBM, revoked."], compliance.Errors("stage"));
        Assert.Equal(["predikat must be WBK or WBBM."], compliance.Errors("predikat"));
        Assert.Equal(["year must be between 2000 and 2200; got 1999."], compliance.Errors("year"));
        Assert.StartsWith("flag must be one of: head_has_not_signed_pact, ", compliance.Errors("flag")[0]);
        Assert.StartsWith("nationalStage must be one of: proposed, ", compliance.Errors("nationalStage")[0]);
        Assert.Equal(["page must be between 1 and 1000000."], compliance.Errors("page"));
        Assert.Equal(["entityType is at most 40 characters."], audit.Errors("entityType"));
        Assert.Equal(["entityId is at most 100 characters."], audit.Errors("entityId"));
        Assert.Equal(["to must be later than from."], audit.Errors("to"));
        Assert.Equal(["year must be between 2000 and 2200; got 1999."], absorption.Errors("year"));
        Assert.Equal(["month must be between 1 and 12; got 13."], absorption.Errors("month"));
        Assert.Equal(["status must be one of: pending, succeeded, dead."], deliveries.Errors("status"));
        Assert.Equal(["year must be between 2000 and 2200; got 1900."], fetches.Errors("year"));
    }

    [Fact]
    public async Task EveryComplianceReadAndEveryRouteYearIsCheckedByTheSameYearRule()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        string[] years =
        [
            "/api/v1/compliance/export?year=2201", $"/api/v1/units/{unit}/compliance?year=1999", "/api/v1/compliance-summary?year=1999",
            $"/api/v1/agencies/{agency}/compliance-summary?year=1999", "/api/v1/proposal-windows/1999", $"/api/v1/agencies/{agency}/audit-opinions/2201",
        ];

        foreach (var url in years)
        {
            var problem = await (await admin.GetAsync(url)).Problem(HttpStatusCode.BadRequest);

            Assert.Matches(@"^year must be between 2000 and 2200; got (1999|2201)\.$", Assert.Single(problem.Errors("year")));
        }
    }
}

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
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        string[] lists =
        [
            "/api/v1/agencies", "/api/v1/units", "/api/v1/assessments", "/api/v1/declarations", "/api/v1/designations",
            "/api/v1/api-keys", $"/api/v1/units/{unit}/integrity-pacts", $"/api/v1/assessments/{assessment}/evidence",
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
        Assert.Equal(["year must be between 2000 and 2200."], declarations.Errors("year"));
        Assert.Equal(["year must be between 2000 and 2200."], pacts.Errors("year"));
        Assert.Equal(["status must be one of: submitted, accepted, rejected, revision_requested, expired."], evidence.Errors("status"));
    }
}

using System.Net;
using System.Net.Http.Json;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.Scoring;
using static ZonaIntegritas.Tests.PortalRb.PortalRbWorld;

namespace ZonaIntegritas.Tests.PortalRb;

/// <summary>Per-year proposal windows replacing the fixed Proposals:DeadlineMonthDay (which stays the default).</summary>
public sealed class ProposalWindowTests
{
    private static async Task<(HttpClient Admin, HttpClient Inspectorate, Guid Assessment)> Reviewed(TestApp app, DateTimeOffset now)
    {
        app.Clock.Set(now);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var inspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: agency));
        await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit]))).Json(HttpStatusCode.Created);
        await admin.RecordWtp(agency, 2025);
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        var top = Worksheets.Top(Worksheets.Lke);
        await Answer(admin, assessment, "self", top);
        await (await admin.PostJson($"/api/v1/assessments/{assessment}/submit", new { })).Json(HttpStatusCode.OK);
        await Answer(inspectorate, assessment, "tpi", top);
        await (await inspectorate.PostJson($"/api/v1/assessments/{assessment}/review", new { })).Json(HttpStatusCode.OK);
        return (admin, inspectorate, assessment);
    }

    [Fact]
    public async Task AWindowSetForTheYearReplacesTheDefaultDeadline()
    {
        await using var app = await TestApp.StartAsync();
        var (admin, inspectorate, assessment) = await Reviewed(app, new DateTimeOffset(2026, 6, 20, 3, 0, 0, TimeSpan.Zero));

        var before = await (await admin.GetAsync("/api/v1/proposal-windows/2026")).Json(HttpStatusCode.OK);
        var refused = await (await inspectorate.PostJson($"/api/v1/assessments/{assessment}/propose", new { })).Problem(HttpStatusCode.UnprocessableEntity);
        var set = await (await admin.PutAsJsonAsync("/api/v1/proposal-windows/2026", new { opensOn = "2026-04-01", closesOn = "2026-06-30" })).Json(HttpStatusCode.OK);
        var proposed = await (await inspectorate.PostJson($"/api/v1/assessments/{assessment}/propose", new { })).Json(HttpStatusCode.OK);
        var audit = await (await admin.GetAsync("/api/v1/audit?entityType=proposal_window")).Json(HttpStatusCode.OK);

        Assert.Equal("default", before.GetProperty("source").GetString());
        Assert.Equal("2026-05-31", before.GetProperty("closesOn").GetString());
        Assert.Contains("2026-05-31", refused.GetProperty("detail").GetString());
        Assert.Contains("Proposals:DeadlineMonthDay", refused.GetProperty("detail").GetString());
        Assert.Equal("configured", set.GetProperty("source").GetString());
        Assert.Equal("proposed", proposed.GetProperty("status").GetString());
        Assert.Equal("2026", Assert.Single(audit.GetProperty("items").EnumerateArray()).GetProperty("entityId").GetString());
    }

    [Fact]
    public async Task ProposingOutsideTheWindowIsRefusedNamingIt()
    {
        await using var app = await TestApp.StartAsync();
        var (admin, inspectorate, assessment) = await Reviewed(app, new DateTimeOffset(2026, 3, 20, 3, 0, 0, TimeSpan.Zero));
        (await admin.PutAsJsonAsync("/api/v1/proposal-windows/2026", new { opensOn = "2026-04-01", closesOn = "2026-06-30" })).EnsureSuccessStatusCode();

        var early = await (await inspectorate.PostJson($"/api/v1/assessments/{assessment}/propose", new { })).Problem(HttpStatusCode.UnprocessableEntity);
        app.Clock.Set(new DateTimeOffset(2026, 7, 1, 3, 0, 0, TimeSpan.Zero));
        var late = await (await inspectorate.PostJson($"/api/v1/assessments/{assessment}/propose", new { })).Problem(HttpStatusCode.UnprocessableEntity);
        var history = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/history")).Json(HttpStatusCode.OK);

        foreach (var problem in new[] { early, late })
        {
            Assert.Contains("2026-04-01 to 2026-06-30", problem.GetProperty("detail").GetString());
            Assert.Equal("2026-06-30", problem.GetProperty("window").GetProperty("closesOn").GetString());
        }
        Assert.DoesNotContain("propose", history.EnumerateArray().Select(t => t.GetProperty("action").GetString()));
    }

    [Fact]
    public async Task TheComplianceDeadlineFlagFollowsTheWindow()
    {
        await using var app = await TestApp.StartAsync();
        var (admin, _, assessment) = await Reviewed(app, new DateTimeOffset(2026, 6, 20, 3, 0, 0, TimeSpan.Zero));
        var unit = (await (await admin.GetAsync($"/api/v1/assessments/{assessment}")).Json(HttpStatusCode.OK)).GetProperty("unitId").GetGuid();
        async Task<IEnumerable<string?>> Flags() =>
            (await (await admin.GetAsync($"/api/v1/units/{unit}/compliance?year=2026")).Json(HttpStatusCode.OK)).GetProperty("flags").EnumerateArray().Select(f => f.GetString());

        var byDefault = await Flags();
        (await admin.PutAsJsonAsync("/api/v1/proposal-windows/2026", new { opensOn = "2026-04-01", closesOn = "2026-06-30" })).EnsureSuccessStatusCode();
        var withWindow = await Flags();

        Assert.Contains("deadline_passed", byDefault);
        Assert.DoesNotContain("deadline_passed", withWindow);
    }

    [Fact]
    public async Task AWindowNeedsBothDaysInOrderAndOnlyAdminSetsIt()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var inspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: agency));

        var reversed = await (await admin.PutAsJsonAsync("/api/v1/proposal-windows/2026", new { opensOn = "2026-06-30", closesOn = "2026-04-01" })).Problem(HttpStatusCode.BadRequest);
        var missing = await (await admin.PutAsJsonAsync("/api/v1/proposal-windows/2026", new { closesOn = "2026-04-01" })).Problem(HttpStatusCode.BadRequest);
        var badYear = await (await admin.PutAsJsonAsync("/api/v1/proposal-windows/1999", new { opensOn = "1999-04-01", closesOn = "1999-06-01" })).Problem(HttpStatusCode.BadRequest);
        await (await inspectorate.PutAsJsonAsync("/api/v1/proposal-windows/2026", new { opensOn = "2026-04-01", closesOn = "2026-06-30" })).Problem(HttpStatusCode.Forbidden);
        var after = await (await admin.GetAsync("/api/v1/proposal-windows/2026")).Json(HttpStatusCode.OK);

        Assert.NotEmpty(reversed.Errors("closesOn"));
        Assert.NotEmpty(missing.Errors("opensOn"));
        Assert.NotEmpty(badYear.Errors("year"));
        Assert.Equal("default", after.GetProperty("source").GetString());
    }
}

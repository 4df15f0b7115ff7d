using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Workflow;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.PortalRb;
using static ZonaIntegritas.Tests.NationalEvaluation.NationalWorld;

namespace ZonaIntegritas.Tests.NationalEvaluation;

/// <summary>What a proposal needs (the WTP opinion, room in the quota) and what others see of a proposed unit.</summary>
public sealed class ProposalPrerequisiteTests
{
    [Fact]
    public async Task OnlyAWtpOpinionForThePriorYearAllowsAProposal()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app, wtp: false);
        var (unit, assessment) = await Reviewed(s, "A", 1);

        var missing = await (await Step(s.Inspectorate, assessment, "propose")).Problem(HttpStatusCode.UnprocessableEntity);
        var before = await (await s.Admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);
        var withinYear = await (await s.Inspectorate.PutAsJsonAsync($"/api/v1/agencies/{s.Agency}/audit-opinions/2025",
            new { opinion = "WTP", reportNumber = "LHP 1", issuedOn = "2025-12-31" })).Problem(HttpStatusCode.BadRequest);
        var badOpinion = await (await s.Inspectorate.PutAsJsonAsync($"/api/v1/agencies/{s.Agency}/audit-opinions/2025",
            new { opinion = "WAJAR", reportNumber = "LHP 1", issuedOn = "2026-03-01" })).Problem(HttpStatusCode.BadRequest);
        await s.Inspectorate.RecordWtp(s.Agency, 2025, opinion: "WDP");
        var wdp = await (await Step(s.Inspectorate, assessment, "propose")).Problem(HttpStatusCode.UnprocessableEntity);
        await s.Inspectorate.RecordWtp(s.Agency, 2025);
        var proposed = await (await Step(s.Inspectorate, assessment, "propose")).Json(HttpStatusCode.OK);
        var after = await (await s.Admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);
        var opinions = await (await s.Inspectorate.GetAsync($"/api/v1/agencies/{s.Agency}/audit-opinions")).Json(HttpStatusCode.OK);
        var audit = await (await s.Admin.GetAsync("/api/v1/audit?entityType=audit_opinion")).Json(HttpStatusCode.OK);

        Assert.Equal("audit_opinion_missing", missing.GetProperty("rule").GetString());
        Assert.Equal(2025, missing.GetProperty("auditOpinionYear").GetInt32());
        Assert.False(before.GetProperty("prerequisites").GetProperty("auditOpinionMet").GetBoolean());
        Assert.NotEmpty(withinYear.Errors("issuedOn"));
        Assert.NotEmpty(badOpinion.Errors("opinion"));
        Assert.Equal("audit_opinion_not_wtp", wdp.GetProperty("rule").GetString());
        Assert.Equal("WDP", wdp.GetProperty("auditOpinion").GetString());
        Assert.Equal("proposed", proposed.GetProperty("status").GetString());
        Assert.True(after.GetProperty("prerequisites").GetProperty("auditOpinionMet").GetBoolean());
        Assert.Equal("WTP", Assert.Single(opinions.EnumerateArray()).GetProperty("opinion").GetString());
        var changes = audit.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("changes").GetProperty("opinion")).ToList();
        Assert.Equal(2, changes.Count);
        Assert.Contains(changes, c => c.GetProperty("before").GetString() == "WDP" && c.GetProperty("after").GetString() == "WTP");
    }

    [Fact]
    public async Task AProposalBeyondTheAgencysQuotaIsRefusedNamingTheQuotaAndTheUnitsAlreadyProposed()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var byInspectorate = await (await s.Inspectorate.PutAsJsonAsync($"/api/v1/agencies/{s.Agency}/proposal-quota/2026", new { wbk = 1 })).Problem(HttpStatusCode.Forbidden);
        var negative = await (await s.Admin.PutAsJsonAsync($"/api/v1/agencies/{s.Agency}/proposal-quota/2026", new { wbk = -1 })).Problem(HttpStatusCode.BadRequest);
        await (await s.Admin.PutAsJsonAsync($"/api/v1/agencies/{s.Agency}/proposal-quota/2026", new { wbk = 1, wbbm = (int?)null })).Json(HttpStatusCode.OK);
        var (first, firstAssessment) = await Proposed(s, "A-PERTAMA", 1);
        await (await Step(s.Evaluator, firstAssessment, "administrative-selection", Failed("2026-04-01", "2026-04-05"))).Json(HttpStatusCode.OK);
        var (second, assessment) = await Reviewed(s, "B-KEDUA", 30);

        var refused = await (await Step(s.Inspectorate, assessment, "propose")).Problem(HttpStatusCode.UnprocessableEntity);
        var document = await (await s.Admin.GetAsync($"/api/v1/units/{second}/compliance")).Json(HttpStatusCode.OK);
        await (await s.Admin.PutAsJsonAsync($"/api/v1/agencies/{s.Agency}/proposal-quota/2026", new { wbk = 2 })).Json(HttpStatusCode.OK);
        var proposed = await (await Step(s.Inspectorate, assessment, "propose")).Json(HttpStatusCode.OK);
        var quota = await (await s.Inspectorate.GetAsync($"/api/v1/agencies/{s.Agency}/proposal-quota/2026")).Json(HttpStatusCode.OK);
        var summary = await (await s.Admin.GetAsync($"/api/v1/agencies/{s.Agency}/compliance-summary?year=2026")).Json(HttpStatusCode.OK);

        Assert.Contains("Forbidden", byInspectorate.GetProperty("title").GetString());
        Assert.NotEmpty(negative.Errors("wbk"));
        Assert.Equal("proposal_quota_reached", refused.GetProperty("rule").GetString());
        Assert.Equal(1, refused.GetProperty("quota").GetInt32());
        var already = Assert.Single(refused.GetProperty("proposedUnits").EnumerateArray());
        Assert.Equal(first, already.GetProperty("unitId").GetGuid());
        Assert.Equal("selection_failed", already.GetProperty("status").GetString());
        Assert.Contains("A-PERTAMA", refused.GetProperty("detail").GetString());
        Assert.True(document.GetProperty("prerequisites").GetProperty("quota").GetProperty("reached").GetBoolean());
        Assert.Equal("proposed", proposed.GetProperty("status").GetString());
        Assert.Equal(2, quota.GetProperty("wbk").GetInt32());
        Assert.Equal(JsonValueKind.Null, quota.GetProperty("wbbm").ValueKind);
        Assert.Equal(1, summary.GetProperty("byNationalStage").GetProperty("selection_failed").GetInt32());
        Assert.Equal(1, summary.GetProperty("byNationalStage").GetProperty("proposed").GetInt32());
        Assert.Equal(2, summary.GetProperty("byStage").GetProperty("proposed").GetInt32());
    }

    [Fact]
    public void TheSqlListsOfTheComplianceStageAreTheStatusListsOfTheWorkflow()
    {
        static string Sql(IEnumerable<string> statuses) => string.Join(", ", statuses.Select(s => $"'{s}'"));

        Assert.Equal(AssessmentStatus.InNationalEvaluationSql, Sql(AssessmentStatus.National.Where(s => !AssessmentStatus.IsFinal(s))));
        Assert.Equal(AssessmentStatus.FinalSql, Sql(AssessmentStatus.All.Where(AssessmentStatus.IsFinal).OrderBy(s => s == AssessmentStatus.AppealRejected)));
    }

    [Fact]
    public async Task PortalRbKeepsListingAProposedUnitThroughEveryNationalStage()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var portalRb = PortalRbWorld.Bearer(app, await s.Admin.CreateKey("portalrb", agencyId: s.Agency));
        var (unit, assessment) = await Proposed(s, "A", 1);
        var seen = new List<bool>();
        async Task Look() => seen.Add((await (await portalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk?tahun=2026")).Json(HttpStatusCode.OK))
            .GetProperty("units").EnumerateArray().Any(u => u.GetProperty("id").GetString() == unit.ToString("D")));

        await Look();
        await (await Step(s.Evaluator, assessment, "administrative-selection", Failed("2026-04-01", "2026-04-05"))).Json(HttpStatusCode.OK);
        await Look();
        await (await Step(s.Inspectorate, assessment, "appeal", new { reasons = "Keberatan" })).Json(HttpStatusCode.OK);
        await Look();
        await (await Step(s.Evaluator, assessment, "appeal/decision", new { outcome = "accepted" })).Json(HttpStatusCode.OK);
        await s.Evaluator.ThroughNationalEvaluation(assessment, "2026-04-01");
        await Look();
        await (await Step(s.Evaluator, assessment, "decide", new { outcome = "designated", decreeNumber = "SK 1/2026", decreeDate = "2026-04-01" })).Json(HttpStatusCode.OK);
        await Look();

        Assert.Equal([true, true, true, true, true], seen);
    }
}

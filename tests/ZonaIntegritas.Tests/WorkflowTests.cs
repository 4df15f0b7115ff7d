using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.Scoring;

namespace ZonaIntegritas.Tests;

public sealed class WorkflowTests
{
    private static readonly DateTimeOffset April2026 = new(2026, 4, 1, 3, 0, 0, TimeSpan.Zero);

    private sealed record Setup(TestApp App, HttpClient Admin, HttpClient Inspectorate, HttpClient Evaluator, HttpClient UnitKey, Guid Agency, Guid Unit);

    private static async Task<Setup> Prepare(TestApp app, bool declare = true)
    {
        app.Clock.Set(April2026);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        await admin.RecordWtp(agency, 2025);
        var unit = await admin.CreateUnit(agency);
        if (declare)
        {
            await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit]))).Json(HttpStatusCode.Created);
        }
        return new Setup(app, admin, app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: agency)),
            app.ClientWithKey(await admin.CreateKey("evaluator")), app.ClientWithKey(await admin.CreateKey("unit", unitId: unit)), agency, unit);
    }

    private static async Task<Guid> NewAssessment(Setup s, int year = 2026, string target = "WBK") =>
        (await (await s.Admin.PostJson("/api/v1/assessments", new { unitId = s.Unit, year, target })).Json(HttpStatusCode.Created)).Id();

    private static async Task Answer(HttpClient client, Guid assessment, string layer, Dictionary<string, string> answers) =>
        await (await client.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/{layer}",
            new { answers = answers.Select(a => new { itemCode = a.Key, value = a.Value }).ToArray() })).Json(HttpStatusCode.OK);

    private static Task<HttpResponseMessage> Step(HttpClient client, Guid assessment, string action, object? body = null) =>
        client.PostAsJsonAsync($"/api/v1/assessments/{assessment}/{action}", body ?? new { });

    /// <summary>Takes an assessment from draft to tpi_reviewed: top self answers, then the given (default top) TPI answers.</summary>
    private static async Task ToReviewed(Setup s, Guid assessment, Dictionary<string, string>? tpi = null)
    {
        var top = Worksheets.Top(Worksheets.Lke);
        await Answer(s.UnitKey, assessment, "self", top);
        await (await Step(s.UnitKey, assessment, "submit")).Json(HttpStatusCode.OK);
        await Answer(s.Inspectorate, assessment, "tpi", tpi ?? top);
        await (await Step(s.Inspectorate, assessment, "review")).Json(HttpStatusCode.OK);
    }

    /// <summary>Takes an assessment from draft to proposed with top answers in the self and TPI layers.</summary>
    private static async Task ToProposed(Setup s, Guid assessment)
    {
        await ToReviewed(s, assessment);
        var year = (await (await s.Admin.GetAsync($"/api/v1/assessments/{assessment}")).Json(HttpStatusCode.OK)).GetProperty("year").GetInt32();
        await s.Admin.RecordWtp(s.Agency, year - 1);
        await (await Step(s.Inspectorate, assessment, "propose")).Json(HttpStatusCode.OK);
    }

    private static async Task<JsonElement> Designate(Setup s, Guid assessment, string decree = "SK MENPANRB 100/2026", string decreeDate = "2026-04-01")
    {
        await Answer(s.Evaluator, assessment, "tpn", Worksheets.Top(Worksheets.Lke));
        await s.Evaluator.ThroughNationalEvaluation(assessment, decreeDate);
        return await (await Step(s.Evaluator, assessment, "decide", new { outcome = "designated", decreeNumber = decree, decreeDate })).Json(HttpStatusCode.OK);
    }

    [Theory, SqliteData, SqlServerData]
    public async Task AUnitGoesFromDraftToWbkAndEveryStepIsRecorded(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var s = await Prepare(app);
        var assessment = await NewAssessment(s);

        await ToProposed(s, assessment);
        var decided = await Designate(s, assessment);
        var history = await (await s.Admin.GetAsync($"/api/v1/assessments/{assessment}/history")).Json(HttpStatusCode.OK);
        var designations = await (await s.UnitKey.GetAsync($"/api/v1/units/{s.Unit}/designations")).Json(HttpStatusCode.OK);

        Assert.Equal("designated", decided.GetProperty("status").GetString());
        Assert.Equal(["submit", "review", "propose", "select", "desk_evaluate", "field_evaluate", "decide"], history.EnumerateArray().Select(t => t.GetProperty("action").GetString()));
        Assert.Equal(["draft", "self_submitted", "tpi_reviewed", "proposed", "selection_passed", "desk_evaluated", "field_evaluated"],
            history.EnumerateArray().Select(t => t.GetProperty("fromStatus").GetString()));
        var designation = Assert.Single(designations.EnumerateArray());
        Assert.Equal("WBK", designation.GetProperty("predikat").GetString());
        Assert.True(designation.GetProperty("active").GetBoolean());
        Assert.Equal("SK MENPANRB 100/2026", designation.GetProperty("decreeNumber").GetString());
    }

    [Fact]
    public async Task AnIncompleteSelfAssessmentCannotBeSubmitted()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var assessment = await NewAssessment(s);
        var answers = Worksheets.Top(Worksheets.Lke);
        answers.Remove("PT.P.1.a");
        await Answer(s.UnitKey, assessment, "self", answers);

        var problem = await (await Step(s.UnitKey, assessment, "submit")).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("1 scored item(s) unanswered (PT.P.1.a)", problem.GetProperty("detail").GetString());
        Assert.Equal("PT.P.1.a", problem.GetProperty("unanswered")[0].GetString());
    }

    [Fact]
    public async Task ATransitionFromTheWrongStatusIs409NamingTheAllowedOnes()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var assessment = await NewAssessment(s);

        var problem = await (await Step(s.Inspectorate, assessment, "review")).Problem(HttpStatusCode.Conflict);

        Assert.Equal("draft", problem.GetProperty("currentStatus").GetString());
        Assert.Equal("submit", problem.GetProperty("allowedTransitions")[0].GetString());
        Assert.Contains("'draft'", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task TheTpiCanReturnAnAssessmentWithANoteAndTheUnitEditsAgain()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var assessment = await NewAssessment(s);
        var top = Worksheets.Top(Worksheets.Lke);
        await Answer(s.UnitKey, assessment, "self", top);
        await (await Step(s.UnitKey, assessment, "submit")).Json(HttpStatusCode.OK);

        var locked = await (await s.UnitKey.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self/MP.P.1.a", new { value = "Tidak" })).Problem(HttpStatusCode.UnprocessableEntity);
        await (await s.Admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self/MP.P.1.a", new { value = "Ya" })).Json(HttpStatusCode.OK);
        var noNote = await (await Step(s.Inspectorate, assessment, "return")).Problem(HttpStatusCode.BadRequest);
        var returned = await (await Step(s.Inspectorate, assessment, "return", new { note = "Lengkapi bukti SK Tim" })).Json(HttpStatusCode.OK);
        await (await s.UnitKey.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self/MP.P.1.a", new { value = "Ya", note = "SK dilampirkan" })).Json(HttpStatusCode.OK);
        var resubmitted = await (await Step(s.UnitKey, assessment, "submit")).Json(HttpStatusCode.OK);

        Assert.Contains("locked", locked.GetProperty("detail").GetString());
        Assert.NotEmpty(noNote.Errors("note"));
        Assert.Equal("returned", returned.GetProperty("status").GetString());
        Assert.Equal("self_submitted", resubmitted.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ProposingAfterTheDeadlineIsRefusedNamingIt()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var assessment = await NewAssessment(s);
        await ToReviewed(s, assessment);
        app.Clock.Set(new DateTimeOffset(2026, 6, 1, 3, 0, 0, TimeSpan.Zero));

        var problem = await (await Step(s.Inspectorate, assessment, "propose")).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("2026-05-31", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AnUndeclaredUnitOrAnIneligibleTpiLayerCannotBeProposed()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app, declare: false);
        var assessment = await NewAssessment(s);
        await ToReviewed(s, assessment, new Dictionary<string, string>(Worksheets.Top(Worksheets.Lke)) { ["HB.2"] = "E" });

        var undeclared = await (await Step(s.Inspectorate, assessment, "propose")).Problem(HttpStatusCode.UnprocessableEntity);
        await (await s.Admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(s.Agency, [s.Unit]))).Json(HttpStatusCode.Created);
        var ineligible = await (await Step(s.Inspectorate, assessment, "propose")).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("declaration", undeclared.GetProperty("detail").GetString());
        Assert.Contains("capaianKinerja", ineligible.GetProperty("failedRules").EnumerateArray().Select(r => r.GetString()));
    }

    [Fact]
    public async Task WbbmNeedsAnActiveWbkAndReplacesItButARevokedWbbmDoesNotBringItBack()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var wbbmFirst = await NewAssessment(s, year: 2025, target: "WBBM");
        await ToReviewed(s, wbbmFirst);
        app.Clock.Set(new DateTimeOffset(2025, 4, 1, 3, 0, 0, TimeSpan.Zero));
        var noWbk = await (await Step(s.Inspectorate, wbbmFirst, "propose")).Problem(HttpStatusCode.UnprocessableEntity);
        app.Clock.Set(April2026);

        var wbk = await NewAssessment(s, year: 2026);
        await ToProposed(s, wbk);
        await Designate(s, wbk, "SK WBK 2026");
        var wbbm = await NewAssessment(s, year: 2027, target: "WBBM");
        app.Clock.Set(new DateTimeOffset(2027, 4, 1, 3, 0, 0, TimeSpan.Zero));
        await ToProposed(s, wbbm);
        // A decree cannot predate the year it decides on.
        await Designate(s, wbbm, "SK WBBM 2027", decreeDate: "2027-04-01");
        var both = await (await s.Admin.GetAsync($"/api/v1/units/{s.Unit}/designations")).Json(HttpStatusCode.OK);
        var wbbmId = both.EnumerateArray().Single(d => d.GetProperty("predikat").GetString() == "WBBM").Id();
        await (await s.Evaluator.PostJson($"/api/v1/designations/{wbbmId}/revocation", new { reason = "Kasus gratifikasi", decreeNumber = "SK 9/2027", revokedOn = "2027-04-01" })).Json(HttpStatusCode.OK);
        var afterRevocation = await (await s.Admin.GetAsync($"/api/v1/designations?agencyId={s.Agency}&active=true")).Json(HttpStatusCode.OK);
        var all = await (await s.Admin.GetAsync($"/api/v1/units/{s.Unit}/designations")).Json(HttpStatusCode.OK);

        Assert.Contains("active WBK", noWbk.GetProperty("detail").GetString());
        Assert.False(both.EnumerateArray().Single(d => d.GetProperty("predikat").GetString() == "WBK").GetProperty("active").GetBoolean());
        Assert.True(both.EnumerateArray().Single(d => d.GetProperty("predikat").GetString() == "WBBM").GetProperty("active").GetBoolean());
        Assert.Equal(0, afterRevocation.GetProperty("total").GetInt32());
        Assert.Equal("2029-04-01", all.EnumerateArray().Single(d => d.GetProperty("predikat").GetString() == "WBBM").GetProperty("eligibleAgainOn").GetString());
    }

    [Fact]
    public async Task ARevokedUnitCannotBeProposedForTwoYears()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var first = await NewAssessment(s);
        await ToProposed(s, first);
        await Designate(s, first);
        var designation = (await (await s.Admin.GetAsync($"/api/v1/units/{s.Unit}/designations")).Json(HttpStatusCode.OK))[0].Id();
        await (await s.Evaluator.PostJson($"/api/v1/designations/{designation}/revocation", new { reason = "OTT", decreeNumber = "SK 1/2026", revokedOn = "2026-04-01" })).Json(HttpStatusCode.OK);
        var again = await (await s.Evaluator.PostJson($"/api/v1/designations/{designation}/revocation", new { reason = "x", decreeNumber = "y", revokedOn = "2026-04-01" })).Problem(HttpStatusCode.Conflict);
        app.Clock.Set(new DateTimeOffset(2027, 4, 1, 3, 0, 0, TimeSpan.Zero));
        var next = await NewAssessment(s, year: 2027);
        await ToReviewed(s, next);

        var banned = await (await Step(s.Inspectorate, next, "propose")).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("already revoked", again.GetProperty("detail").GetString());
        Assert.Contains("2028-04-01", banned.GetProperty("detail").GetString());
        Assert.Equal("2028-04-01", banned.GetProperty("eligibleAgainOn").GetString());
    }

    [Fact]
    public async Task OnlyTheNationalTeamDecidesAndOnlyOnAnEligibleTpnLayer()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var assessment = await NewAssessment(s);
        await ToProposed(s, assessment);
        await s.Evaluator.ThroughNationalEvaluation(assessment, "2026-04-01");
        await Answer(s.Evaluator, assessment, "tpn", new Dictionary<string, string>(Worksheets.Top(Worksheets.Lke)) { ["HB.1"] = "2" });
        var decision = new { outcome = "designated", decreeNumber = "SK 5/2026", decreeDate = "2026-04-01" };

        await (await Step(s.Inspectorate, assessment, "decide", decision)).Problem(HttpStatusCode.Forbidden);
        await (await Step(s.UnitKey, assessment, "review")).Problem(HttpStatusCode.Forbidden);
        var ineligible = await (await Step(s.Evaluator, assessment, "decide", decision)).Problem(HttpStatusCode.UnprocessableEntity);
        var notDesignated = await (await Step(s.Evaluator, assessment, "decide", new { outcome = "not_designated", decreeNumber = "SK 6/2026", decreeDate = "2026-04-01", note = "IPAK rendah" })).Json(HttpStatusCode.OK);
        var final = await (await Step(s.Evaluator, assessment, "decide", decision)).Problem(HttpStatusCode.Conflict);

        Assert.Contains("ipak", ineligible.GetProperty("failedRules").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("not_designated", notDesignated.GetProperty("status").GetString());
        Assert.Contains("none (final)", final.GetProperty("detail").GetString());
        var designations = await (await s.Admin.GetAsync($"/api/v1/units/{s.Unit}/designations")).Json(HttpStatusCode.OK);
        Assert.Equal(0, designations.GetArrayLength());
    }

    [Fact]
    public async Task AReaderOfAnotherAgencySeesNoDesignations()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var assessment = await NewAssessment(s);
        await ToProposed(s, assessment);
        await Designate(s, assessment);
        var stranger = app.ClientWithKey(await s.Admin.CreateKey("reader", agencyId: await s.Admin.CreateAgency()));

        var list = await (await stranger.GetAsync("/api/v1/designations")).Json(HttpStatusCode.OK);
        await (await stranger.GetAsync($"/api/v1/units/{s.Unit}/designations")).Problem(HttpStatusCode.NotFound);
        var national = await (await s.Evaluator.GetAsync("/api/v1/designations?predikat=WBK&active=true")).Json(HttpStatusCode.OK);

        Assert.Equal(0, list.GetProperty("total").GetInt32());
        Assert.Equal(1, national.GetProperty("total").GetInt32());
    }

    private static async Task<JsonElement> Compliance(Setup s) =>
        await (await s.Admin.GetAsync($"/api/v1/units/{s.Unit}/compliance")).Json(HttpStatusCode.OK);

    [Theory, SqliteData, SqlServerData]
    public async Task TheComplianceDocumentFollowsTheUnitThroughEveryStage(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var s = await Prepare(app, declare: false);
        var notDeclared = await Compliance(s);
        await (await s.Admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(s.Agency, [s.Unit]))).Json(HttpStatusCode.Created);
        var declared = await Compliance(s);
        var assessment = await NewAssessment(s);
        var assessing = await Compliance(s);
        await ToProposed(s, assessment);
        var proposed = await Compliance(s);
        await Designate(s, assessment);
        var wbk = await Compliance(s);
        var designation = (await (await s.Admin.GetAsync($"/api/v1/units/{s.Unit}/designations")).Json(HttpStatusCode.OK))[0].Id();
        await (await s.Evaluator.PostJson($"/api/v1/designations/{designation}/revocation", new { reason = "OTT", decreeNumber = "SK 2/2026", revokedOn = "2026-04-01" })).Json(HttpStatusCode.OK);
        var revoked = await Compliance(s);

        Assert.Equal("not_declared", notDeclared.GetProperty("stage").GetString());
        Assert.Equal("declared", declared.GetProperty("stage").GetString());
        Assert.Contains("head_has_not_signed_pact", declared.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Contains("pact_coverage_below_80_percent", declared.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("assessing", assessing.GetProperty("stage").GetString());
        Assert.Equal("draft", assessing.GetProperty("assessment").GetProperty("status").GetString());
        Assert.Contains("evidence_missing", assessing.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
        Assert.Equal("proposed", proposed.GetProperty("stage").GetString());
        Assert.Equal(100m, proposed.GetProperty("assessment").GetProperty("scores").GetProperty("tpi").GetProperty("total").GetDecimal());
        Assert.True(proposed.GetProperty("assessment").GetProperty("scores").GetProperty("tpi").GetProperty("eligible").GetBoolean());
        Assert.Equal("WBK", wbk.GetProperty("stage").GetString());
        Assert.True(wbk.GetProperty("designation").GetProperty("active").GetBoolean());
        Assert.Equal("revoked", revoked.GetProperty("stage").GetString());
        Assert.Equal("2028-04-01", revoked.GetProperty("designation").GetProperty("eligibleAgainOn").GetString());
    }

    [Fact]
    public async Task UnchangedComplianceIs304AndAChangeGivesANewETag()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var url = $"/api/v1/units/{s.Unit}/compliance";
        var first = await s.Admin.GetAsync(url);
        var etag = first.Headers.ETag!;

        var conditional = new HttpRequestMessage(HttpMethod.Get, url);
        conditional.Headers.IfNoneMatch.Add(etag);
        var unchanged = await s.Admin.SendAsync(conditional);
        await s.Admin.PostJson($"/api/v1/units/{s.Unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(7), signedOn: "2026-03-20"));
        var again = new HttpRequestMessage(HttpMethod.Get, url);
        again.Headers.IfNoneMatch.Add(etag);
        var changed = await s.Admin.SendAsync(again);

        Assert.False(etag.IsWeak);
        Assert.Equal(HttpStatusCode.NotModified, unchanged.StatusCode);
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.NotEqual(etag, changed.Headers.ETag);
    }

    [Fact]
    public async Task AnAssessmentStillOpenAfterTheDeadlineIsFlagged()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await NewAssessment(s);
        app.Clock.Set(new DateTimeOffset(2026, 6, 2, 3, 0, 0, TimeSpan.Zero));

        var compliance = await Compliance(s);

        Assert.Contains("deadline_passed", compliance.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    /// <summary>Four units of one agency: not declared, declared, assessing, WBK; and one unit of another agency.</summary>
    private static async Task<(Setup S, Guid Other)> Fixture(TestApp app)
    {
        var s = await Prepare(app);
        var wbk = await NewAssessment(s);
        await ToProposed(s, wbk);
        await Designate(s, wbk);
        await s.Admin.CreateUnit(s.Agency, code: "A-NOT-DECLARED");
        var declared = await s.Admin.CreateUnit(s.Agency, code: "B-DECLARED", employeeCount: 4);
        await (await s.Admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(s.Agency, [declared], nipSeed: 50))).Json(HttpStatusCode.Created);
        await (await s.Admin.PostJson($"/api/v1/units/{declared}/integrity-pacts", new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(50), role: "pimpinan"), Fixtures.Pact(Fixtures.Nip(51)) } })).Json(HttpStatusCode.Created);
        var assessing = await s.Admin.CreateUnit(s.Agency, code: "C-ASSESSING");
        await (await s.Admin.PostJson("/api/v1/assessments", new { unitId = assessing, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created);
        var other = await s.Admin.CreateUnit(await s.Admin.CreateAgency(), code: "Z-OTHER");
        return (s, other);
    }

    [Fact]
    public async Task TheComplianceListPagesFiltersAndMatchesTheUnitDocuments()
    {
        await using var app = await TestApp.StartAsync();
        var (s, _) = await Fixture(app);

        var all = await (await s.Admin.GetAsync($"/api/v1/compliance?agencyId={s.Agency}")).Json(HttpStatusCode.OK);
        var wbk = await (await s.Admin.GetAsync($"/api/v1/compliance?agencyId={s.Agency}&predikat=WBK")).Json(HttpStatusCode.OK);
        var declared = await (await s.Admin.GetAsync($"/api/v1/compliance?agencyId={s.Agency}&stage=declared")).Json(HttpStatusCode.OK);
        var second = await (await s.Admin.GetAsync($"/api/v1/compliance?agencyId={s.Agency}&pageSize=1&page=2")).Json(HttpStatusCode.OK);
        var badStage = await (await s.Admin.GetAsync("/api/v1/compliance?stage=sleeping")).Problem(HttpStatusCode.BadRequest);
        var single = await (await s.Admin.GetAsync($"/api/v1/units/{s.Unit}/compliance")).Json(HttpStatusCode.OK);

        Assert.Equal(4, all.GetProperty("total").GetInt32());
        Assert.Equal(["A-NOT-DECLARED", "B-DECLARED", "C-ASSESSING"], all.GetProperty("items").EnumerateArray().Take(3).Select(d => d.GetProperty("unitCode").GetString()));
        Assert.Equal(["not_declared", "declared", "assessing", "WBK"], all.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("stage").GetString()));
        Assert.Equal(s.Unit, Assert.Single(wbk.GetProperty("items").EnumerateArray()).GetProperty("unitId").GetGuid());
        Assert.Equal("B-DECLARED", Assert.Single(declared.GetProperty("items").EnumerateArray()).GetProperty("unitCode").GetString());
        Assert.Equal("B-DECLARED", second.GetProperty("items")[0].GetProperty("unitCode").GetString());
        Assert.NotEmpty(badStage.Errors("stage"));
        Assert.Equal(single.ToString(), all.GetProperty("items")[3].ToString());
    }

    [Fact]
    public async Task TheComplianceListComesAsCsvWithAHeaderAndOneRowPerUnit()
    {
        await using var app = await TestApp.StartAsync();
        var (s, _) = await Fixture(app);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/compliance?agencyId={s.Agency}");
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new System.Net.Http.Headers.MediaTypeWithQualityHeaderValue("text/csv"));

        var response = await s.Admin.SendAsync(request);
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("agencyCode,unitId,unitCode,year,stage,declared", lines[0]);
        Assert.Equal(5, lines.Length);
        Assert.Contains(",B-DECLARED,2026,declared,true,2026-03-15,2,4,0.5,true,", lines[2]);
        Assert.Contains(",WBK,true,SK MENPANRB 100/2026,", lines[4]);
    }

    [Fact]
    public async Task SummariesCountUnitsByStageAndPredikat()
    {
        await using var app = await TestApp.StartAsync();
        var (s, _) = await Fixture(app);

        var agency = await (await s.Admin.GetAsync($"/api/v1/agencies/{s.Agency}/compliance-summary?year=2026")).Json(HttpStatusCode.OK);
        var national = await (await s.Evaluator.GetAsync("/api/v1/compliance-summary")).Json(HttpStatusCode.OK);

        Assert.Equal(4, agency.GetProperty("units").GetInt32());
        Assert.Equal(2, agency.GetProperty("declared").GetInt32());
        Assert.Equal(2, agency.GetProperty("declaredThisYear").GetInt32());
        Assert.Equal(1, agency.GetProperty("byStage").GetProperty("not_declared").GetInt32());
        Assert.Equal(1, agency.GetProperty("byStage").GetProperty("assessing").GetInt32());
        Assert.Equal(1, agency.GetProperty("byStage").GetProperty("WBK").GetInt32());
        Assert.Equal(1, agency.GetProperty("byPredikat").GetProperty("WBK").GetInt32());
        Assert.Equal(0.125m, agency.GetProperty("averagePactCoverage").GetDecimal());
        Assert.Equal(5, national.GetProperty("totals").GetProperty("units").GetInt32());
        Assert.Equal(2, national.GetProperty("agencies").GetArrayLength());
    }

    [Fact]
    public async Task AReaderOfOneAgencySeesNothingOfAnother()
    {
        await using var app = await TestApp.StartAsync();
        var (s, other) = await Fixture(app);
        var reader = app.ClientWithKey(await s.Admin.CreateKey("reader", agencyId: s.Agency));

        var list = await (await reader.GetAsync("/api/v1/compliance")).Json(HttpStatusCode.OK);
        var foreign = await (await reader.GetAsync($"/api/v1/units/{other}/compliance")).Problem(HttpStatusCode.NotFound);
        var national = await (await reader.GetAsync("/api/v1/compliance-summary")).Json(HttpStatusCode.OK);
        var otherAgency = (await (await s.Admin.GetAsync($"/api/v1/units/{other}")).Json(HttpStatusCode.OK)).GetProperty("agencyId").GetGuid();
        await (await reader.GetAsync($"/api/v1/agencies/{otherAgency}/compliance-summary")).Problem(HttpStatusCode.NotFound);

        Assert.Equal(4, list.GetProperty("total").GetInt32());
        Assert.DoesNotContain("Z-OTHER", list.ToString());
        Assert.Contains(other.ToString(), foreign.GetProperty("detail").GetString());
        Assert.Equal(1, national.GetProperty("agencies").GetArrayLength());
    }
}

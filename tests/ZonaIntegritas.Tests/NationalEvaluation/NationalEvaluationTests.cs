using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ZonaIntegritas.Api.Features.Workflow;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.PortalRb;
using static ZonaIntegritas.Tests.NationalEvaluation.NationalWorld;

namespace ZonaIntegritas.Tests.NationalEvaluation;

/// <summary>The national evaluation after a proposal: allowed and refused steps, appeals, follow-ups, history and audit.</summary>
public sealed class NationalEvaluationTests
{
    [Fact]
    public async Task AFullRunThroughAConditionalPassAndAnAcceptedAppealInAnotherUnitIsInTheHistoryAndTheAuditTrail()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var (unitA, a) = await Proposed(s, "A-CATATAN", 1);
        var (unitB, b) = await Proposed(s, "B-SANGGAH", 30);
        var unitKeyA = app.ClientWithKey(await s.Admin.CreateKey("unit", unitId: unitA));
        var unitKeyB = app.ClientWithKey(await s.Admin.CreateKey("unit", unitId: unitB));

        // Unit A passes on conditions; the default checklist is the SPTJM and the TPI-reviewed workbook.
        At(s, 4, 10);
        var noted = await (await Step(s.Evaluator, a, "administrative-selection", new { outcome = "lulus_dengan_catatan", heldOn = "2026-04-10", followUpsDueOn = "2026-04-24" })).Json(HttpStatusCode.OK);
        var checklist = await FollowUps(s, a);
        var blocked = await (await Step(s.Evaluator, a, "desk-evaluation", new { heldOn = "2026-04-10" })).Problem(HttpStatusCode.UnprocessableEntity);
        var sptjm = await (await unitKeyA.PostJson($"/api/v1/assessments/{a}/items/MP.P.1.a/evidence", new { url = "https://drive.example.go.id/sptjm.pdf", title = "SPTJM" })).Json(HttpStatusCode.Created);
        var items = checklist.GetProperty("items").EnumerateArray().ToList();
        await (await Step(unitKeyA, a, $"follow-ups/{items[0].Id()}/fulfilment", new { evidenceId = sptjm.Id() })).Json(HttpStatusCode.OK);
        var workbook = await (await Step(s.Inspectorate, a, $"follow-ups/{items[1].Id()}/fulfilment",
            new { tpiLayerStamp = checklist.GetProperty("currentTpiLayerStamp").GetString() })).Json(HttpStatusCode.OK);
        At(s, 5, 5);
        await (await Step(s.Evaluator, a, "desk-evaluation", new { heldOn = "2026-05-04", notes = "Data dukung memadai", recommendations = "Perkuat survei" })).Json(HttpStatusCode.OK);
        await (await Step(s.Evaluator, a, "field-evaluation", new { heldOn = "2026-05-05", mode = "in_person", notes = "Wawancara agen perubahan" })).Json(HttpStatusCode.OK);
        var designated = await (await Step(s.Evaluator, a, "decide", new { outcome = "designated", decreeNumber = "SK MENPANRB 50/2026", decreeDate = "2026-05-05" })).Json(HttpStatusCode.OK);

        // Unit B fails the selection, appeals in its window, is accepted back and passes the second selection.
        At(s, 4, 10);
        await (await Step(s.Evaluator, b, "administrative-selection", Failed("2026-04-10", "2026-04-17"))).Json(HttpStatusCode.OK);
        var proof = await (await unitKeyB.PostJson($"/api/v1/assessments/{b}/items/MP.P.1.a/evidence", new { url = "https://drive.example.go.id/sk-tim.pdf", title = "SK Tim" })).Json(HttpStatusCode.Created);
        var appealed = await (await Step(unitKeyB, b, "appeal", new { reasons = "SK Tim ZI sudah diunggah", evidenceIds = new[] { proof.Id() } })).Json(HttpStatusCode.OK);
        var reopened = await (await Step(s.Evaluator, b, "appeal/decision", new { outcome = "accepted", note = "Terbukti" })).Json(HttpStatusCode.OK);
        At(s, 5, 5);
        await s.Evaluator.ThroughNationalEvaluation(b, "2026-05-05");
        await (await Step(s.Evaluator, b, "decide", new { outcome = "designated", decreeNumber = "SK MENPANRB 51/2026", decreeDate = "2026-05-05" })).Json(HttpStatusCode.OK);

        var historyA = await (await s.Admin.GetAsync($"/api/v1/assessments/{a}/history")).Json(HttpStatusCode.OK);
        var historyB = await (await s.Admin.GetAsync($"/api/v1/assessments/{b}/history")).Json(HttpStatusCode.OK);
        var nationalA = await (await s.Admin.GetAsync($"/api/v1/assessments/{a}/national-evaluation")).Json(HttpStatusCode.OK);
        var nationalB = await (await unitKeyB.GetAsync($"/api/v1/assessments/{b}/national-evaluation")).Json(HttpStatusCode.OK);
        async Task<List<string?>> AuditActions(string query) => (await (await s.Admin.GetAsync($"/api/v1/audit?{query}&pageSize=100")).Json(HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()).Where(x => !x!.StartsWith("answers.", StringComparison.Ordinal)).ToList();
        var actionsA = await AuditActions($"entityType=assessment&entityId={a}");
        var actionsB = await AuditActions($"entityType=assessment&entityId={b}");
        var followUpActions = await AuditActions("entityType=follow_up");
        var appealActions = await AuditActions("entityType=appeal");
        var designationActions = await AuditActions("entityType=designation");

        Assert.Equal("passed_with_notes", noted.GetProperty("status").GetString());
        Assert.Equal(["sptjm", "lke_workbook"], checklist.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("kind").GetString()));
        Assert.Equal("follow_ups_open", blocked.GetProperty("rule").GetString());
        Assert.Equal(2, blocked.GetProperty("openFollowUps").GetArrayLength());
        Assert.Equal("fulfilled", workbook.GetProperty("status").GetString());
        Assert.StartsWith("tpi:", workbook.GetProperty("tpiLayerStamp").GetString());
        Assert.Equal("designated", designated.GetProperty("status").GetString());
        Assert.Equal("appealed", appealed.GetProperty("status").GetString());
        Assert.Equal("proposed", reopened.GetProperty("status").GetString());
        Assert.Equal(["submit", "review", "propose", "select", "fulfil_follow_up", "fulfil_follow_up", "desk_evaluate", "field_evaluate", "decide"], Actions(historyA));
        Assert.Equal(["submit", "review", "propose", "select", "appeal", "accept_appeal", "select", "desk_evaluate", "field_evaluate", "decide"], Actions(historyB));
        Assert.Equal(["proposed", "selection_failed", "appealed", "proposed", "selection_passed"],
            historyB.EnumerateArray().Skip(2).Take(5).Select(t => t.GetProperty("toStatus").GetString()));
        Assert.Equal("in_person", nationalA.GetProperty("fieldEvaluation").GetProperty("mode").GetString());
        Assert.Equal("Perkuat survei", nationalA.GetProperty("deskEvaluation").GetProperty("recommendations").GetString());
        Assert.Equal("2026-05-05", nationalA.GetProperty("standing").GetProperty("decidedOn").GetString());
        Assert.Equal(0, nationalA.GetProperty("standing").GetProperty("openFollowUps").GetInt32());
        Assert.Equal("accepted", nationalB.GetProperty("appeal").GetProperty("status").GetString());
        Assert.Equal(proof.Id(), nationalB.GetProperty("appeal").GetProperty("evidenceIds")[0].GetGuid());
        Assert.Equal("lulus", nationalB.GetProperty("selection").GetProperty("outcome").GetString());
        // Every status change has its entry; the follow-up events are recorded on the follow-ups themselves.
        Assert.Equal(Actions(historyA).Where(x => x != "fulfil_follow_up").Select(x => $"assessment.{x}").Prepend("assessment.created").Order(),
            actionsA.Order());
        Assert.Equal(Actions(historyB).Select(x => $"assessment.{x}").Prepend("assessment.created").Order(), actionsB.Order());
        Assert.Equal(["follow_up.created", "follow_up.created", "follow_up.fulfilled", "follow_up.fulfilled"], followUpActions.Order());
        Assert.Equal(["appeal.accepted", "appeal.filed"], appealActions.Order());
        Assert.Equal(2, designationActions.Count(x => x == "designation.created"));
    }

    [Fact]
    public async Task EveryNationalStepFromTheWrongStatusIs409NamingTheCurrentAndTheAllowedOnes()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var (_, assessment) = await Proposed(s, "A", 1);
        (string Path, object Body)[] steps =
        [
            ("desk-evaluation", new { heldOn = "2026-04-01" }),
            ("field-evaluation", new { heldOn = "2026-04-01", mode = "online" }),
            ("appeal/decision", new { outcome = "accepted" }),
            ("decide", new { outcome = "not_designated", decreeNumber = "SK 1/2026", decreeDate = "2026-04-01" }),
        ];

        var refused = new List<JsonElement>();
        foreach (var (path, body) in steps)
        {
            refused.Add(await (await Step(s.Evaluator, assessment, path, body)).Problem(HttpStatusCode.Conflict));
        }
        var appeal = await (await Step(s.Inspectorate, assessment, "appeal", new { reasons = "x" })).Problem(HttpStatusCode.Conflict);
        var byInspectorate = await (await Step(s.Inspectorate, assessment, "administrative-selection", new { outcome = "lulus", heldOn = "2026-04-01" })).Problem(HttpStatusCode.Forbidden);
        await (await Step(s.Evaluator, assessment, "administrative-selection", new { outcome = "lulus", heldOn = "2026-04-01" })).Json(HttpStatusCode.OK);
        var again = await (await Step(s.Evaluator, assessment, "administrative-selection", new { outcome = "lulus", heldOn = "2026-04-01" })).Problem(HttpStatusCode.Conflict);
        var fieldFirst = await (await Step(s.Evaluator, assessment, "field-evaluation", new { heldOn = "2026-04-01", mode = "online" })).Problem(HttpStatusCode.Conflict);
        await (await Step(s.Evaluator, assessment, "desk-evaluation", new { heldOn = "2026-04-01" })).Json(HttpStatusCode.OK);
        var tooEarly = await (await Step(s.Evaluator, assessment, "decide", new { outcome = "designated", decreeNumber = "SK 2/2026", decreeDate = "2026-04-01" })).Problem(HttpStatusCode.UnprocessableEntity);
        var ended = await (await Step(s.Evaluator, assessment, "decide",
            new { outcome = "not_designated", decreeNumber = "SK 3/2026", decreeDate = "2026-04-01", recommendations = "Tingkatkan IPK" })).Json(HttpStatusCode.OK);
        var national = await (await s.Admin.GetAsync($"/api/v1/assessments/{assessment}/national-evaluation")).Json(HttpStatusCode.OK);

        Assert.All(refused.Append(appeal), p =>
        {
            Assert.Equal("proposed", p.GetProperty("currentStatus").GetString());
            Assert.Equal(["select"], p.GetProperty("allowedTransitions").EnumerateArray().Select(t => t.GetString()));
        });
        Assert.Contains("Forbidden", byInspectorate.GetProperty("title").GetString());
        Assert.Equal("selection_passed", again.GetProperty("currentStatus").GetString());
        Assert.Equal(["desk_evaluate"], fieldFirst.GetProperty("allowedTransitions").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("field_evaluation_required", tooEarly.GetProperty("rule").GetString());
        Assert.Equal("not_designated", ended.GetProperty("status").GetString());
        Assert.Equal("Tingkatkan IPK", national.GetProperty("decision").GetProperty("recommendations").GetString());
        Assert.Equal("not_designated", national.GetProperty("decision").GetProperty("outcome").GetString());
    }

    [Fact]
    public async Task AUnitAppealsOnceAYearAndOnlyWithinTheWindowTheTpnSet()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var (unit, assessment) = await Proposed(s, "A", 1);
        var unitKey = app.ClientWithKey(await s.Admin.CreateKey("unit", unitId: unit));
        var missingWindow = await (await Step(s.Evaluator, assessment, "administrative-selection", new { outcome = "tidak_lulus", heldOn = "2026-04-01" })).Problem(HttpStatusCode.BadRequest);
        await (await Step(s.Evaluator, assessment, "administrative-selection", Failed("2026-04-01", "2026-04-10", opensOn: "2026-04-03"))).Json(HttpStatusCode.OK);

        var early = await (await Step(unitKey, assessment, "appeal", new { reasons = "Keberatan" })).Problem(HttpStatusCode.UnprocessableEntity);
        At(s, 4, 11);
        var late = await (await Step(unitKey, assessment, "appeal", new { reasons = "Keberatan" })).Problem(HttpStatusCode.UnprocessableEntity);
        var expired = await (await s.Admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);
        At(s, 4, 10);
        var foreignEvidence = await (await Step(unitKey, assessment, "appeal", new { reasons = "Keberatan", evidenceIds = new[] { Guid.NewGuid() } })).Problem(HttpStatusCode.BadRequest);
        await (await Step(unitKey, assessment, "appeal", new { reasons = "Keberatan" })).Json(HttpStatusCode.OK);
        await (await Step(s.Evaluator, assessment, "appeal/decision", new { outcome = "accepted" })).Json(HttpStatusCode.OK);
        await (await Step(s.Evaluator, assessment, "administrative-selection", Failed("2026-04-10", "2026-04-20"))).Json(HttpStatusCode.OK);
        var second = await (await Step(s.Inspectorate, assessment, "appeal", new { reasons = "Keberatan lagi" })).Problem(HttpStatusCode.UnprocessableEntity);
        var history = await (await s.Admin.GetAsync($"/api/v1/assessments/{assessment}/history")).Json(HttpStatusCode.OK);

        Assert.NotEmpty(missingWindow.Errors("appealClosesOn"));
        Assert.Equal("appeal_outside_window", early.GetProperty("rule").GetString());
        Assert.Equal("2026-04-03", early.GetProperty("appealOpensOn").GetString());
        Assert.Equal("appeal_outside_window", late.GetProperty("rule").GetString());
        Assert.Contains("2026-04-10", late.GetProperty("detail").GetString());
        Assert.Equal("expired", expired.GetProperty("national").GetProperty("appeal").GetProperty("status").GetString());
        Assert.NotEmpty(foreignEvidence.Errors("evidenceIds[0]"));
        Assert.Equal("one_appeal_per_unit_and_year", second.GetProperty("rule").GetString());
        Assert.Equal(1, Actions(history).Count(a => a == "appeal"));
    }

    [Fact]
    public async Task ARejectedAppealIsFinal()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var (_, assessment) = await Proposed(s, "A", 1);
        await (await Step(s.Evaluator, assessment, "administrative-selection", Failed("2026-04-01", "2026-04-10"))).Json(HttpStatusCode.OK);
        await (await Step(s.Inspectorate, assessment, "appeal", new { reasons = "Keberatan" })).Json(HttpStatusCode.OK);
        var byUnitSide = await (await Step(s.Inspectorate, assessment, "appeal/decision", new { outcome = "accepted" })).Problem(HttpStatusCode.Forbidden);

        var rejected = await (await Step(s.Evaluator, assessment, "appeal/decision", new { outcome = "rejected", note = "Tidak terbukti" })).Json(HttpStatusCode.OK);
        var after = await (await Step(s.Evaluator, assessment, "decide", new { outcome = "not_designated", decreeNumber = "SK 1/2026", decreeDate = "2026-04-01" })).Problem(HttpStatusCode.Conflict);
        var national = await (await s.Admin.GetAsync($"/api/v1/assessments/{assessment}/national-evaluation")).Json(HttpStatusCode.OK);

        Assert.Contains("Forbidden", byUnitSide.GetProperty("title").GetString());
        Assert.Equal("appeal_rejected", rejected.GetProperty("status").GetString());
        Assert.Contains("none (final)", after.GetProperty("detail").GetString());
        Assert.Equal("rejected", national.GetProperty("appeal").GetProperty("status").GetString());
        Assert.Equal("Tidak terbukti", national.GetProperty("appeal").GetProperty("decisionNote").GetString());
    }

    [Fact]
    public async Task FollowUpsBlockTheDeskEvaluationUntilMetOrWaivedAndOnceOverdueOnlyTheTpnCanWaiveThem()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var (unit, assessment) = await Proposed(s, "A", 1);
        await (await Step(s.Evaluator, assessment, "administrative-selection", new
        {
            outcome = "lulus_dengan_catatan", heldOn = "2026-04-01", followUpsDueOn = "2026-04-08",
            followUps = new[] { new { kind = "lke_workbook", description = "LKE reviu TPI" }, new { kind = "document", description = "Notulen rapat" } },
        })).Json(HttpStatusCode.OK);
        var items = (await FollowUps(s, assessment)).GetProperty("items").EnumerateArray().Select(i => i.Id()).ToList();

        var stale = await (await Step(s.Inspectorate, assessment, $"follow-ups/{items[0]}/fulfilment", new { tpiLayerStamp = "tpi:1:20200101T000000Z" })).Problem(HttpStatusCode.UnprocessableEntity);
        var wrongKind = await (await Step(s.Inspectorate, assessment, $"follow-ups/{items[1]}/fulfilment", new { tpiLayerStamp = "tpi:0" })).Problem(HttpStatusCode.BadRequest);
        At(s, 4, 9);
        var overdue = await (await Step(s.Inspectorate, assessment, $"follow-ups/{items[1]}/fulfilment", new { evidenceId = Guid.NewGuid() })).Problem(HttpStatusCode.UnprocessableEntity);
        var blocked = await (await Step(s.Evaluator, assessment, "desk-evaluation", new { heldOn = "2026-04-09" })).Problem(HttpStatusCode.UnprocessableEntity);
        var flagged = await (await s.Admin.GetAsync($"/api/v1/compliance?agencyId={s.Agency}&flag=follow_ups_overdue")).Json(HttpStatusCode.OK);
        var byStage = await (await s.Admin.GetAsync($"/api/v1/compliance?agencyId={s.Agency}&nationalStage=passed_with_notes")).Json(HttpStatusCode.OK);
        var otherStage = await (await s.Admin.GetAsync($"/api/v1/compliance?agencyId={s.Agency}&nationalStage=appealed")).Json(HttpStatusCode.OK);
        var badStage = await (await s.Admin.GetAsync("/api/v1/compliance?nationalStage=lulus")).Problem(HttpStatusCode.BadRequest);
        var unitWaives = await (await Step(s.Inspectorate, assessment, $"follow-ups/{items[0]}/waiver", new { reason = "x" })).Problem(HttpStatusCode.Forbidden);
        var noReason = await (await Step(s.Evaluator, assessment, $"follow-ups/{items[0]}/waiver", new { })).Problem(HttpStatusCode.BadRequest);
        await (await Step(s.Evaluator, assessment, $"follow-ups/{items[0]}/waiver", new { reason = "LKE diterima melalui PortalRB" })).Json(HttpStatusCode.OK);
        var stillOne = await (await Step(s.Evaluator, assessment, "desk-evaluation", new { heldOn = "2026-04-09" })).Problem(HttpStatusCode.UnprocessableEntity);
        var waived = await (await Step(s.Evaluator, assessment, $"follow-ups/{items[1]}/waiver", new { reason = "Notulen tidak diperlukan" })).Json(HttpStatusCode.OK);
        var twice = await (await Step(s.Evaluator, assessment, $"follow-ups/{items[1]}/waiver", new { reason = "lagi" })).Problem(HttpStatusCode.Conflict);
        var desk = await (await Step(s.Evaluator, assessment, "desk-evaluation", new { heldOn = "2026-04-09" })).Json(HttpStatusCode.OK);
        var compliance = await (await s.Admin.GetAsync($"/api/v1/units/{unit}/compliance")).Json(HttpStatusCode.OK);

        Assert.Equal("workbook_stale", stale.GetProperty("rule").GetString());
        Assert.NotEmpty(wrongKind.Errors("tpiLayerStamp"));
        Assert.Equal("follow_ups_overdue", overdue.GetProperty("rule").GetString());
        Assert.Equal("follow_ups_overdue", blocked.GetProperty("rule").GetString());
        Assert.Equal(unit, Assert.Single(flagged.GetProperty("items").EnumerateArray()).GetProperty("unitId").GetGuid());
        Assert.Equal(1, byStage.GetProperty("total").GetInt32());
        Assert.Equal(2, byStage.GetProperty("items")[0].GetProperty("national").GetProperty("overdueFollowUps").GetInt32());
        Assert.Equal(0, otherStage.GetProperty("total").GetInt32());
        Assert.NotEmpty(badStage.Errors("nationalStage"));
        Assert.Contains("Forbidden", unitWaives.GetProperty("title").GetString());
        Assert.NotEmpty(noReason.Errors("reason"));
        Assert.Equal("follow_ups_overdue", stillOne.GetProperty("rule").GetString());
        Assert.Single(stillOne.GetProperty("openFollowUps").EnumerateArray());
        Assert.Equal("Notulen tidak diperlukan", waived.GetProperty("waiverReason").GetString());
        Assert.Equal("waived", twice.GetProperty("followUpStatus").GetString());
        Assert.Equal("desk_evaluated", desk.GetProperty("status").GetString());
        Assert.Equal("proposed", compliance.GetProperty("stage").GetString());
        Assert.Equal("desk_evaluated", compliance.GetProperty("national").GetProperty("stage").GetString());
        Assert.DoesNotContain("follow_ups_overdue", compliance.GetProperty("flags").EnumerateArray().Select(f => f.GetString()));
    }

    [Fact]
    public async Task TheTpnMayEndAConditionalPassWhoseFollowUpsWereNotDeliveredAndEvaluationsKeepTheirDateOrder()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var (_, ordered) = await Proposed(s, "A-URUT", 1);
        var (_, noted) = await Proposed(s, "B-CATATAN", 30);
        At(s, 4, 5);
        await (await Step(s.Evaluator, ordered, "administrative-selection", new { outcome = "lulus", heldOn = "2026-04-05" })).Json(HttpStatusCode.OK);
        await (await Step(s.Evaluator, noted, "administrative-selection", new { outcome = "lulus_dengan_catatan", heldOn = "2026-04-05", followUpsDueOn = "2026-04-06" })).Json(HttpStatusCode.OK);

        var deskTooEarly = await (await Step(s.Evaluator, ordered, "desk-evaluation", new { heldOn = "2026-04-04" })).Problem(HttpStatusCode.UnprocessableEntity);
        var deskWithMode = await (await Step(s.Evaluator, ordered, "desk-evaluation", new { heldOn = "2026-04-05", mode = "online" })).Problem(HttpStatusCode.BadRequest);
        await (await Step(s.Evaluator, ordered, "desk-evaluation", new { heldOn = "2026-04-05" })).Json(HttpStatusCode.OK);
        var fieldWithoutMode = await (await Step(s.Evaluator, ordered, "field-evaluation", new { heldOn = "2026-04-05" })).Problem(HttpStatusCode.BadRequest);
        var fieldBadMode = await (await Step(s.Evaluator, ordered, "field-evaluation", new { heldOn = "2026-04-05", mode = "telepon" })).Problem(HttpStatusCode.BadRequest);
        var fieldTooEarly = await (await Step(s.Evaluator, ordered, "field-evaluation", new { heldOn = "2026-04-04", mode = "online" })).Problem(HttpStatusCode.UnprocessableEntity);
        var future = await (await Step(s.Evaluator, ordered, "field-evaluation", new { heldOn = "2026-04-30", mode = "online" })).Problem(HttpStatusCode.BadRequest);
        At(s, 4, 10);
        var ended = await (await Step(s.Evaluator, noted, "decide",
            new { outcome = "not_designated", decreeNumber = "SK 7/2026", decreeDate = "2026-04-10", recommendations = "SPTJM tidak disampaikan" })).Json(HttpStatusCode.OK);
        var items = (await FollowUps(s, noted)).GetProperty("items").EnumerateArray().ToList();
        var lateFulfilment = await (await Step(s.Inspectorate, noted, $"follow-ups/{items[0].Id()}/fulfilment", new { tpiLayerStamp = "tpi:0" })).Problem(HttpStatusCode.Conflict);

        Assert.Equal("evaluation_date_order", deskTooEarly.GetProperty("rule").GetString());
        Assert.Equal("2026-04-05", deskTooEarly.GetProperty("earliest").GetString());
        Assert.NotEmpty(deskWithMode.Errors("mode"));
        Assert.NotEmpty(fieldWithoutMode.Errors("mode"));
        Assert.NotEmpty(fieldBadMode.Errors("mode"));
        Assert.Equal("evaluation_date_order", fieldTooEarly.GetProperty("rule").GetString());
        Assert.NotEmpty(future.Errors("heldOn"));
        Assert.Equal("not_designated", ended.GetProperty("status").GetString());
        Assert.All(items, i => Assert.Equal("open", i.GetProperty("status").GetString()));
        Assert.Equal("not_designated", lateFulfilment.GetProperty("currentStatus").GetString());
    }
}

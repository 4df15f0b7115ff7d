using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;

namespace ZonaIntegritas.Api.Features.Assessments;

public static class ScoreEndpoints
{
    public static RouteGroupBuilder MapScores(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/assessments/{id:guid}").WithTags("Assessments (LKE)");

        group.MapGet("/score", GetScore)
            .WithName(nameof(GetScore))
            .WithSummary("Score one answer layer and judge WBK and WBBM eligibility")
            .WithDescription("""
                `layer`: self, tpi (default) or tpn; each layer is scored on its own answers, as the Lampiran III workbook does
                (docs/scoring.md): a sub-indicator scores the AVERAGE of its answered items' values × its weight (blank items are
                left out; none answered scores 0 and is listed in `blankSubIndicators`); parts, areas and the total are sums, in
                exact decimals. A percentage is blank until every one of its required count inputs is filled. Thresholds are
                compared on the exact figures (`exact` in each rule), never on the 2-decimal figures shown: 74.995 is not 75.
                Every eligibility rule is reported, passing or not: `complete` (every scored item answered; `blank` lists the
                rest), total, pengungkit, each area's minimum on the whole area, bersih-dan-akuntabel, IPAK, capaian kinerja,
                IPKP, and for WBBM a WBK already held (unknown until designations are recorded). Each area shows `answered` and
                `scored` counts. A percentage with a zero denominator scores 0 with a warning (SDM.R.3.a with 0 and 0 is 100%).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/gap", GetGap)
            .WithName(nameof(GetGap))
            .WithSummary("The fewest answer improvements that would make the assessment eligible")
            .WithDescription("""
                `layer` (default tpi) and `target` (default the assessment's). Returns the steps {itemCode, from, to, gain} with the
                projected total and rule results, or `reachable: false` with the rules no answer can satisfy (such as the IPAK and
                IPKP survey values, which come from external surveys). Every blank item is a step (`from` null), since an incomplete
                layer is never eligible. Fewest steps first, then the smallest total change; exact for the per-area minimums even
                though answering a blank can lower an average (see docs/scoring.md).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Ok<ScoreReport>, ValidationProblem, ProblemHttpResult>> GetScore(
        Guid id, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, string? layer, CancellationToken cancellationToken)
    {
        layer ??= Layers.Tpi;
        if (!Layers.All.Contains(layer))
        {
            return AnswerStore.UnknownLayer(layer);
        }
        return await Inputs(db, caller, catalogue, id, layer, cancellationToken) is { } inputs
            ? TypedResults.Ok(ScoreCalculator.Calculate(inputs.Framework, inputs.Answers, inputs.HoldsWbk, layer))
            : Problems.NotFound("Assessment", id);
    }

    public static async Task<Results<Ok<GapReport>, ValidationProblem, ProblemHttpResult>> GetGap(
        Guid id, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, string? layer, string? target, CancellationToken cancellationToken)
    {
        layer ??= Layers.Tpi;
        if (!Layers.All.Contains(layer))
        {
            return AnswerStore.UnknownLayer(layer);
        }
        if (target is not null && !CreateAssessmentRequestValidator.Targets.Contains(target))
        {
            return Problems.Invalid("target", $"target must be WBK or WBBM; got '{target}'.");
        }
        return await Inputs(db, caller, catalogue, id, layer, cancellationToken) is { } inputs
            ? TypedResults.Ok(GapAnalysis.Find(inputs.Framework, inputs.Answers, target ?? inputs.Assessment.Target, inputs.HoldsWbk))
            : Problems.NotFound("Assessment", id);
    }

    private sealed record ScoringInputs(Assessment Assessment, Framework Framework, IReadOnlyDictionary<string, string> Answers, bool? HoldsWbk);

    /// <summary>What scoring a layer reads: the assessment (null when the caller may not see it), its framework, the layer's answers, an active WBK.</summary>
    private static async Task<ScoringInputs?> Inputs(DbConnectionFactory db, Caller caller, FrameworkCatalogue catalogue, Guid id, string layer,
        CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AssessmentQueries.FindVisible(connection, caller, id) is not { } assessment)
        {
            return null;
        }
        catalogue.TryGet(assessment.FrameworkCode, out var framework);
        var answers = await AnswerStore.LoadValues(connection, id, layer);
        return new ScoringInputs(assessment, framework!, answers, await Designations.DesignationRules.HoldsActiveWbk(connection, assessment.UnitId));
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;
using ZonaIntegritas.Api.Http;

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
                `layer`: self, tpi (default) or tpn; each layer is scored on its own answers. Item score = option score × item weight
                (sub-indicator weight ÷ its scored items), summed up the tree in exact decimals; figures are rounded to 2 decimals
                (half away from zero) and thresholds are compared on the rounded figures. Every eligibility rule is reported, passing
                or not: total, pengungkit, each area's minimum on the whole area, bersih-dan-akuntabel, IPAK, capaian kinerja, IPKP,
                and for WBBM a WBK already held (reported as unknown until designations are recorded).
                Unanswered items score 0 and are listed; a percentage with a zero denominator scores 0 with a warning.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/gap", GetGap)
            .WithName(nameof(GetGap))
            .WithSummary("The fewest answer improvements that would make the assessment eligible")
            .WithDescription("""
                `layer` (default tpi) and `target` (default the assessment's). Returns the steps {itemCode, from, to, gain} with the
                projected total and rule results, or `reachable: false` with the rules no answer can satisfy (such as the IPAK and
                IPKP survey values, which come from external surveys). Fewest steps first, then the smallest total change; exact for
                the per-area minimums (see docs/scoring.md).
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
            return AnswerEndpoints.UnknownLayer(layer);
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        var assessment = await AssessmentEndpoints.FindVisible(connection, caller, id);
        if (assessment is null)
        {
            return Problems.NotFound("Assessment", id);
        }
        catalogue.TryGet(assessment.FrameworkCode, out var framework);
        var answers = await AnswerEndpoints.LoadValues(connection, id, layer);
        var holdsWbk = await Designations.DesignationRules.HoldsActiveWbk(connection, assessment.UnitId);
        return TypedResults.Ok(ScoreCalculator.Calculate(framework!, answers, holdsWbk, layer));
    }

    public static async Task<Results<Ok<GapReport>, ValidationProblem, ProblemHttpResult>> GetGap(
        Guid id, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, string? layer, string? target, CancellationToken cancellationToken)
    {
        layer ??= Layers.Tpi;
        if (!Layers.All.Contains(layer))
        {
            return AnswerEndpoints.UnknownLayer(layer);
        }
        if (target is not null && !CreateAssessmentRequestValidator.Targets.Contains(target))
        {
            return Problems.Invalid("target", $"target must be WBK or WBBM; got '{target}'.");
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        var assessment = await AssessmentEndpoints.FindVisible(connection, caller, id);
        if (assessment is null)
        {
            return Problems.NotFound("Assessment", id);
        }
        catalogue.TryGet(assessment.FrameworkCode, out var framework);
        var answers = await AnswerEndpoints.LoadValues(connection, id, layer);
        var holdsWbk = await Designations.DesignationRules.HoldsActiveWbk(connection, assessment.UnitId);
        return TypedResults.Ok(GapAnalysis.Find(framework!, answers, target ?? assessment.Target, holdsWbk));
    }
}

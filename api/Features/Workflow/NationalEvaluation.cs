using System.Data.Common;
using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Http;
using ZonaIntegritas.Api.Http.OpenApi;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>
/// Where a unit's appeal stands: <c>available</c> (tidak_lulus, window open, none filed), <c>expired</c> (window closed,
/// none filed), <c>filed</c>, <c>accepted</c> or <c>rejected</c>; with the window the TPN set.
/// </summary>
public sealed record AppealStanding(
    [property: Vocabulary(typeof(NationalEvaluation), nameof(NationalEvaluation.AppealStatuses))] string Status, DateOnly? OpensOn, DateOnly? ClosesOn);

/// <summary>The national stage of a proposed assessment, its dates, open follow-ups and appeal, for compliance documents.</summary>
public sealed record NationalStanding(
    [property: Vocabulary(typeof(AssessmentStatus), nameof(AssessmentStatus.National))] string Stage,
    [property: Vocabulary(typeof(AdministrativeSelection), nameof(AdministrativeSelection.Outcomes))] string? SelectionOutcome,
    DateOnly? SelectedOn, DateOnly? DeskEvaluatedOn, DateOnly? FieldEvaluatedOn,
    [property: Vocabulary(typeof(StageRecords), nameof(StageRecords.Modes))] string? FieldEvaluationMode,
    DateOnly? DecidedOn, int OpenFollowUps, int OverdueFollowUps, DateOnly? FollowUpsDueOn, AppealStanding? Appeal);

/// <summary>Everything recorded about an assessment's national evaluation.</summary>
public sealed record NationalEvaluationRecord(
    Guid AssessmentId,
    [property: Vocabulary(typeof(AssessmentStatus), nameof(AssessmentStatus.All))] string Status,
    NationalStanding? Standing, StageRecord? Selection, StageRecord? DeskEvaluation, StageRecord? FieldEvaluation, StageRecord? Decision,
    IReadOnlyList<FollowUp> FollowUps, Appeal? Appeal, ProposalPrerequisitesStanding Prerequisites);

public static class NationalEvaluation
{
    public static readonly string[] AppealStatuses = ["available", "expired", Appeals.Filed, Appeals.Accepted, Appeals.Rejected];

    public static RouteGroupBuilder MapNationalEvaluation(this RouteGroupBuilder api)
    {
        api.MapGet("/assessments/{id:guid}/national-evaluation", GetNationalEvaluation).WithTags("National evaluation")
            .WithName(nameof(GetNationalEvaluation))
            .WithSummary("The assessment's national evaluation: stage, selection, evaluations, decision, follow-ups, appeal and prerequisites")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Ok<NationalEvaluationRecord>, ProblemHttpResult>> GetNationalEvaluation(
        Guid id, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AssessmentQueries.FindVisible(connection, caller, id) is not { } assessment)
        {
            return Problems.NotFound("Assessment", id);
        }
        var today = IndonesiaClock.Today(time);
        var stages = await StageRecords.Latest(connection, db.Dialect, id);
        var followUps = (await FollowUps.ForAssessments(connection, db.Dialect, [id], today))[id];
        var appeal = await Appeals.Find(connection, id);
        var prerequisites = (await ProposalPrerequisites.ForAssessments(connection, db.Dialect, [assessment]))[id];
        return TypedResults.Ok(new NationalEvaluationRecord(id, assessment.Status, Standing(assessment.Status, stages, followUps, appeal, today),
            stages.GetValueOrDefault(StageRecords.Selection), stages.GetValueOrDefault(StageRecords.DeskEvaluation), stages.GetValueOrDefault(StageRecords.FieldEvaluation),
            stages.GetValueOrDefault(StageRecords.Decision), followUps, appeal, prerequisites));
    }

    /// <summary>The standings of many assessments (null for those not proposed), with a fixed number of queries.</summary>
    public static async Task<Dictionary<Guid, NationalStanding?>> ForAssessments(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Assessment> assessments, DateOnly today)
    {
        var proposed = assessments.Where(a => AssessmentStatus.National.Contains(a.Status)).Select(a => a.Id).ToList();
        var stages = await StageRecords.ForAssessments(connection, dialect, proposed);
        var followUps = await FollowUps.ForAssessments(connection, dialect, proposed, today);
        var appeals = await Appeals.ForAssessments(connection, dialect, proposed);
        return assessments.ToDictionary(a => a.Id, a => proposed.Contains(a.Id)
            ? Standing(a.Status, stages.GetValueOrDefault(a.Id) ?? [], followUps[a.Id], appeals.GetValueOrDefault(a.Id), today)
            : null);
    }

    private static NationalStanding? Standing(string status, Dictionary<string, StageRecord> stages, List<FollowUp> followUps, Appeal? appeal, DateOnly today)
    {
        if (!AssessmentStatus.National.Contains(status))
        {
            return null;
        }
        var selection = stages.GetValueOrDefault(StageRecords.Selection);
        var field = stages.GetValueOrDefault(StageRecords.FieldEvaluation);
        var open = followUps.Where(f => f.Status == "open").ToList();
        var window = appeal?.Status ?? (selection?.AppealClosesOn is { } closes ? (today > closes ? "expired" : "available") : null);
        return new NationalStanding(status, selection?.Outcome, selection?.HeldOn, stages.GetValueOrDefault(StageRecords.DeskEvaluation)?.HeldOn, field?.HeldOn, field?.Mode,
            stages.GetValueOrDefault(StageRecords.Decision)?.HeldOn, open.Count, open.Count(f => f.Overdue), open.Select(f => (DateOnly?)f.DueOn).Min(),
            window is null ? null : new AppealStanding(window, selection?.AppealOpensOn, selection?.AppealClosesOn));
    }
}

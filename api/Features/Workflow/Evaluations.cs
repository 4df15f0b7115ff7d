using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Http;
using ZonaIntegritas.Api.Http.OpenApi;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>A TPN evaluation: the day it was held, the evaluators' notes and recommendations; <c>mode</c> (field evaluation only): in_person or online.</summary>
public sealed record EvaluationRequest(DateOnly? HeldOn, string? Mode, string? Notes, string? Recommendations) : IHasExample<EvaluationRequest>
{
    public static EvaluationRequest Example => new(new DateOnly(2026, 8, 20), "online", "Wawancara pimpinan dan agen perubahan", "Perkuat survei IPK");
}

public sealed class EvaluationRequestValidator : AbstractValidator<EvaluationRequest>
{
    public EvaluationRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.HeldOn).NotNull().Must(d => d <= IndonesiaClock.Today(time)).WithMessage("heldOn must not be in the future.")
            .Must(d => d >= IndonesiaClock.EarliestZiEvent).WithMessage($"heldOn must be on or after {IndonesiaClock.EarliestZiEvent:yyyy-MM-dd}.");
        RuleFor(r => r.Mode).OneOf(StageRecords.Modes).WithMessage("mode must be in_person or online.");
        RuleFor(r => r.Notes).MaximumLength(4000);
        RuleFor(r => r.Recommendations).MaximumLength(4000);
    }
}

/// <summary>Desk evaluation (evaluasi dokumen) and field evaluation (evaluasi lapangan) by the TPN.</summary>
public static class Evaluations
{
    public static RouteGroupBuilder MapEvaluations(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/assessments/{id:guid}").WithTags("National evaluation").WithValidation();
        group.MapPost("/desk-evaluation", RecordDeskEvaluation).RequireAuthorization(Policies.Decide)
            .WithName(nameof(RecordDeskEvaluation))
            .WithSummary("The TPN records the desk evaluation (evaluasi dokumen): date, notes, recommendations")
            .WithDescription("""
                Evaluator or admin; from selection_passed, or from passed_with_notes once every follow-up is fulfilled or waived (otherwise
                422, rule follow_ups_open, or follow_ups_overdue when an open one is past its due date; the open items are listed). heldOn may
                not precede the selection (rule evaluation_date_order). → desk_evaluated. The TPN layer's answers stay open as before.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/field-evaluation", RecordFieldEvaluation).RequireAuthorization(Policies.Decide)
            .WithName(nameof(RecordFieldEvaluation))
            .WithSummary("The TPN records the field evaluation (evaluasi lapangan), in person or online")
            .WithDescription("Evaluator or admin; from desk_evaluated; `mode` is required. heldOn may not precede the desk evaluation (rule evaluation_date_order). → field_evaluated.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    public static async Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> RecordDeskEvaluation(
        Guid id, EvaluationRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.Mode is not null)
        {
            return Problems.Invalid("mode", "mode applies only to a field evaluation.");
        }
        return await WorkflowEndpoints.Move(id, "desk_evaluate", AssessmentStatus.DeskEvaluated, Note(request), caller, db, time, cancellationToken,
            async (connection, transaction, assessment) =>
            {
                var today = IndonesiaClock.Today(time);
                var open = (await FollowUps.ForAssessments(connection, db.Dialect, [assessment.Id], today, transaction))[assessment.Id].Where(f => f.Status == "open").ToList();
                if (open.Count > 0)
                {
                    var overdue = open.Any(f => f.Overdue);
                    return NationalRules.Refuse(overdue ? NationalRules.FollowUpsOverdue : NationalRules.FollowUpsOpen,
                        $"{open.Count} follow-up(s) of the conditional pass are {(overdue ? "overdue" : "still open")} "
                        + $"({string.Join(", ", open.Select(f => $"{f.Sequence} {f.Kind} due {f.DueOn:yyyy-MM-dd}"))}); each must be fulfilled or waived by the TPN first.",
                        new() { ["openFollowUps"] = open });
                }
                return await Record(connection, transaction, db.Dialect, caller, assessment, StageRecords.DeskEvaluation, StageRecords.Selection, request);
            });
    }

    public static async Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> RecordFieldEvaluation(
        Guid id, EvaluationRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        if (request.Mode is null)
        {
            return Problems.Invalid("mode", "mode is required for a field evaluation: in_person or online.");
        }
        return await WorkflowEndpoints.Move(id, "field_evaluate", AssessmentStatus.FieldEvaluated, Note(request), caller, db, time, cancellationToken,
            (connection, transaction, assessment) => Record(connection, transaction, db.Dialect, caller, assessment, StageRecords.FieldEvaluation, StageRecords.DeskEvaluation, request));
    }

    /// <summary>Records the stage after checking that it does not predate the stage before it.</summary>
    private static async Task<IResult?> Record(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction transaction, ISqlDialect dialect, Caller caller,
        Assessment assessment, string stage, string previous, EvaluationRequest request)
    {
        var heldOn = request.HeldOn!.Value;
        if ((await StageRecords.Latest(connection, dialect, assessment.Id, transaction)).GetValueOrDefault(previous) is { } before && heldOn < before.HeldOn)
        {
            return NationalRules.Refuse(NationalRules.EvaluationDateOrder,
                $"heldOn {heldOn:yyyy-MM-dd} is before the {previous.Replace('_', ' ')} of {before.HeldOn:yyyy-MM-dd}.", new() { ["earliest"] = before.HeldOn });
        }
        await StageRecords.Insert(connection, transaction, caller, assessment.Id, stage, null, heldOn, request.Mode, request.Notes, request.Recommendations);
        return null;
    }

    private static string? Note(EvaluationRequest request) =>
        request.Notes is { Length: > 1900 } notes ? notes[..1900] + "…" : request.Notes;
}

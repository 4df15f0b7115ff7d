using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Http;
using ZonaIntegritas.Api.Http.OpenApi;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>One item of a conditional pass's checklist: <c>kind</c> sptjm, lke_workbook or document.</summary>
public sealed record FollowUpItemRequest(string? Kind, string? Description);

/// <summary>
/// The TPN's administrative selection (seleksi administrasi). <c>lulus_dengan_catatan</c> needs <c>followUpsDueOn</c>
/// (the checklist defaults to the SPTJM and the TPI-reviewed LKE workbook); <c>tidak_lulus</c> needs <c>appealClosesOn</c>
/// (the appeal window opens on <c>appealOpensOn</c>, default the selection day).
/// </summary>
public sealed record SelectionRequest(
    string? Outcome, DateOnly? HeldOn, string? Notes, string? Recommendations, DateOnly? FollowUpsDueOn, IReadOnlyList<FollowUpItemRequest>? FollowUps,
    DateOnly? AppealOpensOn, DateOnly? AppealClosesOn) : IHasExample<SelectionRequest>
{
    public static SelectionRequest Example => new(AdministrativeSelection.PassedWithNotes, new DateOnly(2026, 7, 10), "Dokumen lengkap kecuali SPTJM", null,
        new DateOnly(2026, 7, 24), [new(Workflow.FollowUps.Sptjm, "SPTJM bertanda tangan pimpinan unit")], null, null);
}

public sealed class SelectionRequestValidator : AbstractValidator<SelectionRequest>
{
    public SelectionRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.Outcome).NotEmpty().OneOf(AdministrativeSelection.Outcomes)
            .WithMessage($"outcome must be one of: {string.Join(", ", AdministrativeSelection.Outcomes)}.");
        RuleFor(r => r.HeldOn).NotNull().Must(d => d <= IndonesiaClock.Today(time)).WithMessage("heldOn must not be in the future.")
            .Must(d => d >= IndonesiaClock.EarliestZiEvent).WithMessage($"heldOn must be on or after {IndonesiaClock.EarliestZiEvent:yyyy-MM-dd}.");
        RuleFor(r => r.Notes).MaximumLength(4000);
        RuleFor(r => r.Recommendations).MaximumLength(4000);
        When(r => r.Outcome == AdministrativeSelection.PassedWithNotes, () =>
        {
            RuleFor(r => r.FollowUpsDueOn).NotNull().WithMessage("followUpsDueOn is required for lulus_dengan_catatan.")
                .GreaterThanOrEqualTo(r => r.HeldOn).When(r => r.HeldOn is not null).WithMessage("followUpsDueOn must be on or after heldOn.");
            RuleFor(r => r.FollowUps).Must(f => f is null || f.Count is > 0 and <= 20).WithMessage("followUps must list 1 to 20 items (or be left out for the default checklist).");
            RuleForEach(r => r.FollowUps).NotNull().WithMessage("a follow-up item must be an object with kind and description.").ChildRules(item =>
            {
                item.RuleFor(i => i.Kind).NotEmpty().OneOf(FollowUps.Kinds).WithMessage($"kind must be one of: {string.Join(", ", FollowUps.Kinds)}.");
                item.RuleFor(i => NormalizedText.Of(i.Description)).NotEmpty().MaximumLength(500).OverridePropertyName("Description");
            });
        }).Otherwise(() =>
        {
            RuleFor(r => r.FollowUpsDueOn).Null().WithMessage("followUpsDueOn applies only to lulus_dengan_catatan.");
            RuleFor(r => r.FollowUps).Null().WithMessage("followUps apply only to lulus_dengan_catatan.");
        });
        When(r => r.Outcome == AdministrativeSelection.Failed, () =>
        {
            RuleFor(r => r.AppealClosesOn).NotNull().WithMessage("appealClosesOn is required for tidak_lulus: the last day the unit may appeal.")
                .GreaterThanOrEqualTo(r => r.AppealOpensOn ?? r.HeldOn).When(r => r.HeldOn is not null).WithMessage("appealClosesOn must be on or after the window opens.");
            RuleFor(r => r.AppealOpensOn).GreaterThanOrEqualTo(r => r.HeldOn).When(r => r.HeldOn is not null && r.AppealOpensOn is not null)
                .WithMessage("appealOpensOn must be on or after heldOn.");
        }).Otherwise(() =>
        {
            RuleFor(r => r.AppealOpensOn).Null().WithMessage("appealOpensOn applies only to tidak_lulus.");
            RuleFor(r => r.AppealClosesOn).Null().WithMessage("appealClosesOn applies only to tidak_lulus.");
        });
    }
}

public static class AdministrativeSelection
{
    public const string Passed = "lulus";
    public const string PassedWithNotes = "lulus_dengan_catatan";
    public const string Failed = "tidak_lulus";
    public static readonly string[] Outcomes = [Passed, PassedWithNotes, Failed];

    public static RouteGroupBuilder MapAdministrativeSelection(this RouteGroupBuilder api)
    {
        api.MapGroup("/assessments/{id:guid}").WithTags("National evaluation").WithValidation()
            .MapPost("/administrative-selection", RecordSelection).RequireAuthorization(Policies.Decide)
            .WithName(nameof(RecordSelection))
            .WithSummary("The TPN records the administrative selection: lulus, lulus_dengan_catatan (with follow-ups) or tidak_lulus")
            .WithDescription("""
                Evaluator or admin; from proposed (action select). lulus → selection_passed; lulus_dengan_catatan → passed_with_notes with the
                checklist of follow-ups due by followUpsDueOn (default: SPTJM and the TPI-reviewed LKE workbook); tidak_lulus →
                selection_failed, appealable once within appealOpensOn..appealClosesOn. heldOn may not precede the assessment year.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> RecordSelection(
        Guid id, SelectionRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        var to = request.Outcome switch
        {
            Passed => AssessmentStatus.SelectionPassed,
            PassedWithNotes => AssessmentStatus.PassedWithNotes,
            _ => AssessmentStatus.SelectionFailed,
        };
        var heldOn = request.HeldOn!.Value;
        var items = request.FollowUps?.Select(f => (f.Kind!, NormalizedText.Of(f.Description)!)).ToList() ?? FollowUps.DefaultChecklist;
        return await WorkflowEndpoints.Move(id, "select", to, Summary(request), caller, db, time, cancellationToken, async (connection, transaction, assessment) =>
        {
            if (heldOn.Year < assessment.Year)
            {
                return Problems.Invalid("heldOn", $"heldOn {heldOn:yyyy-MM-dd} is before the assessment's year {assessment.Year}.");
            }
            var selectionId = await StageRecords.Insert(connection, transaction, caller, assessment.Id, StageRecords.Selection, request.Outcome, heldOn,
                notes: request.Notes, recommendations: request.Recommendations, followUpsDueOn: request.FollowUpsDueOn,
                appealOpensOn: request.Outcome == Failed ? request.AppealOpensOn ?? heldOn : null, appealClosesOn: request.AppealClosesOn);
            if (request.Outcome == PassedWithNotes)
            {
                await FollowUps.Create(connection, transaction, caller, assessment, selectionId, items, request.FollowUpsDueOn!.Value);
            }
            return null;
        });
    }

    private static string Summary(SelectionRequest request) =>
        request.Notes is { Length: > 0 } notes ? $"{request.Outcome}: {(notes.Length > 1900 ? notes[..1900] + "…" : notes)}" : request.Outcome!;
}

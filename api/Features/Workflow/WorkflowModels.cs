using FluentValidation;
using ZonaIntegritas.Api.Features.Assessments;

namespace ZonaIntegritas.Api.Features.Workflow;

public sealed record TransitionRequest(string? Note) : IHasExample<TransitionRequest>
{
    public static TransitionRequest Example => new("Sesuai dengan data dukung");
}

/// <summary><c>afirmasi</c>: an affirmative-action proposal (hospitals, schools, regional labs); PortalRB reports WBK-AFIRMASI.</summary>
public sealed record ProposeRequest(string? Note, bool? Afirmasi) : IHasExample<ProposeRequest>
{
    public static ProposeRequest Example => new("Diusulkan ke TPN", false);
}

/// <summary><c>recommendations</c>: the TPN's recommendations to the unit, kept with the decision (typically when not designated).</summary>
public sealed record DecisionRequest(string? Outcome, string? DecreeNumber, DateOnly? DecreeDate, string? Note, string? Recommendations = null) : IHasExample<DecisionRequest>
{
    public static DecisionRequest Example => new(AssessmentStatus.Designated, "SK MENPANRB 100/2026", new DateOnly(2026, 11, 20), null, null);
}

public sealed record Transition
{
    public int Sequence { get; init; }
    [Vocabulary(typeof(AssessmentStatus), nameof(AssessmentStatus.Actions))]
    public string Action { get; init; } = "";
    [Vocabulary(typeof(AssessmentStatus), nameof(AssessmentStatus.All))]
    public string FromStatus { get; init; } = "";
    [Vocabulary(typeof(AssessmentStatus), nameof(AssessmentStatus.All))]
    public string ToStatus { get; init; } = "";
    public string? Note { get; init; }
    public DateTimeOffset TransitionedAt { get; init; }
    public Guid ByKey { get; init; }
}

public sealed class TransitionRequestValidator : AbstractValidator<TransitionRequest>
{
    public TransitionRequestValidator() => RuleFor(r => r.Note).MaximumLength(2000);
}

public sealed class ProposeRequestValidator : AbstractValidator<ProposeRequest>
{
    public ProposeRequestValidator() => RuleFor(r => r.Note).MaximumLength(2000);
}

public sealed class DecisionRequestValidator : AbstractValidator<DecisionRequest>
{
    public DecisionRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.Outcome).NotEmpty().OneOf([AssessmentStatus.Designated, AssessmentStatus.NotDesignated]).WithMessage("outcome must be designated or not_designated.");
        RuleFor(r => NormalizedText.Of(r.DecreeNumber)).NotEmpty().MaximumLength(200).OverridePropertyName("DecreeNumber");
        RuleFor(r => r.DecreeDate).NotNull().Must(d => d <= IndonesiaClock.Today(time)).WithMessage("decreeDate must not be in the future.")
            .Must(d => d >= IndonesiaClock.EarliestZiEvent).WithMessage($"decreeDate must be on or after {IndonesiaClock.EarliestZiEvent:yyyy-MM-dd}.");
        RuleFor(r => r.Note).MaximumLength(2000);
        RuleFor(r => r.Recommendations).MaximumLength(4000);
    }
}

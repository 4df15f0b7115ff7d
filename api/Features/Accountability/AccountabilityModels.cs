using System.Globalization;
using System.Text.RegularExpressions;
using FluentValidation;

namespace ZonaIntegritas.Api.Features.Accountability;

public static class Directions
{
    public const string HigherIsBetter = "higher_is_better";
    public const string LowerIsBetter = "lower_is_better";
    public static readonly string[] All = [HigherIsBetter, LowerIsBetter];
}

/// <summary><c>sasaran</c>: optional, the objective (sasaran kinerja) the indicator measures; indicators sharing one are counted as one sasaran by derive.</summary>
public sealed record CreatePerformanceTargetRequest(int? Year, string? Indicator, string? UnitOfMeasure, decimal? Target, string? Direction, string? Sasaran = null)
    : IHasExample<CreatePerformanceTargetRequest>
{
    public static CreatePerformanceTargetRequest Example => new(2026, "Indeks kepuasan masyarakat", "indeks", 80m, Directions.HigherIsBetter, "Meningkatnya kualitas pelayanan publik");
}

public sealed record RealisationRequest(string? Period, decimal? Value) : IHasExample<RealisationRequest>
{
    public static RealisationRequest Example => new("2026-08", 92m);
}

public sealed record BudgetCeilingRequest([property: Money] decimal? Ceiling) : IHasExample<BudgetCeilingRequest>
{
    public static BudgetCeilingRequest Example => new(669_440_000_000.00m);
}

public sealed record BudgetRealisationRequest(int? Month, [property: Money] decimal? Amount, decimal? PhysicalProgressPercent)
    : IHasExample<BudgetRealisationRequest>
{
    public static BudgetRealisationRequest Example => new(8, 55_800_000_000.37m, 61.5m);
}

public sealed record MilestoneInput(int? Month, decimal? MinPercent) : IHasExample<MilestoneInput>
{
    public static MilestoneInput Example => new(8, 60m);
}

/// <summary>Achievement of one target: <c>percent</c> is raw (null when unbounded), <c>displayPercent</c> is capped.</summary>
public sealed record Achievement(decimal? Percent, decimal DisplayPercent, bool Met);

/// <summary>One sasaran of a year as derive counts it: null <c>sasaran</c> for a target that names none (its own sasaran).</summary>
public sealed record SasaranStanding(string? Sasaran, IReadOnlyList<string> Indicators, decimal MeanCappedPercent, bool Met);

public sealed record Realisation(string Period, decimal Value, DateTimeOffset RecordedAt, Guid RecordedBy);

public sealed record PerformanceTarget(
    Guid Id,
    Guid UnitId,
    int Year,
    string Indicator,
    string? Sasaran,
    string UnitOfMeasure,
    decimal Target,
    string Direction,
    DateTimeOffset CreatedAt,
    Guid CreatedBy,
    IReadOnlyList<Realisation> Realisations,
    Realisation? Latest,
    Achievement? Achievement);

public sealed record BudgetMonth(int Month, [property: Money] decimal Amount, [property: Money] decimal Cumulative, decimal AbsorptionPercent, decimal PhysicalProgressPercent,
    DateTimeOffset RecordedAt, Guid RecordedBy);

public sealed record Budget(
    Guid UnitId,
    int Year,
    [property: Money] decimal Ceiling,
    [property: Money] decimal Realised,
    decimal AbsorptionPercent,
    decimal? PhysicalProgressPercent,
    DateTimeOffset UpdatedAt,
    Guid UpdatedBy,
    IReadOnlyList<BudgetMonth> Months);

public sealed record Milestone(int Month, decimal MinPercent);

public sealed record MilestoneSchedule(Guid AgencyId, int Year, IReadOnlyList<Milestone> Milestones);

/// <summary>Limits shared by the validators and the handlers that check the same fields.</summary>
public static partial class AccountabilityLimits
{
    /// <summary>10^15 rupiah (a thousand trillion) is above any unit's pagu and keeps sen sums far inside a 64-bit integer.</summary>
    public const decimal MaximumRupiah = 1_000_000_000_000_000m;
    public const decimal MaximumIndicatorValue = 1_000_000_000_000m;

    public static bool HasAtMostDecimals(decimal value, int decimals) => value == Math.Round(value, decimals);

    /// <summary>Parses "yyyy-mm"; false for anything else.</summary>
    public static bool TryParsePeriod(string? text, out int year, out int month)
    {
        year = month = 0;
        return text is not null && PeriodPattern().IsMatch(text)
            && int.TryParse(text[..4], NumberStyles.None, CultureInfo.InvariantCulture, out year)
            && int.TryParse(text[5..], NumberStyles.None, CultureInfo.InvariantCulture, out month)
            && month is >= 1 and <= 12;
    }

    [GeneratedRegex("^[0-9]{4}-[0-9]{2}$")]
    private static partial Regex PeriodPattern();
}

public sealed class CreatePerformanceTargetRequestValidator : AbstractValidator<CreatePerformanceTargetRequest>
{
    public CreatePerformanceTargetRequestValidator()
    {
        RuleFor(r => r.Year).NotNull().ValidYear();
        RuleFor(r => NormalizedText.Of(r.Indicator)).NotEmpty().MaximumLength(300).OverridePropertyName("Indicator");
        RuleFor(r => r.Sasaran).Must(s => s is null || s.Trim().Length > 0).WithMessage("sasaran, when given, must not be blank; leave it out instead.")
            .MaximumLength(300);
        RuleFor(r => r.UnitOfMeasure).NotEmpty().MaximumLength(100);
        RuleFor(r => r.Direction).NotEmpty()
            .OneOf(Directions.All).WithMessage($"direction must be one of: {string.Join(", ", Directions.All)}.");
        RuleFor(r => r.Target).NotNull()
            .Must(t => t is not { } x || AccountabilityLimits.HasAtMostDecimals(x, 4)).WithMessage("target takes at most 4 decimals.")
            .LessThanOrEqualTo(AccountabilityLimits.MaximumIndicatorValue);
        // Achievement divides the realisation by the target, so a higher-is-better target must be positive; a
        // lower-is-better target of 0 ("zero incidents") is meaningful.
        RuleFor(r => r.Target).GreaterThan(0).When(r => r.Direction == Directions.HigherIsBetter)
            .WithMessage("target must be greater than 0 for a higher_is_better indicator.");
        RuleFor(r => r.Target).GreaterThanOrEqualTo(0).When(r => r.Direction != Directions.HigherIsBetter);
    }
}

public sealed class RealisationRequestValidator : AbstractValidator<RealisationRequest>
{
    public RealisationRequestValidator()
    {
        RuleFor(r => r.Period).NotEmpty()
            .Must(p => AccountabilityLimits.TryParsePeriod(p, out _, out _)).WithMessage("period must be a month as yyyy-mm, e.g. 2026-08.");
        RuleFor(r => r.Value).NotNull().GreaterThanOrEqualTo(0).LessThanOrEqualTo(AccountabilityLimits.MaximumIndicatorValue)
            .Must(v => v is not { } x || AccountabilityLimits.HasAtMostDecimals(x, 4)).WithMessage("value takes at most 4 decimals.");
    }
}

public sealed class BudgetCeilingRequestValidator : AbstractValidator<BudgetCeilingRequest>
{
    public BudgetCeilingRequestValidator() =>
        RuleFor(r => r.Ceiling).NotNull().GreaterThan(0).LessThanOrEqualTo(AccountabilityLimits.MaximumRupiah)
            .Must(v => v is not { } x || AccountabilityLimits.HasAtMostDecimals(x, 2)).WithMessage("ceiling is rupiah with at most 2 decimals (sen).");
}

public sealed class BudgetRealisationRequestValidator : AbstractValidator<BudgetRealisationRequest>
{
    public BudgetRealisationRequestValidator()
    {
        RuleFor(r => r.Month).NotNull().InclusiveBetween(1, 12);
        RuleFor(r => r.Amount).NotNull().GreaterThanOrEqualTo(0).LessThanOrEqualTo(AccountabilityLimits.MaximumRupiah)
            .Must(v => v is not { } x || AccountabilityLimits.HasAtMostDecimals(x, 2)).WithMessage("amount is rupiah with at most 2 decimals (sen).");
        RuleFor(r => r.PhysicalProgressPercent).NotNull().InclusiveBetween(0, 100)
            .Must(v => v is not { } x || AccountabilityLimits.HasAtMostDecimals(x, 2)).WithMessage("physicalProgressPercent takes at most 2 decimals.");
    }
}

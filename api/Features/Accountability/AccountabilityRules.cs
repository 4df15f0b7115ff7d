namespace ZonaIntegritas.Api.Features.Accountability;

/// <summary>
/// The arithmetic of the feed, kept apart from HTTP and SQL so the rules read in one place (docs/accountability.md).
/// Everything is decimal; rounding happens only when presenting.
/// </summary>
public static class AccountabilityRules
{
    /// <summary>
    /// Achievement above this is shown as this (many K/L cap capaian IKU at 120% in their SAKIP reports); the raw
    /// percentage is kept beside it and decides whether a target is met.
    /// </summary>
    public const decimal DisplayCapPercent = 120m;

    /// <summary>
    /// realisation ÷ target, or target ÷ realisation for lower-is-better. A lower-is-better realisation of 0 against a
    /// positive target is better than any ratio can say: raw percent null, shown at the cap, met.
    /// </summary>
    public static Achievement Achieve(decimal target, string direction, decimal realisation)
    {
        if (Ratio(target, direction, realisation) is not { } exact)
        {
            return new Achievement(null, DisplayCapPercent, true);
        }
        var percent = exact * 100m;
        return new Achievement(Math.Round(percent, 2), Math.Round(Math.Min(percent, DisplayCapPercent), 2), exact >= 1m);
    }

    private static decimal? Ratio(decimal target, string direction, decimal realisation) => direction == Directions.HigherIsBetter
        ? realisation / target
        : realisation == 0 ? (target == 0 ? 1m : null) : target / realisation;

    /// <summary>The shown achievement before its 2-decimal rounding: capped at the display cap; 0 without a realisation.</summary>
    public static decimal CappedPercent(decimal target, string direction, Realisation? latest) =>
        latest is null ? 0m : Ratio(target, direction, latest.Value) is { } exact ? Math.Min(exact * 100m, DisplayCapPercent) : DisplayCapPercent;

    /// <summary>
    /// The year's sasaran for AK.R.1.a.1: targets grouped by sasaran (trimmed, any letter case); a target without one is
    /// its own. A sasaran is met when the mean of its indicators' capped achievement (unrounded) is 100% or more, so a
    /// sasaran of one indicator is met exactly when that indicator is.
    /// </summary>
    public static List<SasaranStanding> Sasaran(IEnumerable<PerformanceTarget> targets) => targets
        .GroupBy(t => t.Sasaran is { } s ? "s:" + s.Trim().ToUpperInvariant() : "t:" + t.Id, StringComparer.Ordinal)
        .Select(g =>
        {
            var mean = g.Average(t => CappedPercent(t.Target, t.Direction, t.Latest));
            return new SasaranStanding(g.First().Sasaran?.Trim(), g.Select(t => t.Indicator).ToList(), Math.Round(mean, 2), mean >= 100m);
        })
        .ToList();

    /// <summary>The achievement used to compare years: capped, so one runaway indicator does not carry a year.</summary>
    public static decimal ComparablePercent(Achievement? achievement) => achievement?.DisplayPercent ?? 0m;

    /// <summary>
    /// The value without trailing zeros, so 70, 70.0 and 70.00 read alike whichever database returned them (SQLite
    /// keeps the text it was given, SQL Server the column's scale).
    /// </summary>
    public static decimal Canonical(decimal value) => value / 1.0000000000000000000000000000m;

    /// <summary>Cumulative realisation ÷ ceiling × 100, exact (callers round to present).</summary>
    public static decimal AbsorptionPercent(decimal realised, decimal ceiling) => realised * 100m / ceiling;

    /// <summary>The milestone in force at <paramref name="month"/>: the latest one whose month is not after it.</summary>
    public static Milestone? MilestoneAt(IEnumerable<Milestone> milestones, int month) =>
        milestones.Where(m => m.Month <= month).OrderByDescending(m => m.Month).FirstOrDefault();

    /// <summary>
    /// Ranks units with a budget by exact absorption, highest first; ties by unit code (case-insensitive, then ordinal),
    /// then id, so the order never depends on the database. Units without a budget follow, unranked, by code.
    /// </summary>
    public static List<AbsorptionRow> Rank(IEnumerable<AbsorptionFigures> units, Milestone? milestone)
    {
        var budgeted = units.Where(u => u.Ceiling is not null)
            .Select(u => (Unit: u, Exact: AbsorptionPercent(u.Realised, u.Ceiling!.Value)))
            .OrderByDescending(u => u.Exact)
            .ThenBy(u => u.Unit.UnitCode, StringComparer.OrdinalIgnoreCase)
            .ThenBy(u => u.Unit.UnitCode, StringComparer.Ordinal)
            .ThenBy(u => u.Unit.UnitId)
            .Select((u, index) => new AbsorptionRow(
                index + 1, u.Unit.UnitId, u.Unit.UnitCode, u.Unit.UnitName, u.Unit.Ceiling, u.Unit.Realised, Math.Round(u.Exact, 2),
                u.Unit.PhysicalProgressPercent, u.Unit.LastMonth,
                milestone is not null && u.Exact < milestone.MinPercent,
                milestone is not null && u.Exact < milestone.MinPercent
                    ? Math.Ceiling(milestone.MinPercent * u.Unit.Ceiling!.Value / 100m * 100m) / 100m - u.Unit.Realised
                    : 0m));
        var unbudgeted = units.Where(u => u.Ceiling is null)
            .OrderBy(u => u.UnitCode, StringComparer.OrdinalIgnoreCase)
            .ThenBy(u => u.UnitCode, StringComparer.Ordinal)
            .ThenBy(u => u.UnitId)
            .Select(u => new AbsorptionRow(null, u.UnitId, u.UnitCode, u.UnitName, null, 0m, null, null, null, null, null));
        return budgeted.Concat(unbudgeted).ToList();
    }
}

/// <summary>One unit's budget figures up to the report month, as the report query returns them.</summary>
public sealed record AbsorptionFigures(Guid UnitId, string UnitCode, string UnitName, decimal? Ceiling, decimal Realised,
    decimal? PhysicalProgressPercent, int? LastMonth);

/// <summary>
/// One line of the absorption report. <c>behind</c> is null without a budget (nothing to judge); <c>shortfall</c> is
/// the rupiah still to spend to reach the milestone in force.
/// </summary>
public sealed record AbsorptionRow(int? Rank, Guid UnitId, string UnitCode, string UnitName, [property: Money] decimal? Ceiling,
    [property: Money] decimal Realised, decimal? AbsorptionPercent, decimal? PhysicalProgressPercent, int? LastReportedMonth, bool? Behind,
    [property: Money] decimal? Shortfall);

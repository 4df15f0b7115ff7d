namespace ZonaIntegritas.Api.Features.Accountability;

/// <summary>A unit's absorption at the report month: exact percent rounded to 2 decimals, the milestone in force, and whether it is behind.</summary>
public sealed record AbsorptionStanding(decimal Percent, Milestone? Milestone, bool Behind);

/// <summary>A unit's performance targets of the year and how many are met (raw achievement 100% or more).</summary>
public sealed record PerformanceStanding(int Targets, int Met);

/// <summary>
/// Absorption over many units: <c>percent</c> is total realised ÷ total ceiling of the units with a budget; <c>behind</c>
/// counts units below their agency's milestone; <c>milestone</c> is shown for one agency only (each agency sets its own).
/// </summary>
public sealed record AbsorptionTotals(int UnitsWithBudget, decimal? Percent, Milestone? Milestone, int Behind);

/// <summary>
/// The accountability figures of the compliance documents and summaries, read set-based: three queries for a page of
/// units, or for a whole scope, whatever the number of units.
/// </summary>
public static class AccountabilityStandings
{
    /// <summary>Absorption is counted to this month: the current month for the current year, December otherwise.</summary>
    public static int MonthFor(int year, DateOnly today) => year == today.Year ? today.Month : 12;

    /// <summary>One unit's figures; <c>milestone</c> is its agency's milestone in force, budget or not.</summary>
    public sealed record UnitFigures(Guid UnitId, Guid AgencyId, AbsorptionStanding? Absorption, PerformanceStanding Performance,
        decimal? Ceiling, decimal Realised, Milestone? Milestone);

    private const string BudgetColumnsFragment = """
        SELECT b.unit_id, b.ceiling,
               (SELECT SUM(r.amount) FROM budget_realisations r WHERE r.unit_id = b.unit_id AND r.year = b.year AND r.month <= @Month) AS realised
        FROM budgets b
        """;

    private const string TargetColumnsFragment = """
        SELECT t.unit_id, t.target, t.direction,
               (SELECT r.value FROM performance_realisations r
                WHERE r.target_id = t.id AND r.period = (SELECT MAX(r2.period) FROM performance_realisations r2 WHERE r2.target_id = t.id)) AS latest
        FROM performance_targets t
        """;

    private const string BudgetsOfUnits = $"""
        {BudgetColumnsFragment}
        WHERE b.year = @Year AND b.unit_id IN @Ids
        """;

    private const string TargetsOfUnits = $"""
        {TargetColumnsFragment}
        WHERE t.year = @Year AND t.unit_id IN @Ids
        """;

    private const string MilestonesOfAgencies = "SELECT agency_id, month, min_percent FROM absorption_milestones WHERE year = @Year AND agency_id IN @AgencyIds";

    // Summaries cover a whole agency or everything: filter by scope rather than list thousands of ids (SQL Server takes
    // at most 2,100 parameters), one statement per scope so that an agency's summary seeks on its units.
    internal const string BudgetsOfAgency = $"""
        {BudgetColumnsFragment}
        JOIN units u ON u.id = b.unit_id
        WHERE u.agency_id = @AgencyId AND b.year = @Year
        """;

    internal const string TargetsOfAgency = $"""
        {TargetColumnsFragment}
        JOIN units u ON u.id = t.unit_id
        WHERE u.agency_id = @AgencyId AND t.year = @Year
        """;

    private const string MilestonesOfAgency = "SELECT agency_id, month, min_percent FROM absorption_milestones WHERE agency_id = @AgencyId AND year = @Year";

    private const string BudgetsOfAll = $"""
        {BudgetColumnsFragment}
        WHERE b.year = @Year
        """;

    private const string TargetsOfAll = $"""
        {TargetColumnsFragment}
        WHERE t.year = @Year
        """;

    private const string MilestonesOfAll = "SELECT agency_id, month, min_percent FROM absorption_milestones WHERE year = @Year";

    /// <summary>Figures for a page of units (at most a few hundred), keyed by unit.</summary>
    public static async Task<Dictionary<Guid, UnitFigures>> ForUnits(DbConnection connection, ISqlDialect dialect,
        IReadOnlyCollection<(Guid UnitId, Guid AgencyId)> units, int year, DateOnly today)
    {
        if (units.Count == 0)
        {
            return [];
        }
        var month = MonthFor(year, today);
        var ids = dialect.IdList(units.Select(u => u.UnitId).Distinct());
        var agencyIds = dialect.IdList(units.Select(u => u.AgencyId).Distinct());
        var budgets = await connection.QueryAsync<BudgetRow>(BudgetsOfUnits, new { Year = year, Month = month, Ids = ids });
        var targets = await connection.QueryAsync<TargetRow>(TargetsOfUnits, new { Year = year, Ids = ids });
        var milestones = await connection.QueryAsync<MilestoneRow>(MilestonesOfAgencies, new { Year = year, AgencyIds = agencyIds });
        return Combine(dialect, units, budgets, targets, milestones, month);
    }

    /// <summary>Figures for every unit of one agency (or of all agencies when <paramref name="agencyId"/> is null).</summary>
    public static async Task<Dictionary<Guid, UnitFigures>> ForScope(DbConnection connection, ISqlDialect dialect,
        IReadOnlyCollection<(Guid UnitId, Guid AgencyId)> units, Guid? agencyId, int year, DateOnly today)
    {
        var month = MonthFor(year, today);
        var parameters = new { Year = year, Month = month, AgencyId = agencyId };
        var budgets = await connection.QueryAsync<BudgetRow>(agencyId is null ? BudgetsOfAll : BudgetsOfAgency, parameters);
        var targets = await connection.QueryAsync<TargetRow>(agencyId is null ? TargetsOfAll : TargetsOfAgency, parameters);
        var milestones = await connection.QueryAsync<MilestoneRow>(agencyId is null ? MilestonesOfAll : MilestonesOfAgency, parameters);
        return Combine(dialect, units, budgets, targets, milestones, month);
    }

    /// <summary>Totals over units; the milestone is named only when they all belong to one agency.</summary>
    public static AbsorptionTotals Totals(IReadOnlyCollection<UnitFigures> figures, bool singleAgency)
    {
        var milestone = singleAgency ? figures.FirstOrDefault()?.Milestone : null;
        var budgeted = figures.Where(f => f.Ceiling is not null).ToList();
        var ceiling = budgeted.Sum(f => f.Ceiling!.Value);
        var realised = budgeted.Sum(f => f.Realised);
        return new AbsorptionTotals(budgeted.Count, ceiling > 0 ? Math.Round(AccountabilityRules.AbsorptionPercent(realised, ceiling), 2) : null,
            milestone, budgeted.Count(f => f.Absorption!.Behind));
    }

    public static PerformanceStanding PerformanceTotals(IReadOnlyCollection<UnitFigures> figures) =>
        new(figures.Sum(f => f.Performance.Targets), figures.Sum(f => f.Performance.Met));

    private static Dictionary<Guid, UnitFigures> Combine(ISqlDialect dialect, IReadOnlyCollection<(Guid UnitId, Guid AgencyId)> units,
        IEnumerable<BudgetRow> budgets, IEnumerable<TargetRow> targets, IEnumerable<MilestoneRow> milestones, int month)
    {
        var budgetOf = budgets.ToDictionary(b => b.UnitId);
        var targetsOf = targets.ToLookup(t => t.UnitId);
        var milestoneOf = milestones.GroupBy(m => m.AgencyId)
            .ToDictionary(g => g.Key, g => AccountabilityRules.MilestoneAt(g.Select(m => new Milestone(m.Month, m.MinPercent)), month));
        var result = new Dictionary<Guid, UnitFigures>();
        foreach (var (unitId, agencyId) in units)
        {
            var milestone = milestoneOf.GetValueOrDefault(agencyId);
            AbsorptionStanding? absorption = null;
            decimal? ceiling = null;
            var realised = 0m;
            if (budgetOf.TryGetValue(unitId, out var budget))
            {
                ceiling = dialect.Rupiah(budget.Ceiling);
                realised = budget.Realised is { } r ? dialect.Rupiah(r) : 0m;
                var exact = AccountabilityRules.AbsorptionPercent(realised, ceiling.Value);
                absorption = new AbsorptionStanding(Math.Round(exact, 2), milestone, milestone is not null && exact < milestone.MinPercent);
            }
            var unitTargets = targetsOf[unitId].ToList();
            var met = unitTargets.Count(t => t.Latest is { } latest && AccountabilityRules.Achieve(t.Target, t.Direction, latest).Met);
            result[unitId] = new UnitFigures(unitId, agencyId, absorption, new PerformanceStanding(unitTargets.Count, met), ceiling, realised, milestone);
        }
        return result;
    }

    private sealed class BudgetRow
    {
        public Guid UnitId { get; init; }
        public decimal Ceiling { get; init; }
        public decimal? Realised { get; init; }
    }

    private sealed class TargetRow
    {
        public Guid UnitId { get; init; }
        public decimal Target { get; init; }
        public string Direction { get; init; } = "";
        public decimal? Latest { get; init; }
    }

    private sealed class MilestoneRow
    {
        public Guid AgencyId { get; init; }
        public int Month { get; init; }
        public decimal MinPercent { get; init => field = AccountabilityRules.Canonical(value); }
    }
}

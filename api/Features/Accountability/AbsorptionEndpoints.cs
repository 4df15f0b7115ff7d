using System.Globalization;
using FluentValidation;
using Microsoft.AspNetCore.Http.Json;
using FromQueryAttribute = Microsoft.AspNetCore.Mvc.FromQueryAttribute;
using ZonaIntegritas.Api.Features.Agencies;
using ZonaIntegritas.Api.Features.Audit;

namespace ZonaIntegritas.Api.Features.Accountability;

/// <summary>
/// The agency's absorption ranking at a month: every unit with a budget ranked by cumulative absorption, with the
/// milestone in force and who is behind it. <c>total</c> counts the lines after the <c>behind</c> filter.
/// </summary>
public sealed record AbsorptionReport(
    Guid AgencyId,
    string AgencyCode,
    int Year,
    int Month,
    Milestone? Milestone,
    int UnitsRanked,
    int UnitsBehind,
    int UnitsWithoutBudget,
    [property: Money] decimal TotalCeiling,
    [property: Money] decimal TotalRealised,
    decimal? AbsorptionPercent,
    IReadOnlyList<AbsorptionRow> Units,
    int Page,
    int PageSize,
    long Total);

/// <summary>The query string of the absorption report; <c>year</c> and <c>month</c> default to now when left out.</summary>
public sealed record AbsorptionQuery(
    [FromQuery(Name = "year")] int? Year,
    [FromQuery(Name = "month")] int? Month,
    [FromQuery(Name = "behind")] bool? Behind,
    [FromQuery(Name = "page")] int? Page,
    [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class AbsorptionQueryValidator : PagedQueryValidator<AbsorptionQuery>
{
    public AbsorptionQueryValidator()
    {
        RuleFor(q => q.Year).ValidYear();
        RuleFor(q => q.Month).InclusiveBetween(1, 12).WithMessage(q => $"month must be between 1 and 12; got {q.Month}.");
    }
}

public static class AbsorptionEndpoints
{
    public const int MaximumMilestones = 12;

    public static RouteGroupBuilder MapAbsorption(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/agencies/{id:guid}").WithTags(AccountabilityEndpoints.Tag).WithValidation();
        group.MapPut("/absorption-milestones/{year:int}", PutAbsorptionMilestones).RequireAuthorization(Policies.SetMilestones)
            .WithName(nameof(PutAbsorptionMilestones))
            .WithSummary("Set the agency's absorption milestones for a year (replaces the year's list)")
            .WithDescription("""
                The agency's inspectorate or admin. Body: an array such as `[{"month": 8, "minPercent": 60}, {"month": 9, "minPercent": 70}]`,
                each month once, minPercent 0–100 with at most 2 decimals, never lower than an earlier month's (absorption only grows).
                An empty array removes the year's milestones.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/absorption-milestones/{year:int}", GetAbsorptionMilestones)
            .WithName(nameof(GetAbsorptionMilestones))
            .WithSummary("The agency's absorption milestones for a year")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/absorption", GetAbsorptionReport)
            .WithName(nameof(GetAbsorptionReport))
            .WithSummary("Rank the agency's units by budget absorption and show who is behind its milestone; CSV with Accept: text/csv")
            .WithDescription("""
                `year` (default this year) and `month` (default this month for this year, else 12): cumulative realisation of months
                1..month ÷ ceiling. The milestone in force is the latest one at or before `month`; a unit is behind when its exact
                absorption is below it. Ranked by absorption, highest first; ties by unit code. Units without a budget follow,
                unranked. `behind=true` lists only units behind. JSON is paged (`page`, `pageSize`); CSV has every line.
                A unit key gets only its own unit's line (with its rank among all units) and the agency's totals and counts.
                """)
            .Produces<AbsorptionReport>(StatusCodes.Status200OK, "application/json", "text/csv", SpreadsheetTable.ContentType)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Ok<MilestoneSchedule>, ValidationProblem, ProblemHttpResult>> PutAbsorptionMilestones(
        Guid id, int year, IReadOnlyList<MilestoneInput?>? milestones, Caller caller, DbConnectionFactory db, TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (YearRules.Invalid(year) is { } invalidYear)
        {
            return invalidYear;
        }
        if (Validate(milestones) is { } errors)
        {
            return Problems.Invalid(errors);
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        if (!caller.CanSeeAgency(id) || await AgencyQueries.Find(connection, id, transaction) is null)
        {
            return Problems.NotFound("Agency", id);
        }
        var now = time.GetUtcNow();
        var before = await LoadMilestones(connection, transaction, id, year);
        const string delete = "DELETE FROM absorption_milestones WHERE agency_id = @AgencyId AND year = @Year";
        const string insert = """
            INSERT INTO absorption_milestones (agency_id, year, month, min_percent, updated_at, updated_by)
            VALUES (@AgencyId, @Year, @Month, @MinPercent, @Now, @By)
            """;
        try
        {
            await connection.ExecuteAsync(delete, new { AgencyId = id, Year = year }, transaction);
            await connection.ExecuteAsync(insert, milestones!.Select(m => new { AgencyId = id, Year = year, m!.Month, m.MinPercent, Now = now, By = caller.KeyId }), transaction);
        }
        catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
        {
            // A concurrent request wrote the same row between our read and our insert; nothing of ours is kept.
            await transaction.RollbackAsync(cancellationToken);
            return Problems.Conflict($"The {year} milestones of agency '{id}' were replaced by a concurrent request; read them and retry.");
        }
        var schedule = new MilestoneSchedule(id, year, await LoadMilestones(connection, transaction, id, year));
        if (!before.SequenceEqual(schedule.Milestones))
        {
            await connection.AuditAsync(transaction, caller, new AuditChange("absorption_milestones.set", "agency", id.ToString(), id, null,
                new { Year = year, Milestones = new FieldChange(before, schedule.Milestones) }));
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(schedule);
    }

    public static async Task<Results<Ok<MilestoneSchedule>, ValidationProblem, ProblemHttpResult>> GetAbsorptionMilestones(
        Guid id, int year, Caller caller, DbConnectionFactory db, CancellationToken cancellationToken)
    {
        if (YearRules.Invalid(year) is { } invalidYear)
        {
            return invalidYear;
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        if (!caller.CanSeeAgency(id) || await AgencyQueries.Find(connection, id) is null)
        {
            return Problems.NotFound("Agency", id);
        }
        return TypedResults.Ok(new MilestoneSchedule(id, year, await LoadMilestones(connection, null, id, year)));
    }

    public static async Task<Results<FileContentHttpResult, ValidationProblem, ProblemHttpResult>> GetAbsorptionReport(
        Guid id, HttpRequest request, Caller caller, DbConnectionFactory db, ViewCache cache, IOptions<JsonOptions> json, TimeProvider time,
        [AsParameters] AbsorptionQuery query, CancellationToken cancellationToken)
    {
        var paging = ((IPagedQuery)query).Paging;
        var today = IndonesiaClock.Today(time);
        var reportYear = query.Year ?? today.Year;
        var reportMonth = query.Month ?? AccountabilityStandings.MonthFor(reportYear, today);
        if (!caller.CanSeeAgency(id))
        {
            return Problems.NotFound("Agency", id);
        }
        // A unit key sees its own line (with its rank) and the agency's totals, never a sibling's figures.
        var ownUnit = caller.ScopeUnitId;
        // The ranking is read far more often than budgets change: it, and each page as sent, are kept until a write in the agency.
        var pageKey = new AbsorptionPageKey(id, reportYear, reportMonth, query.Behind == true, paging.Page, paging.PageSize, CsvText.Format(request), ownUnit);
        var sent = await cache.GetOrBuildAsync(pageKey, ViewScope.OfAgency(id), today, async () =>
        {
            var report = await cache.GetOrBuildAsync(new AbsorptionReportKey(id, reportYear, reportMonth), ViewScope.OfAgency(id), today, async () =>
            {
                await using var connection = await db.OpenAsync(cancellationToken);
                return await AgencyQueries.Find(connection, id) is { } agency
                    ? await Build(connection, db.Dialect, agency.Id, agency.Code, reportYear, reportMonth)
                    : null;
            });
            return report is null ? null : SentBody.Of(Page(request, report, query.Behind, ownUnit, paging, json.Value.SerializerOptions));
        });
        return sent is null ? Problems.NotFound("Agency", id) : sent.ToResult();
    }

    private static FileContentHttpResult Page(HttpRequest request, AbsorptionReport report, bool? behind, Guid? ownUnit, PageRequest paging, JsonSerializerOptions json)
    {
        var lines = report.Units.Where(u => (behind != true || u.Behind == true) && (ownUnit is null || u.UnitId == ownUnit)).ToList();
        var result = CsvText.Wanted(request)
            ? Csv(request, report, lines)
            : TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(report with
            {
                Units = lines.Skip(paging.Skip).Take(paging.Take).ToList(),
                Page = paging.Page,
                PageSize = paging.PageSize,
                Total = lines.Count,
            }, json), "application/json; charset=utf-8");
        return result;
    }

    // Per unit, seeks on the (unit_id, year, month) primary key: the sum up to the month, the latest month reported,
    // and that month's physical progress. Correlated seeks beat grouping the agency's realisations first (27 vs 42 ms
    // for 5,000 units on SQLite).
    internal const string ReportSql = """
        SELECT u.id AS unit_id, u.code AS unit_code, u.name AS unit_name, b.ceiling,
               (SELECT SUM(r.amount) FROM budget_realisations r WHERE r.unit_id = u.id AND r.year = @Year AND r.month <= @Month) AS realised,
               (SELECT MAX(r.month) FROM budget_realisations r WHERE r.unit_id = u.id AND r.year = @Year AND r.month <= @Month) AS last_month,
               (SELECT p.physical_progress_percent FROM budget_realisations p
                WHERE p.unit_id = u.id AND p.year = @Year
                  AND p.month = (SELECT MAX(r.month) FROM budget_realisations r WHERE r.unit_id = u.id AND r.year = @Year AND r.month <= @Month)) AS physical_progress_percent
        FROM units u
        LEFT JOIN budgets b ON b.unit_id = u.id AND b.year = @Year
        WHERE u.agency_id = @AgencyId
        """;

    /// <summary>The whole ranking of one agency: one set-based query for the units, one for the milestones.</summary>
    internal static async Task<AbsorptionReport> Build(System.Data.Common.DbConnection connection, ISqlDialect dialect, Guid agencyId, string agencyCode, int year, int month)
    {
        var rows = await connection.QueryAsync<FigureRow>(ReportSql, new { AgencyId = agencyId, Year = year, Month = month });
        var figures = rows.Select(r => new AbsorptionFigures(r.UnitId, r.UnitCode, r.UnitName,
            r.Ceiling is { } c ? dialect.Rupiah(c) : null, r.Realised is { } s ? dialect.Rupiah(s) : 0m, r.PhysicalProgressPercent, r.LastMonth)).ToList();
        var milestone = AccountabilityRules.MilestoneAt(await LoadMilestones(connection, null, agencyId, year), month);
        var ranked = AccountabilityRules.Rank(figures, milestone);
        var totalCeiling = figures.Sum(f => f.Ceiling ?? 0m);
        var totalRealised = figures.Where(f => f.Ceiling is not null).Sum(f => f.Realised);
        return new AbsorptionReport(agencyId, agencyCode, year, month, milestone,
            ranked.Count(r => r.Rank is not null), ranked.Count(r => r.Behind == true), ranked.Count(r => r.Rank is null),
            totalCeiling, totalRealised, totalCeiling > 0 ? Math.Round(AccountabilityRules.AbsorptionPercent(totalRealised, totalCeiling), 2) : null,
            ranked, 1, ranked.Count, ranked.Count);
    }

    internal static async Task<List<Milestone>> LoadMilestones(System.Data.Common.DbConnection connection, System.Data.Common.DbTransaction? transaction, Guid agencyId, int year)
    {
        const string sql = "SELECT month, min_percent FROM absorption_milestones WHERE agency_id = @AgencyId AND year = @Year ORDER BY month";
        return (await connection.QueryAsync<MilestoneRow>(sql, new { AgencyId = agencyId, Year = year }, transaction))
            .Select(m => new Milestone(m.Month, m.MinPercent)).ToList();
    }

    private static Dictionary<string, string[]>? Validate(IReadOnlyList<MilestoneInput?>? milestones)
    {
        var errors = new Dictionary<string, string[]>();
        if (milestones is null)
        {
            errors[""] = ["The body must be a JSON array of {month, minPercent}."];
            return errors;
        }
        if (milestones.Count > MaximumMilestones)
        {
            errors[""] = [$"At most {MaximumMilestones} milestones a year (one per month); got {milestones.Count}."];
            return errors;
        }
        var seen = new Dictionary<int, int>();
        for (var i = 0; i < milestones.Count; i++)
        {
            var m = milestones[i];
            if (m is null)
            {
                errors[$"[{i}]"] = ["A milestone is required."];
                continue;
            }
            if (m.Month is not { } month || month is < 1 or > 12)
            {
                errors[$"[{i}].month"] = [$"month must be between 1 and 12; got {m.Month?.ToString(CultureInfo.InvariantCulture) ?? "nothing"}."];
            }
            else if (seen.TryGetValue(month, out var earlier))
            {
                errors[$"[{i}].month"] = [$"Month {month} is listed twice (also at [{earlier}])."];
            }
            else
            {
                seen[month] = i;
            }
            if (m.MinPercent is not { } min || min is < 0 or > 100 || !AccountabilityLimits.HasAtMostDecimals(min, 2))
            {
                errors[$"[{i}].minPercent"] = ["minPercent must be a number from 0 to 100 with at most 2 decimals."];
            }
        }
        if (errors.Count == 0)
        {
            var ordered = milestones.Select((m, i) => (m!.Month!.Value, m.MinPercent!.Value, i)).OrderBy(m => m.Item1).ToList();
            for (var k = 1; k < ordered.Count; k++)
            {
                if (ordered[k].Item2 < ordered[k - 1].Item2)
                {
                    errors[$"[{ordered[k].i}].minPercent"] =
                        [$"minPercent {ordered[k].Item2} for month {ordered[k].Item1} is below {ordered[k - 1].Item2} for month {ordered[k - 1].Item1}; cumulative absorption only grows."];
                }
            }
        }
        return errors.Count > 0 ? errors : null;
    }

    private static readonly string[] CsvHeader =
    [
        "agencyCode", "year", "month", "rank", "unitId", "unitCode", "unitName", "ceiling", "realised", "absorptionPercent",
        "physicalProgressPercent", "lastReportedMonth", "milestoneMonth", "milestoneMinPercent", "behind", "shortfall",
    ];

    private static FileContentHttpResult Csv(HttpRequest request, AbsorptionReport report, IReadOnlyList<AbsorptionRow> lines) =>
        CsvText.Bytes(request, "Penyerapan", CsvHeader, lines.Select(line => new object?[]
        {
            report.AgencyCode, report.Year, report.Month, line.Rank, line.UnitId, line.UnitCode, line.UnitName, line.Ceiling, line.Realised,
            line.AbsorptionPercent, line.PhysicalProgressPercent, line.LastReportedMonth, report.Milestone?.Month, report.Milestone?.MinPercent,
            line.Behind, line.Shortfall,
        }));

    private sealed class FigureRow
    {
        public Guid UnitId { get; init; }
        public string UnitCode { get; init; } = "";
        public string UnitName { get; init; } = "";
        public decimal? Ceiling { get; init => field = value is { } v ? AccountabilityRules.Canonical(v) : null; }
        public decimal? Realised { get; init => field = value is { } v ? AccountabilityRules.Canonical(v) : null; }
        public int? LastMonth { get; init; }
        public decimal? PhysicalProgressPercent { get; init => field = value is { } v ? AccountabilityRules.Canonical(v) : null; }
    }

    private sealed class MilestoneRow
    {
        public int Month { get; init; }
        public decimal MinPercent { get; init => field = AccountabilityRules.Canonical(value); }
    }
}

using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Accountability;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Designations;
using ZonaIntegritas.Api.Features.Evidence;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.PortalRb;
using ZonaIntegritas.Api.Features.Scoring;
using ZonaIntegritas.Api.Features.Workflow;
using ZonaIntegritas.Api.Features.Agencies;
using ZonaIntegritas.Api.Http;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>Where one unit stands, in one document, for other agency systems.</summary>
public sealed record UnitCompliance(
    Guid UnitId,
    string UnitCode,
    Guid AgencyId,
    int Year,
    bool Declared,
    DeclarationSummary? Declaration,
    PactCoverage Pacts,
    AssessmentStanding? Assessment,
    EvidenceStanding? Evidence,
    DesignationStanding? Designation,
    string Stage,
    IReadOnlyList<string> Flags,
    AbsorptionStanding? Absorption,
    PerformanceStanding Performance,
    PortalRbStanding? PortalRb);

public sealed record DeclarationSummary(Guid Id, DateOnly DeclaredOn);

/// <summary>
/// Pact coverage for one calendar year: distinct employees (by NIP) with a pact in the unit that year, against the
/// unit's employee count. <c>headSigned</c>: the head named in the active declaration signed that year (without a
/// declaration: any pimpinan signed).
/// </summary>
public sealed record PactCoverage(int SignedEmployees, int EmployeeCount, decimal Coverage, bool HeadSigned);

public sealed record LayerStanding(decimal Total, bool? Eligible);

public sealed record AssessmentStanding(Guid Id, int Year, string Target, string Status, IReadOnlyDictionary<string, LayerStanding> Scores, bool Afirmasi);

public sealed record EvidenceStanding(int ItemsWithAcceptedEvidence, int ItemsWithoutAcceptedEvidence);

public sealed record DesignationStanding(string Predikat, string DecreeNumber, DateOnly DecreeDate, bool Active, DateOnly? RevokedOn, DateOnly? EligibleAgainOn);

/// <summary>Counts for one agency (or all agencies, in the national totals).</summary>
public sealed record ComplianceSummary(
    Guid? AgencyId,
    string? AgencyCode,
    int Year,
    int Units,
    int Declared,
    int DeclaredThisYear,
    decimal AveragePactCoverage,
    IReadOnlyDictionary<string, int> ByStage,
    IReadOnlyDictionary<string, int> ByPredikat,
    AbsorptionTotals Absorption,
    PerformanceStanding Performance);

public sealed record NationalComplianceSummary(int Year, ComplianceSummary Totals, IReadOnlyList<ComplianceSummary> Agencies);

public static class ComplianceEndpoints
{
    public static readonly string[] Stages = ["not_declared", "declared", "assessing", "proposed", "WBK", "WBBM", "revoked"];

    public const decimal PactCoverageMinimum = 0.8m;

    public static RouteGroupBuilder MapCompliance(this RouteGroupBuilder api)
    {
        api.MapGet("/units/{unitId:guid}/compliance", GetUnitCompliance)
            .WithTags("Compliance")
            .WithName(nameof(GetUnitCompliance))
            .WithSummary("Where a unit stands: declaration, pacts, assessment scores, evidence, predikat, stage and flags")
            .WithDescription("""
                For other agency systems asking "is this unit compliant?". `year` (default: the current year) selects the pacts counted
                and the assessment shown (default: the unit's latest). `coverage` = signed employees ÷ employee count, 0–1, 4 decimals.
                `stage`: not_declared, declared, assessing, proposed, WBK, WBBM or revoked (within 2 years of a revocation).
                `flags`: head_has_not_signed_pact, pact_coverage_below_80_percent, evidence_missing, deadline_passed (the assessment year's
                proposal window has closed before it was proposed), portalrb_refetch_needed (a self or TPI answer, note or evidence changed
                after PortalRB last fetched the unit). `assessment.afirmasi`: proposed as affirmative action. `portalRb` (null without an
                assessment): `lastFetchedAt` of the unit's answers for the assessment's year and `answersChangedSince`.
                `absorption` (null without a budget for the year): cumulative realisation ÷ ceiling up to this month (December for past
                years), the agency's milestone in force and whether the unit is behind it. `performance`: the year's targets and how many are met.
                The response has a strong ETag; send it in If-None-Match to get 304 while nothing changed.
                """)
            .Produces<UnitCompliance>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/compliance", ListCompliance)
            .WithTags("Compliance")
            .WithName(nameof(ListCompliance))
            .WithSummary("The compliance documents of many units, in pages; CSV with Accept: text/csv")
            .WithDescription("""
                Filters: `agencyId`, `stage`, `predikat` (active WBK or WBBM), `year`, `flag` (one of the document flags, e.g.
                portalrb_refetch_needed: units PortalRB should refetch). Sorted by agency code, then unit code.
                With `Accept: text/csv` the same rows come as CSV (UTF-8, a header row, one row per unit) for spreadsheets.
                Readers see their agency, or everything when national.
                """)
            .Produces<Page<UnitCompliance>>(StatusCodes.Status200OK, "application/json", "text/csv");
        api.MapGet("/agencies/{agencyId:guid}/compliance-summary", GetAgencyComplianceSummary)
            .WithTags("Compliance")
            .WithName(nameof(GetAgencyComplianceSummary))
            .WithSummary("An agency's units by stage and predikat, declarations and average pact coverage")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/compliance-summary", GetNationalComplianceSummary)
            .WithTags("Compliance")
            .WithName(nameof(GetNationalComplianceSummary))
            .WithSummary("The same summary for every agency the key may see, with totals");
        return api;
    }

    public static async Task<Results<FileContentHttpResult, ValidationProblem>> ListCompliance(
        HttpRequest request, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, IOptions<ProposalOptions> proposals,
        IOptions<JsonOptions> json, ComplianceCache cache, TimeProvider time,
        Guid? agencyId, string? stage, string? predikat, int? year, string? flag, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        if (PageRequest.Validate(page, pageSize, out var paging) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        if (Filters(stage, predikat, year) is { } invalid)
        {
            return invalid;
        }
        if (flag is not null && !Flags.Contains(flag))
        {
            return Problems.Invalid("flag", $"flag must be one of: {string.Join(", ", Flags)}.");
        }
        var today = IndonesiaClock.Today(time);
        var coverageYear = year ?? today.Year;
        var csv = CsvText.Wanted(request);
        if (agencyId is { } requested && !caller.CanSeeAgency(requested))
        {
            return csv ? CsvBytes([]) : JsonBytes(new Page<UnitCompliance>([], paging.Page, paging.PageSize, 0), json.Value.SerializerOptions);
        }
        var scopeAgency = agencyId ?? (caller.IsNational ? null : caller.AgencyId);
        var scopeUnit = caller.Role == Roles.Unit ? caller.UnitId : null;
        var key = string.Join('|', "list", scopeAgency, scopeUnit, stage, predikat, year, flag, paging.Page, paging.PageSize, csv ? "csv" : "json");
        if (cache.FindView<ComplianceCache.SentBody>(key, today) is { } cached)
        {
            return cached.ToResult();
        }

        var reading = cache.Reading;
        var filter = RowFilter(today, coverageYear, year, scopeAgency, scopeUnit, stage, predikat);
        await using var connection = await db.OpenAsync(cancellationToken);
        Page<ComplianceRow> rows;
        if (flag is not null)
        {
            // Flags are computed with the documents, so the page is cut from the scope's documents that carry the flag.
            var sql = RowsSql(scopeAgency, scopeUnit);
            var all = (await connection.QueryAsync<ComplianceRow>(sql.Rows + sql.OrderBy, filter)).AsList();
            var flagged = await Documents(connection, db.Dialect, catalogue, proposals.Value, cache, all, coverageYear, year, today, reading, json.Value.SerializerOptions);
            var matching = all.Where(r => flagged[r.UnitId].Flags.Contains(flag)).ToList();
            rows = new Page<ComplianceRow>(matching.Skip(paging.Skip).Take(paging.Take).ToList(), paging.Page, paging.PageSize, matching.Count);
        }
        else if (stage is null && predikat is null && scopeUnit is null)
        {
            // Without a stage or predikat filter the page is chosen on the units index alone; skipped rows cost nothing.
            var ids = scopeAgency is not null
                ? await connection.QueryPageAsync<Guid>(db.Dialect, UnitCountOfAgency, UnitPageOfAgency, new { AgencyId = scopeAgency }, paging)
                : await connection.QueryPageAsync<Guid>(db.Dialect, UnitCountOfAll, UnitPageOfAll, null, paging);
            var found = ids.Items.Count == 0 ? []
                : (await connection.QueryAsync<ComplianceRow>(RowsOfUnits, RowFilter(today, coverageYear, year) with { Ids = db.Dialect.IdList(ids.Items) })).ToDictionary(r => r.UnitId);
            rows = new Page<ComplianceRow>(ids.Items.Select(id => found[id]).ToList(), ids.PageNumber, ids.PageSize, ids.Total);
        }
        else
        {
            var sql = RowsSql(scopeAgency, scopeUnit);
            rows = await connection.QueryPageAsync<ComplianceRow>(db.Dialect, sql.Count, sql.Rows + sql.OrderBy, filter, paging);
        }
        var byUnit = await Documents(connection, db.Dialect, catalogue, proposals.Value, cache, rows.Items, coverageYear, year, today, reading, json.Value.SerializerOptions);
        var documents = rows.Items.Select(r => byUnit[r.UnitId]).ToList();
        var result = csv
            ? CsvBytes(documents.Zip(rows.Items, (d, r) => (d, r.AgencyCode)).ToList())
            : JsonBytes(new Page<UnitCompliance>(documents, rows.PageNumber, rows.PageSize, rows.Total), json.Value.SerializerOptions);
        var scope = scopeUnit is not null ? new ComplianceCache.ViewScope(caller.AgencyId, scopeUnit)
            : scopeAgency is not null ? new ComplianceCache.ViewScope(scopeAgency)
            : ComplianceCache.ViewScope.Everything;
        cache.RememberView(key, scope, ComplianceCache.SentBody.Of(result), today, reading);
        return result;
    }

    /// <summary>
    /// The documents of the rows: those already cached are reused; the rest are built together (a fixed number of queries)
    /// and kept, since they are exactly what GET /units/{id}/compliance would build.
    /// </summary>
    private static async Task<Dictionary<Guid, UnitCompliance>> Documents(DbConnection connection, ISqlDialect dialect, FrameworkCatalogue catalogue,
        ProposalOptions proposals, ComplianceCache cache, IReadOnlyList<ComplianceRow> rows, int coverageYear, int? year, DateOnly today, long reading,
        JsonSerializerOptions json)
    {
        var documents = new Dictionary<Guid, UnitCompliance>();
        var missing = new List<ComplianceRow>();
        foreach (var row in rows)
        {
            if (cache.FindUnit(row.UnitId, coverageYear, year, today)?.Document is { } cached)
            {
                documents[row.UnitId] = cached;
            }
            else
            {
                missing.Add(row);
            }
        }
        foreach (var document in missing.Count == 0 ? [] : await BuildAll(connection, dialect, catalogue, proposals, missing, coverageYear, today))
        {
            cache.Remember(coverageYear, year, UnitEntry(document, json, today, reading));
            documents[document.UnitId] = document;
        }
        return documents;
    }

    /// <summary>Every flag a document can carry, for the list filter.</summary>
    public static readonly string[] Flags =
        ["head_has_not_signed_pact", "pact_coverage_below_80_percent", "evidence_missing", "deadline_passed", PortalRbStanding.RefetchFlag];

    private static FileContentHttpResult JsonBytes<T>(T value, JsonSerializerOptions options) =>
        TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(value, options), "application/json; charset=utf-8");

    public static async Task<Results<Ok<ComplianceSummary>, ValidationProblem, ProblemHttpResult>> GetAgencyComplianceSummary(
        Guid agencyId, Caller caller, DbConnectionFactory db, ComplianceCache cache, TimeProvider time, int? year, CancellationToken cancellationToken)
    {
        if (Filters(null, null, year) is { } invalid)
        {
            return invalid;
        }
        if (!caller.CanSeeAgency(agencyId))
        {
            return Problems.NotFound("Agency", agencyId);
        }
        var today = IndonesiaClock.Today(time);
        var coverageYear = year ?? today.Year;
        var key = $"summary|{agencyId}|{coverageYear}|{year}";
        if (cache.FindView<ComplianceSummary>(key, today) is { } cached)
        {
            return TypedResults.Ok(cached);
        }
        var reading = cache.Reading;
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AgencyQueries.Find(connection, agencyId) is not { } agency)
        {
            return Problems.NotFound("Agency", agencyId);
        }
        var rows = (await connection.QueryAsync<ComplianceRow>(RowsOfAgency, RowFilter(today, coverageYear, year, agencyId))).AsList();
        var figures = await AccountabilityStandings.ForScope(connection, db.Dialect, rows.Select(r => (r.UnitId, r.AgencyId)).ToList(), agencyId, coverageYear, today);
        var summary = Summarize(agency.Id, agency.Code, coverageYear, rows, figures, today);
        cache.RememberView(key, new ComplianceCache.ViewScope(agencyId), summary, today, reading);
        return TypedResults.Ok(summary);
    }

    public static async Task<Results<Ok<NationalComplianceSummary>, ValidationProblem>> GetNationalComplianceSummary(
        Caller caller, DbConnectionFactory db, TimeProvider time, int? year, CancellationToken cancellationToken)
    {
        if (Filters(null, null, year) is { } invalid)
        {
            return invalid;
        }
        var today = IndonesiaClock.Today(time);
        var coverageYear = year ?? today.Year;
        await using var connection = await db.OpenAsync(cancellationToken);
        var scopeAgency = caller.IsNational ? null : caller.AgencyId;
        var scopeUnit = caller.Role == Roles.Unit ? caller.UnitId : null;
        var rows = (await connection.QueryAsync<ComplianceRow>(RowsSql(scopeAgency, scopeUnit).Rows, RowFilter(today, coverageYear, year, scopeAgency, scopeUnit))).AsList();
        var figures = await AccountabilityStandings.ForScope(connection, db.Dialect, rows.Select(r => (r.UnitId, r.AgencyId)).ToList(), scopeAgency, coverageYear, today);
        var agencies = rows.GroupBy(r => (r.AgencyId, r.AgencyCode)).OrderBy(g => g.Key.AgencyCode, StringComparer.Ordinal)
            .Select(g => Summarize(g.Key.AgencyId, g.Key.AgencyCode, coverageYear, g.ToList(), figures, today)).ToList();
        return TypedResults.Ok(new NationalComplianceSummary(coverageYear, Summarize(null, null, coverageYear, rows, figures, today), agencies));
    }

    private static ComplianceSummary Summarize(Guid? agencyId, string? agencyCode, int year, IReadOnlyList<ComplianceRow> rows,
        IReadOnlyDictionary<Guid, AccountabilityStandings.UnitFigures> accountability, DateOnly today)
    {
        var figures = rows.Select(r => accountability[r.UnitId]).ToList();
        var byStage = Stages.ToDictionary(s => s, _ => 0);
        foreach (var row in rows)
        {
            byStage[StageOf(row, today)]++;
        }
        var coverage = rows.Count == 0 ? 0m
            : Math.Round(rows.Average(r => r.EmployeeCount == 0 ? 0m : Math.Min(1m, (decimal)r.SignedEmployees / r.EmployeeCount)), 4, MidpointRounding.AwayFromZero);
        return new ComplianceSummary(agencyId, agencyCode, year, rows.Count,
            rows.Count(r => r.DeclarationId is not null),
            rows.Count(r => r.DeclaredOn?.Year == year),
            coverage,
            byStage,
            new Dictionary<string, int> { ["WBK"] = rows.Count(r => r.ActivePredikat == "WBK"), ["WBBM"] = rows.Count(r => r.ActivePredikat == "WBBM") },
            AccountabilityStandings.Totals(figures, singleAgency: agencyId is not null),
            AccountabilityStandings.PerformanceTotals(figures));
    }

    private static ValidationProblem? Filters(string? stage, string? predikat, int? year) =>
        stage is not null && !Stages.Contains(stage) ? Problems.Invalid("stage", $"stage must be one of: {string.Join(", ", Stages)}.")
        : predikat is not null and not ("WBK" or "WBBM") ? Problems.Invalid("predikat", "predikat must be WBK or WBBM.")
        : year is < 2000 or > 2200 ? Problems.Invalid("year", "year must be between 2000 and 2200.")
        : null;

    private static readonly string[] CsvHeader =
    [
        "agencyCode", "unitId", "unitCode", "year", "stage", "declared", "declaredOn", "signedEmployees", "employeeCount", "pactCoverage",
        "headSigned", "assessmentId", "assessmentYear", "target", "assessmentStatus", "selfTotal", "tpiTotal", "tpnTotal", "tpiEligible",
        "itemsWithoutAcceptedEvidence", "predikat", "predikatActive", "decreeNumber", "eligibleAgainOn", "flags",
        "absorptionPercent", "absorptionMilestonePercent", "absorptionBehind", "performanceTargets", "performanceMet",
    ];

    private static FileContentHttpResult CsvBytes(IReadOnlyList<(UnitCompliance Document, string AgencyCode)> rows) =>
        CsvText.Bytes(CsvHeader, rows.Select(row =>
        {
            var (d, agencyCode) = row;
            return new object?[]
            {
                agencyCode, d.UnitId, d.UnitCode, d.Year, d.Stage, d.Declared, d.Declaration?.DeclaredOn, d.Pacts.SignedEmployees, d.Pacts.EmployeeCount,
                d.Pacts.Coverage, d.Pacts.HeadSigned, d.Assessment?.Id, d.Assessment?.Year, d.Assessment?.Target, d.Assessment?.Status,
                d.Assessment?.Scores["self"].Total, d.Assessment?.Scores["tpi"].Total, d.Assessment?.Scores["tpn"].Total, d.Assessment?.Scores["tpi"].Eligible,
                d.Evidence?.ItemsWithoutAcceptedEvidence, d.Designation?.Predikat, d.Designation?.Active, d.Designation?.DecreeNumber,
                d.Designation?.EligibleAgainOn, string.Join(';', d.Flags),
                d.Absorption?.Percent, d.Absorption?.Milestone?.MinPercent, d.Absorption?.Behind, d.Performance.Targets, d.Performance.Met,
            };
        }));

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ValidationProblem, ProblemHttpResult>> GetUnitCompliance(
        Guid unitId, HttpContext http, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, IOptions<ProposalOptions> proposals,
        IOptions<JsonOptions> json, ComplianceCache cache, TimeProvider time, int? year, CancellationToken cancellationToken)
    {
        if (year is < 2000 or > 2200)
        {
            return Problems.Invalid("year", "year must be between 2000 and 2200.");
        }
        var today = IndonesiaClock.Today(time);
        var coverageYear = year ?? today.Year;
        var entry = cache.FindUnit(unitId, coverageYear, year, today);
        if (entry is null)
        {
            var reading = cache.Reading;
            await using var connection = await db.OpenAsync(cancellationToken);
            var rows = (await connection.QueryAsync<ComplianceRow>(RowsOfUnit, RowFilter(today, coverageYear, year, unitId: unitId))).AsList();
            if (rows.Count == 0)
            {
                return Problems.NotFound("Unit", unitId);
            }
            var document = (await BuildAll(connection, db.Dialect, catalogue, proposals.Value, rows, coverageYear, today))[0];
            entry = UnitEntry(document, json.Value.SerializerOptions, today, reading);
            cache.Remember(coverageYear, year, entry);
        }
        if (!caller.CanSeeUnit(entry.UnitId, entry.AgencyId))
        {
            return Problems.NotFound("Unit", unitId);
        }
        http.Response.Headers.ETag = entry.ETag;
        if (http.Request.Headers.IfNoneMatch.Any(value => value is not null && value.Split(',').Any(tag => tag.Trim() == entry.ETag || tag.Trim() == "*")))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Bytes(entry.Body, "application/json; charset=utf-8");
    }

    private static ComplianceCache.UnitEntry UnitEntry(UnitCompliance document, JsonSerializerOptions json, DateOnly today, long reading)
    {
        // A strong validator: the hash of exactly the bytes this document serialises to.
        var body = JsonSerializer.SerializeToUtf8Bytes(document, json);
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"";
        return new ComplianceCache.UnitEntry(document, body, etag, today, reading);
    }

    /// <summary>
    /// One row per unit with everything the stage needs, as a derived table so that stage and predikat can be filtered in SQL.
    /// Every subquery is a lookup by unit on an index (see docs/compliance-queries.md).
    /// </summary>
    private const string RowsSelectFragment = """
        SELECT x.* FROM (
            SELECT u.id AS unit_id, u.code AS unit_code, u.agency_id, g.code AS agency_code, u.employee_count,
                   du.declaration_id, d.declared_on, du.head_nip,
                   (SELECT COUNT(DISTINCT p.nip) FROM integrity_pacts p WHERE p.unit_id = u.id AND p.signed_year = @Year) AS signed_employees,
                   CASE
                       WHEN du.head_nip IS NOT NULL THEN
                           (SELECT COUNT(*) FROM integrity_pacts p WHERE p.unit_id = u.id AND p.signed_year = @Year AND p.nip = du.head_nip)
                       ELSE
                           (SELECT COUNT(*) FROM integrity_pacts p WHERE p.unit_id = u.id AND p.signed_year = @Year AND p.role = 'pimpinan')
                   END AS head_pacts,
                   (SELECT a.id FROM assessments a
                    WHERE a.unit_id = u.id AND a.year = COALESCE(@AssessmentYear, (SELECT MAX(a2.year) FROM assessments a2 WHERE a2.unit_id = u.id))) AS assessment_id,
                   (SELECT a.status FROM assessments a
                    WHERE a.unit_id = u.id AND a.year = COALESCE(@AssessmentYear, (SELECT MAX(a2.year) FROM assessments a2 WHERE a2.unit_id = u.id))) AS assessment_status,
                   (SELECT MAX(ds.predikat) FROM designations ds WHERE ds.unit_id = u.id AND ds.revoked_on IS NULL AND ds.superseded_by IS NULL) AS active_predikat,
                   (SELECT MAX(ds.revoked_on) FROM designations ds WHERE ds.unit_id = u.id AND ds.revoked_on IS NOT NULL) AS last_revoked_on
            FROM units u
            JOIN agencies g ON g.id = u.agency_id
            LEFT JOIN declaration_units du ON du.unit_id = u.id AND du.withdrawn_at IS NULL
            LEFT JOIN declarations d ON d.id = du.declaration_id
        """;

    private const string RowsFilterFragment = """
        ) x
        WHERE (@Predikat IS NULL OR x.active_predikat = @Predikat)
          AND (@Stage IS NULL OR @Stage =
               CASE
                   WHEN x.active_predikat IS NOT NULL THEN x.active_predikat
                   WHEN x.last_revoked_on > @BanCutoff THEN 'revoked'
                   WHEN x.assessment_status = 'proposed' THEN 'proposed'
                   WHEN x.assessment_status IS NOT NULL AND x.assessment_status NOT IN ('designated', 'not_designated') THEN 'assessing'
                   WHEN x.declaration_id IS NOT NULL THEN 'declared'
                   ELSE 'not_declared'
               END)
        """;

    // One statement per scope rather than "@UnitId IS NULL OR u.id = @UnitId", which would make every call scan all units.
    internal const string RowsOfUnit = $"""
        {RowsSelectFragment}
            WHERE u.id = @UnitId
        {RowsFilterFragment}
        """;

    internal const string RowsOfAgency = $"""
        {RowsSelectFragment}
            WHERE u.agency_id = @AgencyId
        {RowsFilterFragment}
        """;

    internal const string RowsOfUnits = $"""
        {RowsSelectFragment}
            WHERE u.id IN @Ids
        {RowsFilterFragment}
        """;

    private const string UnitCountOfAgency = "SELECT COUNT(*) FROM units WHERE agency_id = @AgencyId";
    private const string UnitPageOfAgency = "SELECT id FROM units WHERE agency_id = @AgencyId ORDER BY code";
    private const string UnitCountOfAll = "SELECT COUNT(*) FROM units";
    private const string UnitPageOfAll = "SELECT u.id FROM units u JOIN agencies g ON g.id = u.agency_id ORDER BY g.code, u.code";

    internal const string RowsOfAll = $"""
        {RowsSelectFragment}
        {RowsFilterFragment}
        """;

    private const string CountOfUnit = $"SELECT COUNT(*) FROM ({RowsOfUnit}) c";
    private const string CountOfAgency = $"SELECT COUNT(*) FROM ({RowsOfAgency}) c";
    private const string CountOfAll = $"SELECT COUNT(*) FROM ({RowsOfAll}) c";

    // Within one agency the unit code alone orders the rows, which lets the (agency_id, code) index deliver a page
    // without evaluating every unit of the agency first.
    private const string OrderWithinAgency = " ORDER BY x.unit_code";
    private const string OrderAcrossAgencies = " ORDER BY x.agency_code, x.unit_code, x.unit_id";

    internal static (string Rows, string Count, string OrderBy) RowsSql(Guid? agencyId, Guid? unitId) =>
        unitId is not null ? (RowsOfUnit, CountOfUnit, OrderWithinAgency)
        : agencyId is not null ? (RowsOfAgency, CountOfAgency, OrderWithinAgency)
        : (RowsOfAll, CountOfAll, OrderAcrossAgencies);

    internal sealed record RowParameters(int Year, int? AssessmentYear, Guid? AgencyId, Guid? UnitId, string? Stage, string? Predikat, DateOnly BanCutoff)
    {
        public System.Collections.IEnumerable? Ids { get; init; }
    }

    internal static RowParameters RowFilter(DateOnly today, int coverageYear, int? assessmentYear, Guid? agencyId = null, Guid? unitId = null, string? stage = null, string? predikat = null) =>
        new(coverageYear, assessmentYear, agencyId, unitId, stage, predikat, today.AddYears(-DesignationRules.RevocationBanYears));

    /// <summary>The documents for a set of unit rows, with a fixed number of queries whatever the number of units.</summary>
    internal static async Task<List<UnitCompliance>> BuildAll(DbConnection connection, ISqlDialect dialect, FrameworkCatalogue catalogue, ProposalOptions proposals,
        IReadOnlyList<ComplianceRow> rows, int coverageYear, DateOnly today)
    {
        var assessmentIds = rows.Where(r => r.AssessmentId is not null).Select(r => r.AssessmentId!.Value).ToList();
        var unitIds = rows.Select(r => r.UnitId).ToList();
        var assessments = new Dictionary<Guid, Assessment>();
        ILookup<Guid, LayerAnswer> answers = Array.Empty<LayerAnswer>().ToLookup(a => a.AssessmentId);
        ILookup<Guid, EvidenceStatus> evidence = Array.Empty<EvidenceStatus>().ToLookup(e => e.AssessmentId);
        if (assessmentIds.Count > 0)
        {
            const string assessmentSql = $"SELECT {AssessmentQueries.Columns} FROM assessments WHERE id IN @Ids";
            assessments = (await connection.QueryAsync<Assessment>(assessmentSql, new { Ids = dialect.IdList(assessmentIds) })).ToDictionary(a => a.Id);
            const string answersSql = "SELECT assessment_id, layer, item_code, value FROM answers WHERE assessment_id IN @Ids";
            answers = (await connection.QueryAsync<LayerAnswer>(answersSql, new { Ids = dialect.IdList(assessmentIds) })).ToLookup(a => a.AssessmentId);
            const string evidenceSql = "SELECT assessment_id, item_code, status, valid_until FROM evidence WHERE assessment_id IN @Ids AND withdrawn_at IS NULL";
            evidence = (await connection.QueryAsync<EvidenceStatus>(evidenceSql, new { Ids = dialect.IdList(assessmentIds) })).ToLookup(e => e.AssessmentId);
        }
        const string designationSql = $"SELECT {DesignationRules.Columns} FROM designations WHERE unit_id IN @Ids";
        var designations = (await connection.QueryAsync<Designation>(designationSql, new { Ids = dialect.IdList(unitIds) })).ToLookup(d => d.UnitId);
        var accountability = await AccountabilityStandings.ForUnits(connection, dialect, rows.Select(r => (r.UnitId, r.AgencyId)).ToList(), coverageYear, today);
        var windows = await ProposalWindows.AllConfigured(connection);
        var portalRb = await PortalRbStandings.ForAssessments(connection, dialect,
            assessments.Values.Select(a => new PortalRbStandings.Subject(a.Id, a.UnitId, a.Year)).ToList());

        var documents = new List<UnitCompliance>(rows.Count);
        foreach (var row in rows)
        {
            var assessment = row.AssessmentId is { } id ? assessments.GetValueOrDefault(id) : null;
            var deadline = assessment is null ? (DateOnly?)null : ProposalWindows.Effective(windows, proposals, assessment.Year).ClosesOn;
            documents.Add(Build(catalogue, deadline, row, assessment, assessment is null ? [] : answers[assessment.Id],
                assessment is null ? [] : evidence[assessment.Id], designations[row.UnitId].ToList(), accountability[row.UnitId],
                assessment is null ? null : portalRb.GetValueOrDefault(assessment.Id), coverageYear, today));
        }
        return documents;
    }

    private static UnitCompliance Build(FrameworkCatalogue catalogue, DateOnly? proposalDeadline, ComplianceRow row, Assessment? assessment,
        IEnumerable<LayerAnswer> answers, IEnumerable<EvidenceStatus> evidenceRows, List<Designation> designations,
        AccountabilityStandings.UnitFigures accountability, PortalRbStanding? portalRb, int coverageYear, DateOnly today)
    {
        var coverage = row.EmployeeCount == 0
            ? 0m
            : Math.Round(Math.Min(1m, (decimal)row.SignedEmployees / row.EmployeeCount), 4, MidpointRounding.AwayFromZero);
        var pacts = new PactCoverage(row.SignedEmployees, row.EmployeeCount, coverage, row.HeadPacts > 0);
        var holdsWbk = designations.Any(d => d.Predikat == "WBK" && d.Active);

        AssessmentStanding? standing = null;
        EvidenceStanding? evidence = null;
        if (assessment is not null && catalogue.TryGet(assessment.FrameworkCode, out var framework))
        {
            var byLayer = answers.ToLookup(a => a.Layer);
            var scores = Layers.All.ToDictionary(layer => layer, layer =>
            {
                var report = ScoreCalculator.Calculate(framework, byLayer[layer].ToDictionary(a => a.ItemCode, a => a.Value), holdsWbk, layer);
                return new LayerStanding(report.Total, report.Eligibility[assessment.Target].Eligible);
            });
            standing = new AssessmentStanding(assessment.Id, assessment.Year, assessment.Target, assessment.Status, scores, assessment.Afirmasi);
            var accepted = evidenceRows.Where(e => e.Status == "accepted" && !(e.ValidUntil < today)).Select(e => e.ItemCode).ToHashSet();
            var scored = framework.Items.Count(i => i.Scored);
            var withAccepted = framework.Items.Count(i => i.Scored && accepted.Contains(i.Code));
            evidence = new EvidenceStanding(withAccepted, scored - withAccepted);
        }

        var active = designations.Where(d => d.Active).MaxBy(d => d.DecreeDate);
        var shown = active ?? designations.MaxBy(d => d.DecreeDate);
        var designation = shown is null ? null
            : new DesignationStanding(shown.Predikat, shown.DecreeNumber, shown.DecreeDate, shown.Active, shown.RevokedOn, shown.EligibleAgainOn);

        var stage = StageOf(row, today);

        var flags = new List<string>();
        if (row.DeclarationId is not null && !pacts.HeadSigned) flags.Add("head_has_not_signed_pact");
        if (coverage < PactCoverageMinimum) flags.Add("pact_coverage_below_80_percent");
        if (evidence is { ItemsWithoutAcceptedEvidence: > 0 }) flags.Add("evidence_missing");
        if (assessment is not null
            && assessment.Status is AssessmentStatus.Draft or AssessmentStatus.Returned or AssessmentStatus.SelfSubmitted or AssessmentStatus.TpiReviewed
            && today > proposalDeadline)
        {
            flags.Add("deadline_passed");
        }
        if (portalRb is { AnswersChangedSince: true }) flags.Add(PortalRbStanding.RefetchFlag);

        return new UnitCompliance(row.UnitId, row.UnitCode, row.AgencyId, coverageYear, row.DeclarationId is not null,
            row.DeclarationId is { } declarationId ? new DeclarationSummary(declarationId, row.DeclaredOn!.Value) : null,
            pacts, standing, evidence, designation, stage, flags, accountability.Absorption, accountability.Performance, assessment is null ? null : portalRb ?? PortalRbStanding.Of(null, null));
    }

    /// <summary>The same order of precedence as the stage filter in <see cref="RowsFilterFragment"/>.</summary>
    private static string StageOf(ComplianceRow row, DateOnly today) =>
        row.ActivePredikat is { } predikat ? predikat
        : row.LastRevokedOn is { } revoked && revoked > today.AddYears(-DesignationRules.RevocationBanYears) ? "revoked"
        : row.AssessmentStatus == AssessmentStatus.Proposed ? "proposed"
        : row.AssessmentStatus is not null and not (AssessmentStatus.Designated or AssessmentStatus.NotDesignated) ? "assessing"
        : row.DeclarationId is not null ? "declared"
        : "not_declared";

    internal sealed class EvidenceStatus
    {
        public Guid AssessmentId { get; init; }
        public string ItemCode { get; init; } = "";
        public string Status { get; init; } = "";
        public DateOnly? ValidUntil { get; init; }
    }

    internal sealed class LayerAnswer
    {
        public Guid AssessmentId { get; init; }
        public string Layer { get; init; } = "";
        public string ItemCode { get; init; } = "";
        public string Value { get; init; } = "";
    }

    internal sealed class ComplianceRow
    {
        public Guid UnitId { get; init; }
        public string UnitCode { get; init; } = "";
        public Guid AgencyId { get; init; }
        public string AgencyCode { get; init; } = "";
        public Guid? AssessmentId { get; init; }
        public string? AssessmentStatus { get; init; }
        public string? ActivePredikat { get; init; }
        public DateOnly? LastRevokedOn { get; init; }
        public int EmployeeCount { get; init; }
        public Guid? DeclarationId { get; init; }
        public DateOnly? DeclaredOn { get; init; }
        public string? HeadNip { get; init; }
        public int SignedEmployees { get; init; }
        public int HeadPacts { get; init; }
    }
}

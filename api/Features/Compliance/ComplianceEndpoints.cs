using Microsoft.AspNetCore.Http.Json;
using ZonaIntegritas.Api.Features.Accountability;
using ZonaIntegritas.Api.Features.Agencies;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Workflow;
using static ZonaIntegritas.Api.Features.Compliance.ComplianceQueries;

namespace ZonaIntegritas.Api.Features.Compliance;

public static class ComplianceEndpoints
{
    public static RouteGroupBuilder MapCompliance(this RouteGroupBuilder api)
    {
        api.MapGet("/units/{unitId:guid}/compliance", GetUnitCompliance)
            .WithTags("Compliance")
            .WithValidation()
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
                `national` (null until proposed): the national stage (the assessment's status from proposed on), selection outcome and
                the dates of each stage, open and overdue follow-ups (flag follow_ups_overdue) and the appeal (available, expired, filed,
                accepted, rejected, with its window). `prerequisites`: the agency's audit opinion for the year before the assessment's
                (met only by WTP) and its quota for the year and target, if set. The response has a strong ETag; send it in If-None-Match to get 304 while nothing changed.
                """)
            .Produces<UnitCompliance>(StatusCodes.Status200OK, "application/json")
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/compliance", ListCompliance)
            .WithTags("Compliance")
            .WithValidation()
            .WithName(nameof(ListCompliance))
            .WithSummary("The compliance documents of many units, in pages; CSV with Accept: text/csv")
            .WithDescription("""
                Filters: `agencyId`, `stage`, `predikat` (active WBK or WBBM), `year`, `flag` (one of the document flags, e.g.
                portalrb_refetch_needed: units PortalRB should refetch), `nationalStage` (the status of the shown assessment in the
                national evaluation, e.g. passed_with_notes or appealed). Sorted by agency code, then unit code.
                With `Accept: text/csv` the same rows come as CSV (UTF-8 with BOM, a header row, one row per unit; `?delimiter=semicolon` for
                Indonesian-locale Excel), with `Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet` as .xlsx (typed cells).
                Readers see their agency, or everything when national.
                """)
            .Produces<Page<UnitCompliance>>(StatusCodes.Status200OK, "application/json", "text/csv", SpreadsheetTable.ContentType);
        api.MapGet("/agencies/{agencyId:guid}/compliance-summary", GetAgencyComplianceSummary)
            .WithTags("Compliance")
            .WithValidation()
            .WithName(nameof(GetAgencyComplianceSummary))
            .WithSummary("An agency's units by stage and predikat, declarations and average pact coverage")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/compliance-summary", GetNationalComplianceSummary)
            .WithTags("Compliance")
            .WithValidation()
            .WithName(nameof(GetNationalComplianceSummary))
            .WithSummary("The same summary for every agency the key may see, with totals");
        return api;
    }

    public static async Task<Results<FileContentHttpResult, ValidationProblem>> ListCompliance(
        HttpRequest request, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, IOptions<ProposalOptions> proposals,
        IOptions<JsonOptions> json, ViewCache cache, ComplianceStore store, TimeProvider time, [AsParameters] ComplianceListQuery query,
        CancellationToken cancellationToken)
    {
        var paging = ((IPagedQuery)query).Paging;
        var today = IndonesiaClock.Today(time);
        var coverageYear = query.Year ?? today.Year;
        var csv = CsvText.Wanted(request);
        if (query.AgencyId is { } requested && !caller.CanSeeAgency(requested))
        {
            return csv ? ComplianceCsv.Bytes(request, []) : JsonBytes(new Page<UnitCompliance>([], paging.Page, paging.PageSize, 0), json.Value.SerializerOptions);
        }
        var (scopeAgency, scopeUnit) = (query.AgencyId ?? caller.ScopeAgencyId, caller.ScopeUnitId);
        var key = new ComplianceListKey(scopeAgency, scopeUnit, query.Stage, query.Predikat, query.Year, query.Flag, query.NationalStage,
            paging.Page, paging.PageSize, CsvText.Format(request));
        var sent = await cache.GetOrBuildAsync(key, ViewOf(caller, scopeAgency, scopeUnit), today, async () =>
        {
            var reading = cache.Reading;
            await using var connection = await db.OpenAsync(cancellationToken);
            var filter = RowFilter(today, coverageYear, query.Year, scopeAgency, scopeUnit, query.Stage, query.Predikat) with { NationalStage = query.NationalStage };
            if (!csv && query.Flag is null && PagesByUnitIndex(filter) && ComplianceDocuments.FromStore(query.Year, coverageYear, today))
            {
                // The common page (an agency's units, this year, JSON): the units index and the stored documents, nothing else.
                var ids = await UnitPageAsync(connection, db.Dialect, filter, paging);
                var stored = await ComplianceDocuments.ReuseStored(connection, db.Dialect, store, cache, ids.Items, coverageYear, today, reading);
                return SentBody.Of(TypedResults.Bytes(ComplianceListJson.Write(ids.Items.Select(id => stored[id]).ToList(), ids.PageNumber, ids.PageSize, ids.Total,
                    json.Value.SerializerOptions), "application/json; charset=utf-8"));
            }
            var (rows, byUnit) = await PageOfDocuments(connection, db.Dialect, catalogue, proposals.Value, store, cache, json.Value.SerializerOptions,
                filter, query.Flag, paging, today, reading);
            var entries = rows.Items.Select(r => byUnit[r.UnitId]).ToList();
            return SentBody.Of(csv
                ? ComplianceCsv.Bytes(request, entries.Zip(rows.Items, (e, r) => (e.Document, r.AgencyCode)).ToList())
                : TypedResults.Bytes(ComplianceListJson.Write(entries, rows.PageNumber, rows.PageSize, rows.Total, json.Value.SerializerOptions), "application/json; charset=utf-8"));
        });
        return sent!.ToResult();
    }

    /// <summary>
    /// The page's rows and their documents (cached ones reused). Flags are computed with the documents, so a flag filter
    /// cuts the page from the scope's documents that carry the flag.
    /// </summary>
    private static async Task<(Page<ComplianceRow> Rows, Dictionary<Guid, UnitEntry> Entries)> PageOfDocuments(DbConnection connection,
        ISqlDialect dialect, FrameworkCatalogue catalogue, ProposalOptions proposals, ComplianceStore store, ViewCache cache, JsonSerializerOptions json,
        RowParameters filter, string? flag, PageRequest paging, DateOnly today, long reading)
    {
        Page<ComplianceRow> rows;
        if (flag is not null)
        {
            var all = await AllAsync(connection, filter);
            var flagged = await ComplianceDocuments.Reuse(connection, dialect, catalogue, proposals, store, cache, all, filter.Year, filter.AssessmentYear, today, reading, json);
            var matching = all.Where(r => flagged[r.UnitId].Document.Flags.Contains(flag)).ToList();
            rows = new Page<ComplianceRow>(matching.Skip(paging.Skip).Take(paging.Take).ToList(), paging.Page, paging.PageSize, matching.Count);
        }
        else
        {
            rows = await PageAsync(connection, dialect, filter, paging);
        }
        return (rows, await ComplianceDocuments.Reuse(connection, dialect, catalogue, proposals, store, cache, rows.Items, filter.Year, filter.AssessmentYear, today, reading, json));
    }

    private static ViewScope ViewOf(Caller caller, Guid? scopeAgency, Guid? scopeUnit) =>
        scopeUnit is not null ? new ViewScope(caller.AgencyId, scopeUnit)
        : scopeAgency is { } agency ? ViewScope.OfAgency(agency)
        : ViewScope.Everything;

    private static FileContentHttpResult JsonBytes<T>(T value, JsonSerializerOptions options) =>
        TypedResults.Bytes(JsonSerializer.SerializeToUtf8Bytes(value, options), "application/json; charset=utf-8");

    public static async Task<Results<Ok<ComplianceSummary>, ValidationProblem, ProblemHttpResult>> GetAgencyComplianceSummary(
        Guid agencyId, Caller caller, DbConnectionFactory db, ViewCache cache, TimeProvider time, [AsParameters] ComplianceYearQuery query,
        CancellationToken cancellationToken)
    {
        var year = query.Year;
        if (!caller.CanSeeAgency(agencyId))
        {
            return Problems.NotFound("Agency", agencyId);
        }
        var today = IndonesiaClock.Today(time);
        var coverageYear = year ?? today.Year;
        var summary = await cache.GetOrBuildAsync(new AgencySummaryKey(agencyId, coverageYear, year), ViewScope.OfAgency(agencyId), today, async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            if (await AgencyQueries.Find(connection, agencyId) is not { } agency)
            {
                return null;
            }
            var rows = (await connection.QueryAsync<ComplianceRow>(RowsOfAgency, RowFilter(today, coverageYear, year, agencyId))).AsList();
            var figures = await AccountabilityStandings.ForScope(connection, db.Dialect, rows.Select(r => (r.UnitId, r.AgencyId)).ToList(), agencyId, coverageYear, today);
            return ComplianceSummaries.Summarize(agency.Id, agency.Code, coverageYear, rows, figures);
        });
        return summary is null ? Problems.NotFound("Agency", agencyId) : TypedResults.Ok(summary);
    }

    public static async Task<Results<Ok<NationalComplianceSummary>, ValidationProblem>> GetNationalComplianceSummary(
        Caller caller, DbConnectionFactory db, ViewCache cache, TimeProvider time, [AsParameters] ComplianceYearQuery query, CancellationToken cancellationToken)
    {
        var year = query.Year;
        var today = IndonesiaClock.Today(time);
        var coverageYear = year ?? today.Year;
        var (scopeAgency, scopeUnit) = (caller.ScopeAgencyId, caller.ScopeUnitId);
        var key = new NationalSummaryKey(scopeAgency, scopeUnit, coverageYear, year);
        var summary = await cache.GetOrBuildAsync(key, ViewOf(caller, scopeAgency, scopeUnit), today, async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            var rows = (await connection.QueryAsync<ComplianceRow>(RowsSql(scopeAgency, scopeUnit).Rows, RowFilter(today, coverageYear, year, scopeAgency, scopeUnit))).AsList();
            var figures = await AccountabilityStandings.ForScope(connection, db.Dialect, rows.Select(r => (r.UnitId, r.AgencyId)).ToList(), scopeAgency, coverageYear, today);
            var agencies = rows.GroupBy(r => (r.AgencyId, r.AgencyCode)).OrderBy(g => g.Key.AgencyCode, StringComparer.Ordinal)
                .Select(g => ComplianceSummaries.Summarize(g.Key.AgencyId, g.Key.AgencyCode, coverageYear, g.ToList(), figures)).ToList();
            return new NationalComplianceSummary(coverageYear, ComplianceSummaries.Summarize(null, null, coverageYear, rows, figures), agencies);
        });
        return TypedResults.Ok(summary!);
    }

    public static async Task<Results<FileContentHttpResult, StatusCodeHttpResult, ValidationProblem, ProblemHttpResult>> GetUnitCompliance(
        Guid unitId, HttpContext http, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, IOptions<ProposalOptions> proposals,
        IOptions<JsonOptions> json, ViewCache cache, ComplianceStore store, TimeProvider time, [AsParameters] ComplianceYearQuery query,
        CancellationToken cancellationToken)
    {
        var year = query.Year;
        var today = IndonesiaClock.Today(time);
        var coverageYear = year ?? today.Year;
        var entry = await cache.GetOrBuildAsync(new UnitDocumentKey(unitId, coverageYear, year), e => e.Scope, today, async () =>
        {
            await using var connection = await db.OpenAsync(cancellationToken);
            if (year is null)
            {
                return await store.GetAsync(connection, db.Dialect, unitId, today);
            }
            var rows = (await connection.QueryAsync<ComplianceRow>(RowsOfUnit, RowFilter(today, coverageYear, year, unitId: unitId))).AsList();
            return rows.Count == 0 ? null
                : UnitEntry.Of((await ComplianceDocuments.BuildAll(connection, db.Dialect, catalogue, proposals.Value, rows, coverageYear, today))[0], json.Value.SerializerOptions);
        });
        if (entry is null || !caller.CanSeeUnit(entry.UnitId, entry.AgencyId))
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
}

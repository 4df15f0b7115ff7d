using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Designations;
using ZonaIntegritas.Api.Features.Assessments;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>The SQL of the compliance rows: one statement per scope, each a seek by unit (docs/compliance-queries.md).</summary>
public static class ComplianceQueries
{
    public static readonly string[] Stages = ["not_declared", "declared", "assessing", "proposed", Predikat.Wbk, Predikat.Wbbm, "revoked"];

    /// <summary>
    /// A unit's stage, in order of precedence: an active predikat, a revocation within the ban, proposed, being assessed,
    /// declared. Computed here only, so the stage filter and the documents cannot disagree.
    /// </summary>
    private const string StageSql = $"""
        CASE
            WHEN s.active_predikat IS NOT NULL THEN s.active_predikat
            WHEN s.last_revoked_on > @BanCutoff THEN 'revoked'
            WHEN s.assessment_status IN ({AssessmentStatus.InNationalEvaluationSql}) THEN 'proposed'
            WHEN s.assessment_status IS NOT NULL AND s.assessment_status NOT IN ({AssessmentStatus.FinalSql}) THEN 'assessing'
            WHEN s.declaration_id IS NOT NULL THEN 'declared'
            ELSE 'not_declared'
        END
        """;

    /// <summary>
    /// One row per unit with everything the stage needs, and the stage, as derived tables so that stage and predikat can be filtered in SQL.
    /// Every subquery is a lookup by unit on an index (see docs/compliance-queries.md).
    /// </summary>
    private const string RowsSelectFragment = $"""
        SELECT x.* FROM (SELECT s.*, {StageSql} AS stage FROM (
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

    private const string RowsFilterFragment = $"""
        ) s) x
        WHERE (@Predikat IS NULL OR x.active_predikat = @Predikat)
          AND (@Stage IS NULL OR x.stage = @Stage)
          AND (@NationalStage IS NULL OR x.assessment_status = @NationalStage)
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
        /// <summary>The shown assessment's status in the national evaluation (the list's nationalStage filter).</summary>
        public string? NationalStage { get; init; }

        public System.Collections.IEnumerable? Ids { get; init; }
    }

    internal static RowParameters RowFilter(DateOnly today, int coverageYear, int? assessmentYear, Guid? agencyId = null, Guid? unitId = null, string? stage = null, string? predikat = null) =>
        new(coverageYear, assessmentYear, agencyId, unitId, stage, predikat, today.AddYears(-DesignationRules.RevocationBanYears));


    /// <summary>
    /// A page of rows in the list's order. Without a stage, predikat or national-stage filter the page is chosen on the units index alone,
    /// so skipped rows cost nothing.
    /// </summary>
    internal static async Task<Page<ComplianceRow>> PageAsync(DbConnection connection, ISqlDialect dialect, RowParameters filter, PageRequest paging)
    {
        if (PagesByUnitIndex(filter))
        {
            var ids = await UnitPageAsync(connection, dialect, filter, paging);
            var found = ids.Items.Count == 0 ? []
                : (await connection.QueryAsync<ComplianceRow>(RowsOfUnits, filter with { Ids = dialect.IdList(ids.Items) })).ToDictionary(r => r.UnitId);
            return new Page<ComplianceRow>(ids.Items.Select(id => found[id]).ToList(), ids.PageNumber, ids.PageSize, ids.Total);
        }
        var sql = RowsSql(filter.AgencyId, filter.UnitId);
        return await connection.QueryPageAsync<ComplianceRow>(dialect, sql.Count, sql.Rows + sql.OrderBy, filter, paging);
    }

    /// <summary>Whether the filter leaves every unit of the scope in the list, so that a page is a page of the units index.</summary>
    internal static bool PagesByUnitIndex(RowParameters filter) =>
        filter.Stage is null && filter.Predikat is null && filter.NationalStage is null && filter.UnitId is null;

    /// <summary>A page of the scope's unit ids in the list's order, and the scope's unit count (<see cref="PagesByUnitIndex"/> filters only).</summary>
    internal static Task<Page<Guid>> UnitPageAsync(DbConnection connection, ISqlDialect dialect, RowParameters filter, PageRequest paging) =>
        filter.AgencyId is not null
            ? connection.QueryPageAsync<Guid>(dialect, UnitCountOfAgency, UnitPageOfAgency, new { filter.AgencyId }, paging)
            : connection.QueryPageAsync<Guid>(dialect, UnitCountOfAll, UnitPageOfAll, null, paging);

    /// <summary>Every row of the scope, in the list's order.</summary>
    internal static async Task<List<ComplianceRow>> AllAsync(DbConnection connection, RowParameters filter)
    {
        var sql = RowsSql(filter.AgencyId, filter.UnitId);
        return (await connection.QueryAsync<ComplianceRow>(sql.Rows + sql.OrderBy, filter)).AsList();
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
        public string Stage { get; init; } = "";
    }
}

namespace ZonaIntegritas.Api.Features.PortalRb;

/// <summary>
/// What PortalRB last saw of an assessment: when it last fetched the unit's answers for that year (a jawaban-unit call
/// answered 200), and whether a self or TPI answer or note, or the item evidence, changed after that. PortalRB then needs
/// a "Refetch". Never fetched: <c>lastFetchedAt</c> null and nothing to refetch.
/// </summary>
public sealed record PortalRbStanding(DateTimeOffset? LastFetchedAt, bool AnswersChangedSince)
{
    public const string RefetchFlag = "portalrb_refetch_needed";

    public static PortalRbStanding Of(DateTimeOffset? lastFetchedAt, DateTimeOffset? lastChangedAt) =>
        new(lastFetchedAt, lastFetchedAt is { } fetched && lastChangedAt is { } changed && changed > fetched);
}

public static class PortalRbStandings
{
    public sealed record Subject(Guid AssessmentId, Guid UnitId, int Year);

    /// <summary>The standing of each assessment, with two queries whatever their number.</summary>
    public static async Task<IReadOnlyDictionary<Guid, PortalRbStanding>> ForAssessments(DbConnection connection, ISqlDialect dialect, IReadOnlyList<Subject> subjects)
    {
        if (subjects.Count == 0)
        {
            return new Dictionary<Guid, PortalRbStanding>();
        }
        var fetched = await LastFetchesAsync(connection, dialect, subjects.Select(s => s.UnitId).Distinct().ToList());
        var changed = await LastChangesAsync(connection, dialect, subjects.Select(s => s.AssessmentId).ToList());
        return subjects.ToDictionary(s => s.AssessmentId, s => PortalRbStanding.Of(
            fetched.TryGetValue((s.UnitId, s.Year), out var at) ? at : null,
            changed.TryGetValue(s.AssessmentId, out var change) ? change : null));
    }

    /// <summary>When each assessment last changed in what PortalRB sees (its refetch rule); assessments without a change are left out.</summary>
    public static async Task<Dictionary<Guid, DateTimeOffset>> LastChangesAsync(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Guid> assessmentIds)
    {
        if (assessmentIds.Count == 0)
        {
            return [];
        }
        // Everything the jawaban-unit answer and its evidence pages show: self/TPI answers and notes (every change, clears
        // included, is in answer_history) and evidence added, replaced, reviewed or withdrawn.
        const string changedSql = """
            SELECT c.assessment_id, MAX(c.at) AS at FROM (
                SELECT h.assessment_id, h.changed_at AS at FROM answer_history h WHERE h.assessment_id IN @Ids AND h.layer IN ('self', 'tpi')
                UNION ALL SELECT e.assessment_id, e.created_at FROM evidence e WHERE e.assessment_id IN @Ids
                UNION ALL SELECT e.assessment_id, e.reviewed_at FROM evidence e WHERE e.assessment_id IN @Ids AND e.reviewed_at IS NOT NULL
                UNION ALL SELECT e.assessment_id, e.withdrawn_at FROM evidence e WHERE e.assessment_id IN @Ids AND e.withdrawn_at IS NOT NULL
                UNION ALL SELECT e.assessment_id, v.uploaded_at FROM evidence_versions v JOIN evidence e ON e.id = v.evidence_id WHERE e.assessment_id IN @Ids
            ) c
            GROUP BY c.assessment_id
            """;
        return (await connection.QueryAsync<ChangedRow>(changedSql, new { Ids = dialect.IdList(assessmentIds) })).ToDictionary(r => r.AssessmentId, r => r.At);
    }

    /// <summary>When PortalRB last fetched each unit's answers, per unit and year (jawaban-unit calls answered 200).</summary>
    public static async Task<Dictionary<(Guid UnitId, int Year), DateTimeOffset>> LastFetchesAsync(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Guid> unitIds)
    {
        if (unitIds.Count == 0)
        {
            return [];
        }
        const string sql = """
            SELECT unit_id, year, MAX(at) AS at
            FROM portalrb_fetches
            WHERE unit_id IN @UnitIds AND endpoint = 'jawaban-unit' AND status = 200
            GROUP BY unit_id, year
            """;
        return (await connection.QueryAsync<FetchedRow>(sql, new { UnitIds = dialect.IdList(unitIds) })).ToDictionary(r => (r.UnitId, r.Year), r => r.At);
    }

    /// <summary>
    /// When PortalRB last fetched the unit's answers for the year, as a scalar subquery for <c>@UnitId</c> and
    /// <c>@AssessmentYear</c>: what a document's save writes to <c>last_fetched_at</c> (the save may change the year the
    /// row shows; between saves the fetch log's writer keeps it, see <see cref="FetchLogWriter"/>).
    /// </summary>
    public const string LastFetchOfUnitYearFragment = """
        (SELECT MAX(f.at) FROM portalrb_fetches f
         WHERE f.unit_id = @UnitId AND f.year = @AssessmentYear AND f.endpoint = 'jawaban-unit' AND f.status = 200)
        """;

    private sealed class FetchedRow
    {
        public Guid UnitId { get; init; }
        public int Year { get; init; }
        public DateTimeOffset At { get; init; }
    }

    private sealed class ChangedRow
    {
        public Guid AssessmentId { get; init; }
        public DateTimeOffset At { get; init; }
    }
}

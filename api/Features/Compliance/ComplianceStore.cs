using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Json;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.PortalRb;
using ZonaIntegritas.Api.Features.Workflow;
using static ZonaIntegritas.Api.Features.Compliance.ComplianceQueries;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>
/// The stored compliance documents (table compliance_documents, migration 0016): each unit's document for the current
/// year and its latest assessment, exactly as GET /units/{id}/compliance sends it. A row is served while it is valid:
/// no write touched the unit since it was built (writes mark it stale in their own transaction, see StoredDocuments)
/// and no date it depends on has come (<c>valid_until</c>). Otherwise it is built from the raw tables and saved, unless
/// a write committed meanwhile (the version read before building must still be the row's). The PortalRB part changes
/// with every fetch, so it is settled when the document is sent: from the fetch log and the stored time of the last
/// change PortalRB would see.
/// <para>
/// A save that follows a date rather than a write (the row's <c>valid_until</c> came, or it was marked on an earlier day
/// than it is rebuilt) appends a <see cref="AuditEntities.DatePassed"/> entry in the same transaction when the unit's
/// stage, flags or absorption may have changed unannounced, so that the webhook projector, which reads the audit
/// trail, compares the unit's standing again: date-driven compliance.changed and absorption.behind without scanning.
/// </para>
/// </summary>
public sealed partial class ComplianceStore(FrameworkCatalogue catalogue, IOptions<ProposalOptions> proposals, IOptions<JsonOptions> json, TimeProvider time)
{
    private JsonSerializerOptions Json => json.Value.SerializerOptions;
    private PortalRbPart? _portalRbPart;

    private sealed class StoredRow
    {
        public Guid UnitId { get; init; }
        public Guid AgencyId { get; init; }
        public long Version { get; init; }
        public DateOnly? ValidUntil { get; init; }
        public string? Body { get; init; }
        public string? Etag { get; init; }
        public int? AssessmentYear { get; init; }
        public DateTimeOffset? AnswersChangedAt { get; init; }
        public DateTimeOffset? PortalrbFetchedAt { get; init; }
        public DateOnly? MarkedOn { get; init; }
        public bool MarkedForAll { get; init; }
        public DateTimeOffset? LastFetchedAt { get; init; }

        public bool ValidOn(DateOnly today) => Body is not null && ValidUntil > today;
    }

    private const string Columns = "unit_id, agency_id, version, valid_until, body, etag, assessment_year, answers_changed_at, portalrb_fetched_at, marked_on, marked_for_all, last_fetched_at";

    // The unit's last fetch by PortalRB is on the row (last_fetched_at, kept by the fetch log's writer): the served document shows it.
    internal const string StoredRowSql = $"SELECT {Columns} FROM compliance_documents WHERE unit_id = @UnitId";
    // What a rebuild compares with: a stale row's mark day; a due row's date and the body it showed.
    // A row marked by an all-units write also brings its body, to compare with (rare: other stale rows skip the read).
    internal const string StaleSql = """
        SELECT unit_id, version, marked_on, marked_for_all, CASE WHEN marked_for_all = 1 THEN body END AS body
        FROM compliance_documents WHERE valid_until IS NULL ORDER BY valid_until
        """;
    internal const string DueSql = "SELECT unit_id, version, valid_until, body FROM compliance_documents WHERE valid_until <= @Today ORDER BY valid_until";

    /// <summary>The unit's document: one indexed read, which brings the unit's last PortalRB fetch along; null for an unknown unit.</summary>
    public async Task<UnitEntry?> GetAsync(DbConnection connection, ISqlDialect dialect, Guid unitId, DateOnly today)
    {
        var (stored, served) = await ReadAsync(connection, unitId, today);
        if (served is not null)
        {
            return served;
        }
        var built = await BuildAsync(connection, dialect, [(unitId, stored)], today, batch: false);
        return built.GetValueOrDefault(unitId);
    }

    /// <summary>The unit's stored document as it would be sent, when the row is valid; null otherwise (nothing is built). For tests.</summary>
    internal async Task<UnitEntry?> StoredAsync(DbConnection connection, Guid unitId, DateOnly today) => (await ReadAsync(connection, unitId, today)).Served;

    /// <summary>The unit's stored row, and the document it serves when the row is valid on <paramref name="today"/>.</summary>
    private async Task<(StoredRow? Row, UnitEntry? Served)> ReadAsync(DbConnection connection, Guid unitId, DateOnly today)
    {
        var stored = await connection.QuerySingleOrDefaultAsync<StoredRow>(StoredRowSql, new { UnitId = unitId });
        if (stored is null || !stored.ValidOn(today))
        {
            return (stored, null);
        }
        return (stored, Served(stored));
    }

    /// <summary>The unit's document built from the raw tables, not saved: what every stored row must agree with. For tests.</summary>
    internal async Task<UnitEntry?> BuiltFromTablesAsync(DbConnection connection, ISqlDialect dialect, Guid unitId, DateOnly today) =>
        (await BuildAsync(connection, dialect, [(unitId, null)], today, batch: false, save: false)).GetValueOrDefault(unitId);

    /// <summary>The documents of many units (a list page): one read of the stored rows, one of their fetches, and one build of the stale ones together.</summary>
    public async Task<Dictionary<Guid, UnitEntry>> GetManyAsync(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Guid> unitIds, DateOnly today)
    {
        var entries = new Dictionary<Guid, UnitEntry>(unitIds.Count);
        foreach (var chunk in unitIds.Chunk(500))
        {
            const string sql = $"SELECT {Columns} FROM compliance_documents WHERE unit_id IN @Ids";
            var stored = (await connection.QueryAsync<StoredRow>(sql, new { Ids = dialect.IdList(chunk) })).ToDictionary(r => r.UnitId);
            foreach (var row in stored.Values.Where(r => r.ValidOn(today)))
            {
                entries[row.UnitId] = Served(row);
            }
            var stale = chunk.Where(id => !entries.ContainsKey(id)).Select(id => (id, stored.GetValueOrDefault(id))).ToList();
            foreach (var (id, entry) in await BuildAsync(connection, dialect, stale, today, batch: false))
            {
                entries[id] = entry;
            }
        }
        return entries;
    }

    /// <summary>
    /// Builds and saves the documents of stale or missing rows, at most <paramref name="max"/>; returns how many were
    /// looked at (0: none was stale). The refresher's and the load generator's step.
    /// </summary>
    public async Task<int> RefreshStaleAsync(DbConnection connection, ISqlDialect dialect, DateOnly today, int max, bool includeMissing = false)
    {
        // Two seeks on ix_compliance_documents_valid rather than one OR, which SQLite answers by scanning every row;
        // the refresher asks this several times a second.
        var due = (await connection.QueryAsync<StoredRow>(StaleSql + dialect.Paging, new { Skip = 0, Take = max }))
            .Select(r => (r.UnitId, (StoredRow?)r)).ToList();
        if (due.Count < max)
        {
            due.AddRange((await connection.QueryAsync<StoredRow>(DueSql + dialect.Paging, new { Today = today, Skip = 0, Take = max - due.Count }))
                .Select(r => (r.UnitId, (StoredRow?)r)));
        }
        if (includeMissing && due.Count < max)
        {
            const string missingSql = "SELECT u.id FROM units u WHERE NOT EXISTS (SELECT 1 FROM compliance_documents c WHERE c.unit_id = u.id) ORDER BY u.id";
            due.AddRange((await connection.QueryAsync<Guid>(missingSql + dialect.Paging, new { Skip = 0, Take = max - due.Count })).Select(id => (id, (StoredRow?)null)));
        }
        if (due.Count == 0)
        {
            return 0;
        }
        await BuildAsync(connection, dialect, due, today, batch: true);
        return due.Count;
    }

    /// <summary>Builds and saves the documents of the given units (a bulk load's step: disjoint sets may run on several connections at once).</summary>
    public async Task RefreshUnitsAsync(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Guid> unitIds, DateOnly today)
    {
        const string sql = $"SELECT {Columns} FROM compliance_documents WHERE unit_id IN @Ids";
        var stored = (await connection.QueryAsync<StoredRow>(sql, new { Ids = dialect.IdList(unitIds) })).ToDictionary(r => r.UnitId);
        await BuildAsync(connection, dialect, unitIds.Select(id => (id, stored.GetValueOrDefault(id))).ToList(), today, batch: true);
    }

    /// <summary>
    /// Builds the units' documents from the raw tables (after reading each stored row, the caller's job) and saves each
    /// one whose row is still at the version read and not yet saved for today by another instance. Units that do not
    /// exist are left out. A <paramref name="batch"/> is saved in one transaction (one commit for many rows); the reads
    /// come before it, so a write lock is held only to save. A save that follows a date (<see cref="DateCame"/>) carries
    /// its audit entry in the same transaction: both land, or neither and the row is rebuilt again.
    /// </summary>
    private async Task<Dictionary<Guid, UnitEntry>> BuildAsync(DbConnection connection, ISqlDialect dialect, IReadOnlyList<(Guid UnitId, StoredRow? Stored)> units,
        DateOnly today, bool batch, bool save = true)
    {
        if (units.Count == 0)
        {
            return [];
        }
        var rows = (await connection.QueryAsync<ComplianceRow>(RowsOfUnits,
            RowFilter(today, today.Year, null) with { Ids = dialect.IdList(units.Select(u => u.UnitId)) })).AsList();
        var horizons = new Dictionary<Guid, DateOnly>();
        var documents = await ComplianceDocuments.BuildAll(connection, dialect, catalogue, proposals.Value, rows, today.Year, today, horizons);
        var changes = await PortalRbStandings.LastChangesAsync(connection, dialect,
            rows.Where(r => r.AssessmentId is not null).Select(r => r.AssessmentId!.Value).ToList());
        var stored = units.ToDictionary(u => u.UnitId, u => u.Stored);
        var byUnit = rows.ToDictionary(r => r.UnitId);
        var entries = new Dictionary<Guid, UnitEntry>(documents.Count);
        var dated = save
            ? documents.Select(d => (d.UnitId, Changes: DateCame(stored[d.UnitId], d, today))).Where(d => d.Changes is not null).ToDictionary(d => d.UnitId, d => d.Changes!)
            : [];
        await using var transaction = save && (batch && documents.Count > 1 || dated.Count > 0) ? await connection.BeginTransactionAsync() : null;
        foreach (var document in documents)
        {
            var entry = UnitEntry.Of(document, Json);
            entries[document.UnitId] = entry;
            if (!save)
            {
                continue;
            }
            var row = byUnit[document.UnitId];
            var body = Encoding.UTF8.GetString(entry.Body);
            var version = stored[document.UnitId]?.Version;
            var saved = await SaveAsync(connection, dialect, transaction, version, new
            {
                document.UnitId,
                document.AgencyId,
                ValidUntil = ValidUntil(body, horizons[document.UnitId], today),
                document.Stage,
                Predikat = row.ActivePredikat,
                row.AssessmentStatus,
                Flags = $" {string.Join(' ', document.Flags)} ",
                Body = body,
                ETag = entry.ETag,
                AssessmentYear = document.Assessment?.Year,
                AnswersChangedAt = row.AssessmentId is { } assessment && changes.TryGetValue(assessment, out var changed) ? changed : (DateTimeOffset?)null,
                FetchedAt = document.PortalRb?.LastFetchedAt,
                Version = version,
                Today = today,
            });
            // Only the instance whose save landed records it, so racing refreshers add one entry, not one each.
            if (saved && dated.TryGetValue(document.UnitId, out var dateChanges))
            {
                await AuditTrail.AppendAnonymousAsync(connection, transaction, time.GetUtcNow(), null, null,
                    new AuditChange(AuditEntities.DatePassed, AuditEntities.ComplianceDocument, document.UnitId.ToString(), document.AgencyId, document.UnitId, dateChanges));
            }
        }
        if (transaction is not null)
        {
            await transaction.CommitAsync();
        }
        return entries;
    }

    /// <summary>
    /// Why this rebuild may change what the unit last announced without a write to tell the projector, or null. A row
    /// whose date came (<c>valid_until</c>) shows it: its stage, flags or absorption standing differ from the stored
    /// body's. A stale row marked on an earlier day than today may too, unseen: its write was projected on that day,
    /// perhaps before midnight, and the row's new <c>valid_until</c> only covers dates from today on. A row an all-units
    /// write marked (<c>marked_for_all</c>, 0018) may too: that write named no unit to project. Rows no write marked
    /// since 0017 (no <c>marked_on</c>) and new rows have nothing announced to differ from.
    /// </summary>
    private object? DateCame(StoredRow? before, UnitCompliance after, DateOnly today)
    {
        if (before is { ValidUntil: { } validUntil, Body: { } body } && validUntil <= today)
        {
            var differences = StandingDifferences(body, after);
            return differences.Count == 0 ? null : new { ValidUntil = validUntil, On = today, Changes = differences };
        }
        if (before is { ValidUntil: null, MarkedForAll: true })
        {
            // An all-units write (a proposal window, a framework revision) named no unit for the projector. A row never
            // built yet (a new unit the refresher has not reached) has no body to compare with, but the projector has
            // announced the unit from the raw tables: tell it, and its comparison with what it announced keeps it quiet.
            if (before.Body is null)
            {
                return new { MarkedForAll = true, On = today };
            }
            var differences = StandingDifferences(before.Body, after);
            if (differences.Count > 0)
            {
                return new { MarkedForAll = true, On = today, Changes = differences };
            }
        }
        if (before is { ValidUntil: null, MarkedOn: { } markedOn } && markedOn < today)
        {
            return new { MarkedOn = markedOn, On = today };
        }
        return null;
    }

    private Dictionary<string, FieldChange> StandingDifferences(string shownBody, UnitCompliance after)
    {
        var shown = JsonSerializer.Deserialize<UnitCompliance>(shownBody, Json)!;
        return AuditTrail.Diff(
            ("stage", shown.Stage, after.Stage),
            ("flags", string.Join(' ', shown.Flags), string.Join(' ', after.Flags)),
            ("absorptionBehind", shown.Absorption?.Behind ?? false, after.Absorption?.Behind ?? false));
    }

    /// <summary>Saves the row; true when it landed (the version still matched and no one saved it for today meanwhile).</summary>
    private static async Task<bool> SaveAsync(DbConnection connection, ISqlDialect dialect, DbTransaction? transaction, long? version, object values)
    {
        // valid_until: a row another instance already saved valid past today is the same document; saving it again
        // would only count the date twice.
        // last_fetched_at: read in the save's transaction, so a fetch committed after the build read its fetches still counts.
        const string update = $"""
            UPDATE compliance_documents
            SET agency_id = @AgencyId, valid_until = @ValidUntil, stage = @Stage, predikat = @Predikat, assessment_status = @AssessmentStatus,
                flags = @Flags, body = @Body, etag = @ETag, assessment_year = @AssessmentYear, answers_changed_at = @AnswersChangedAt,
                portalrb_fetched_at = @FetchedAt, marked_for_all = 0, last_fetched_at = {PortalRbStandings.LastFetchOfUnitYearFragment}
            WHERE unit_id = @UnitId AND version = @Version AND (valid_until IS NULL OR valid_until <= @Today)
            """;
        // A unit without a row yet (created by a bulk load): insert it, unless a write's mark inserted it meanwhile.
        const string insert = $"""
            INSERT INTO compliance_documents (unit_id, agency_id, version, valid_until, stage, predikat, assessment_status, flags, body, etag,
                                              assessment_year, answers_changed_at, portalrb_fetched_at, last_fetched_at)
            SELECT @UnitId, @AgencyId, 1, @ValidUntil, @Stage, @Predikat, @AssessmentStatus, @Flags, @Body, @ETag, @AssessmentYear, @AnswersChangedAt, @FetchedAt,
                   {PortalRbStandings.LastFetchOfUnitYearFragment}
            WHERE NOT EXISTS (SELECT 1 FROM compliance_documents WHERE unit_id = @UnitId)
            """;
        try
        {
            return await connection.ExecuteAsync(version is null ? insert : update, values, transaction) == 1;
        }
        catch (DbException e) when (version is null && dialect.IsUniqueViolation(e))
        {
            // Another instance inserted the row first; its document stands.
            return false;
        }
    }

    /// <summary>
    /// The stored body as sent now: as stored when PortalRB has not fetched the unit since it was built; otherwise with
    /// the PortalRB part and the refetch flag settled from the last fetch (the row's <c>last_fetched_at</c>).
    /// </summary>
    private UnitEntry Served(StoredRow row)
    {
        var body = Encoding.UTF8.GetBytes(row.Body!);
        var fetched = row.LastFetchedAt;
        if (row.AssessmentYear is null || fetched == row.PortalrbFetchedAt)
        {
            return UnitEntry.Stored(row.UnitId, row.AgencyId, body, row.Etag!, Json);
        }
        var standing = PortalRbStanding.Of(fetched, row.AnswersChangedAt);
        if ((_portalRbPart ??= new PortalRbPart(Json)).Settle(body, standing) is { } settled)
        {
            return UnitEntry.Stored(row.UnitId, row.AgencyId, settled, UnitEntry.TagOf(settled), Json);
        }
        var document = JsonSerializer.Deserialize<UnitCompliance>(body, Json)!;
        return UnitEntry.Of(document with { PortalRb = standing, Flags = ComplianceDocuments.WithRefetchFlag(document.Flags, standing) }, Json);
    }

    /// <summary>
    /// The first day on which the stored document may no longer be what a build would give: the earliest of the dates
    /// it depends on without showing them (<paramref name="hidden"/>), every date it shows that is still to come (a
    /// follow-up due date, an appeal window's end, the day a unit is eligible again), and the first of next month
    /// (absorption is reported up to the current month; the year's pacts count until 31 December).
    /// </summary>
    internal static DateOnly ValidUntil(string body, DateOnly hidden, DateOnly today)
    {
        var horizon = new DateOnly(today.Year, today.Month, 1).AddMonths(1);
        horizon = hidden < horizon ? hidden : horizon;
        foreach (var match in DatePattern().EnumerateMatches(body))
        {
            var date = DateOnly.ParseExact(body.AsSpan(match.Index + 1, 10), "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
            var changesOn = date > today ? date : today.AddDays(1);
            if (date >= today && changesOn < horizon)
            {
                horizon = changesOn;
            }
        }
        return horizon;
    }

    // A date value in the document's JSON ("2026-06-30"); timestamps carry a time and are not dates anything waits for.
    [GeneratedRegex("\"\\d{4}-\\d{2}-\\d{2}\"")]
    private static partial Regex DatePattern();
}

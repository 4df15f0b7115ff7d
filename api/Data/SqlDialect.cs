using Microsoft.Data.SqlClient;
using Microsoft.Data.Sqlite;

namespace ZonaIntegritas.Api.Data;

/// <summary>
/// The few places where SQLite and SQL Server disagree. Everything else is written once in SQL both accept.
/// </summary>
public interface ISqlDialect
{
    /// <summary>Appended to a query that already ends in ORDER BY; binds <c>@Skip</c> and <c>@Take</c>.</summary>
    string Paging { get; }

    /// <summary>True when the exception is a unique-constraint or unique-index violation.</summary>
    bool IsUniqueViolation(Exception exception);

    /// <summary>
    /// A list of ids for <c>IN @Ids</c>. Dapper expands lists without consulting type handlers, so SQLite needs the
    /// ids already in their stored text form.
    /// </summary>
    System.Collections.IEnumerable IdList(IEnumerable<Guid> ids);

    /// <summary>
    /// Rupiah as stored: SQLite has no decimal type, so money is INTEGER sen there (integer SUM stays exact to the sen);
    /// SQL Server keeps decimal(19,2) rupiah.
    /// </summary>
    object StoredMoney(decimal rupiah);

    /// <summary>A stored money value (or a SUM of them) back in rupiah.</summary>
    decimal Rupiah(decimal stored);

    /// <summary>
    /// The change feed's safe bound: no audit entry at or above it is settled yet, every one below it is visible
    /// (see <see cref="ChangeFeedCursor"/>). Also where a new feed starts (one below it), since the cache starts empty.
    /// </summary>
    string ChangeFeedBound { get; }

    /// <summary>Audit entries between <c>@Seen</c> (exclusive) and <c>@SafeBelow</c> (exclusive), in feed position order.</summary>
    string ChangeFeedEntries { get; }

    /// <summary>
    /// The event projector's read (api/Features/Webhooks): like <see cref="ChangeFeedEntries"/>, at most <c>@Take</c>
    /// entries (binds <c>@Skip</c> = 0 too), with what the projector maps (action, entity, changes, time).
    /// </summary>
    string OutboxEntries { get; }

    /// <summary>
    /// Marks the stored compliance document of <c>@UnitId</c> stale (version + 1, no valid_until, marked_on the write's
    /// day <c>@MarkedOn</c>), creating its row when the unit has none yet; run inside the write's transaction (see <see cref="StoredDocuments"/>).
    /// </summary>
    string MarkUnitDocumentStale { get; }

    /// <summary>
    /// The answers of the assessments in <c>@Ids</c>, one row per assessment and layer: assessment_id, layer, and the
    /// layer's answers joined into one text, each item code and value apart by <see cref="AnswerValueSeparator"/>, answers
    /// apart by <see cref="AnswerSeparator"/> (control characters, which no stored code or value contains).
    /// </summary>
    string AnswersByLayer { get; }

    /// <summary>
    /// PortalRB's answer sheet of a unit's assessment proposed in a year, in one row: id, framework_code, name (the unit's),
    /// answers (the self and TPI layers as a JSON array of objects <c>{"s": 1 for self else 0, "i": item code, "v": value,
    /// "n": note}</c>, "n" absent or null without a note) and evidenced (the item codes with evidence not withdrawn, a JSON
    /// array of strings; null or [] for none). Binds @UnitId, @AgencyId, @Year and the list @Statuses. JSON because notes
    /// are free text: the database escapes them, and one row replaces three statements and ~250 answer rows.
    /// </summary>
    string PortalRbSheet { get; }

    const char AnswerSeparator = (char)30;

    const char AnswerValueSeparator = (char)31;

    /// <summary>The connection's dialect, for code that is handed a connection without its factory (the audit trail).</summary>
    static ISqlDialect Of(DbConnection connection) => connection is SqliteConnection ? SqliteDialect.Instance : SqlServerDialect.Instance;
}

public sealed class SqliteDialect : ISqlDialect
{
    public static readonly SqliteDialect Instance = new();

    public string MarkUnitDocumentStale => """
        INSERT INTO compliance_documents (unit_id, agency_id, version, marked_on)
        SELECT id, agency_id, 1, @MarkedOn FROM units WHERE id = @UnitId
        ON CONFLICT (unit_id) DO UPDATE SET version = compliance_documents.version + 1, valid_until = NULL, agency_id = excluded.agency_id,
                                            marked_on = excluded.marked_on
        """;

    public string Paging => " LIMIT @Take OFFSET @Skip";

    public string AnswersByLayer => """
        SELECT assessment_id, layer, group_concat(item_code || char(31) || value, char(30))
        FROM answers WHERE assessment_id IN @Ids GROUP BY assessment_id, layer
        """;

    public string PortalRbSheet => """
        SELECT a.id, a.framework_code, u.name,
               (SELECT json_group_array(json_object('s', CASE WHEN x.layer = 'self' THEN 1 ELSE 0 END, 'i', x.item_code, 'v', x.value, 'n', x.note))
                FROM answers x WHERE x.assessment_id = a.id AND x.layer IN ('self', 'tpi')) AS answers,
               (SELECT json_group_array(DISTINCT e.item_code) FROM evidence e WHERE e.assessment_id = a.id AND e.withdrawn_at IS NULL) AS evidenced
        FROM assessments a
        JOIN units u ON u.id = a.unit_id
        WHERE a.unit_id = @UnitId AND a.agency_id = @AgencyId AND a.year = @Year AND a.status IN @Statuses
        """;

    // SQLITE_CONSTRAINT_UNIQUE (2067) and SQLITE_CONSTRAINT_PRIMARYKEY (1555) are the extended codes of SQLITE_CONSTRAINT (19).
    public bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: 19, SqliteExtendedErrorCode: 2067 or 1555 };

    public System.Collections.IEnumerable IdList(IEnumerable<Guid> ids) => ids.Select(id => id.ToString("D")).ToArray();

    // Callers validate at most 2 decimals; checked so that an overflow fails loudly instead of wrapping.
    public object StoredMoney(decimal rupiah) => checked((long)(rupiah * 100m));

    public decimal Rupiah(decimal stored) => stored / 100m;

    // One writer at a time: an id is visible as soon as any higher one is, so the highest id plus one is the bound.
    public string ChangeFeedBound => "SELECT COALESCE(MAX(id), 0) + 1 FROM audit_entries";

    public string ChangeFeedEntries => """
        SELECT id AS position, entity_type, agency_id, unit_id
        FROM audit_entries WHERE id > @Seen AND id < @SafeBelow ORDER BY id
        """;

    public string OutboxEntries => OutboxEntriesInOrder + Paging;

    private const string OutboxEntriesInOrder = """
        SELECT id AS position, action, entity_type, entity_id, agency_id, unit_id, changes, at
        FROM audit_entries WHERE id > @Seen AND id < @SafeBelow ORDER BY id
        """;
}

public sealed class SqlServerDialect : ISqlDialect
{
    public static readonly SqlServerDialect Instance = new();

    // UPDLOCK, HOLDLOCK: two first writes to a new unit must not both find no row and both insert one.
    public string MarkUnitDocumentStale => """
        UPDATE d SET version = d.version + 1, valid_until = NULL, agency_id = u.agency_id, marked_on = @MarkedOn
        FROM compliance_documents d WITH (UPDLOCK, HOLDLOCK) JOIN units u ON u.id = d.unit_id
        WHERE d.unit_id = @UnitId;
        IF @@ROWCOUNT = 0
            INSERT INTO compliance_documents (unit_id, agency_id, version, marked_on) SELECT id, agency_id, 1, @MarkedOn FROM units WHERE id = @UnitId;
        """;

    public string Paging => " OFFSET @Skip ROWS FETCH NEXT @Take ROWS ONLY";

    // MAX: STRING_AGG of shorter types stops at 8,000 bytes.
    public string AnswersByLayer => """
        SELECT assessment_id, layer, STRING_AGG(CAST(item_code AS NVARCHAR(MAX)) + NCHAR(31) + value, NCHAR(30))
        FROM answers WHERE assessment_id IN @Ids GROUP BY assessment_id, layer
        """;

    // FOR JSON leaves out null notes; the evidence codes are joined by hand (STRING_AGG has no DISTINCT), escaped for JSON.
    public string PortalRbSheet => """
        SELECT a.id, a.framework_code, u.name,
               (SELECT CASE WHEN x.layer = N'self' THEN 1 ELSE 0 END AS s, x.item_code AS i, x.value AS v, x.note AS n
                FROM answers x WHERE x.assessment_id = a.id AND x.layer IN (N'self', N'tpi') FOR JSON PATH) AS answers,
               (SELECT N'[' + STRING_AGG(CAST(N'"' + STRING_ESCAPE(d.item_code, 'json') + N'"' AS NVARCHAR(MAX)), N',') + N']'
                FROM (SELECT DISTINCT e.item_code FROM evidence e WHERE e.assessment_id = a.id AND e.withdrawn_at IS NULL) d) AS evidenced
        FROM assessments a
        JOIN units u ON u.id = a.unit_id
        WHERE a.unit_id = @UnitId AND a.agency_id = @AgencyId AND a.year = @Year AND a.status IN @Statuses
        """;

    // 2627: unique constraint / primary key; 2601: unique index.
    public bool IsUniqueViolation(Exception exception) =>
        exception is SqlException sql && sql.Errors.Cast<SqlError>().Any(e => e.Number is 2627 or 2601);

    public System.Collections.IEnumerable IdList(IEnumerable<Guid> ids) => ids.ToArray();

    public object StoredMoney(decimal rupiah) => rupiah;

    public decimal Rupiah(decimal stored) => stored;

    // Identities commit out of order here; rowversions below MIN_ACTIVE_ROWVERSION() cannot (migration 0009).
    public string ChangeFeedBound => "SELECT CAST(MIN_ACTIVE_ROWVERSION() AS BIGINT)";

    public string ChangeFeedEntries => """
        SELECT CAST(row_version AS BIGINT) AS position, entity_type, agency_id, unit_id
        FROM audit_entries
        WHERE row_version > CAST(@Seen AS BINARY(8)) AND row_version < CAST(@SafeBelow AS BINARY(8))
        ORDER BY row_version
        """;

    public string OutboxEntries => OutboxEntriesInOrder + Paging;

    private const string OutboxEntriesInOrder = """
        SELECT CAST(row_version AS BIGINT) AS position, action, entity_type, entity_id, agency_id, unit_id, changes, at
        FROM audit_entries
        WHERE row_version > CAST(@Seen AS BINARY(8)) AND row_version < CAST(@SafeBelow AS BINARY(8))
        ORDER BY row_version
        """;
}

public static class DbExceptionExtensions
{
    public static bool IsUniqueViolation(this DbException exception, ISqlDialect dialect) => dialect.IsUniqueViolation(exception);
}

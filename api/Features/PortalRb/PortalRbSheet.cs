namespace ZonaIntegritas.Api.Features.PortalRb;

/// <summary>
/// What jawaban-unit sends for one unit's proposed assessment of a year, except the signed evidence links (they carry
/// an expiry, so each call signs its own): the self and TPI answers and notes by item code, and the items with evidence.
/// </summary>
public sealed class PortalRbSheet
{
    public required Guid AssessmentId { get; init; }
    public required string FrameworkCode { get; init; }
    public required string UnitName { get; init; }
    public required IReadOnlyDictionary<string, (string? Value, string? Note)> Self { get; init; }
    public required IReadOnlyDictionary<string, (string? Value, string? Note)> Tpi { get; init; }
    public required IReadOnlySet<string> Evidenced { get; init; }
}

/// <summary>
/// A sheet in the <see cref="ViewCache"/>, by agency, unit and year (the proposed assessment is found as part of it, so a
/// status change that proposes or withdraws one is seen too). Its scope is the unit beside fetches: every write to the
/// unit (answers, notes, evidence, status, its name) makes it stale, on other instances through the change feed, but
/// PortalRB's own fetches, which the fetch log records against the unit, do not.
/// </summary>
public sealed record PortalRbSheetKey(Guid AgencyId, Guid UnitId, int Year) : IViewKey<PortalRbSheet>
{
    public ViewScope Scope => ViewScope.OfUnitBesideFetches(AgencyId, UnitId);

    // Per entry: the strings (two bytes a character) and roughly 100 bytes of dictionary and tuple overhead.
    public long SizeOf(PortalRbSheet sheet) => 1024
        + sheet.Self.Concat(sheet.Tpi).Sum(a => 100 + 2L * (a.Key.Length + (a.Value.Value?.Length ?? 0) + (a.Value.Note?.Length ?? 0)))
        + sheet.Evidenced.Sum(code => 60 + 2L * code.Length);
}

public static class PortalRbSheets
{
    /// <summary>The sheet of the unit's assessment proposed in the year within the agency; null when there is none.</summary>
    public static async Task<PortalRbSheet?> ReadAsync(DbConnectionFactory db, PortalRbSheetKey key, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        const string find = """
            SELECT a.id, a.framework_code, u.name
            FROM assessments a
            JOIN units u ON u.id = a.unit_id
            WHERE a.unit_id = @UnitId AND a.agency_id = @AgencyId AND a.year = @Year AND a.status IN @Statuses
            """;
        var assessment = await connection.QuerySingleOrDefaultAsync<ProposedAssessment>(new CommandDefinition(find,
            new { key.UnitId, key.AgencyId, key.Year, Statuses = PortalRbEndpoints.ProposedStatuses }, cancellationToken: cancellationToken));
        if (assessment is null)
        {
            return null;
        }
        var (self, tpi) = await ReadLayers(connection, assessment.Id, cancellationToken);
        const string evidenceSql = "SELECT DISTINCT item_code FROM evidence WHERE assessment_id = @Id AND withdrawn_at IS NULL";
        var evidenced = (await connection.QueryAsync<string>(new CommandDefinition(evidenceSql, new { assessment.Id }, cancellationToken: cancellationToken)))
            .ToHashSet(StringComparer.Ordinal);
        return new PortalRbSheet
        {
            AssessmentId = assessment.Id,
            FrameworkCode = assessment.FrameworkCode,
            UnitName = assessment.Name,
            Self = self,
            Tpi = tpi,
            Evidenced = evidenced,
        };
    }

    private sealed class ProposedAssessment
    {
        public Guid Id { get; init; }
        public string FrameworkCode { get; init; } = "";
        public string Name { get; init; } = "";
    }

    /// <summary>
    /// The self and TPI layers by item code. Read column by column rather than through Dapper's row mapper: mapping ~250
    /// rows was a third of the call's CPU before sheets were cached, and still is of every rebuild.
    /// </summary>
    private static async Task<(Dictionary<string, (string? Value, string? Note)> Self, Dictionary<string, (string? Value, string? Note)> Tpi)> ReadLayers(
        DbConnection connection, Guid assessmentId, CancellationToken cancellationToken)
    {
        const string sql = "SELECT CASE WHEN layer = 'self' THEN 1 ELSE 0 END, item_code, value, note FROM answers WHERE assessment_id = @Id AND layer IN ('self', 'tpi')";
        var self = new Dictionary<string, (string?, string?)>(128, StringComparer.Ordinal);
        var tpi = new Dictionary<string, (string?, string?)>(128, StringComparer.Ordinal);
        await using var reader = await connection.ExecuteReaderAsync(new CommandDefinition(sql, new { Id = assessmentId }, cancellationToken: cancellationToken));
        while (await reader.ReadAsync(cancellationToken))
        {
            var layer = reader.GetInt32(0) == 1 ? self : tpi;
            layer[reader.GetString(1)] = (reader.GetString(2), reader.IsDBNull(3) ? null : reader.GetString(3));
        }
        return (self, tpi);
    }
}

namespace ZonaIntegritas.Api.Features.Audit;

/// <summary>
/// One write, as the audit trail records it. <see cref="Changes"/> holds before/after of the fields that changed (or the
/// values set, for a creation); never file bytes or key material.
/// </summary>
public sealed record AuditChange(string Action, string EntityType, string EntityId, Guid? AgencyId = null, Guid? UnitId = null, object? Changes = null);

/// <summary>A field's value before and after a write.</summary>
public sealed record FieldChange(object? Before, object? After);

public static class AuditTrail
{
    private static readonly JsonSerializerOptions ChangeJson = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Appends the entry inside the caller's transaction, so that the entry exists exactly when the write does. The units
    /// and agencies touched are noted on the request, which drops their cached documents when it ends.
    /// </summary>
    public static async Task AuditAsync(this DbConnection connection, DbTransaction transaction, Caller caller, AuditChange change)
    {
        await Append(connection, transaction, caller.KeyId, caller.Role, caller.RequestId, caller.ClientIp, caller.At, change);
        caller.Changes.Add(change.EntityType, change.AgencyId, change.UnitId);
    }

    /// <summary>
    /// For writes no authenticated API key made (start-up bootstrap, authentication-failure bursts); <paramref name="refusedKeyId"/>
    /// names a revoked or expired key that was presented, so that <c>GET /audit?apiKeyId=</c> shows its later use.
    /// </summary>
    public static Task AppendAnonymousAsync(DbConnection connection, DbTransaction? transaction, DateTimeOffset at, string? clientIp, string? requestId,
        AuditChange change, Guid? refusedKeyId = null) =>
        Append(connection, transaction, refusedKeyId, null, requestId, clientIp, at, change);

    /// <summary>
    /// Many entries in the caller's transaction with one prepared statement: for writers that commit a batch of calls at
    /// once (the PortalRB fetch log). Each entry keeps its own caller, request and time.
    /// </summary>
    public static async Task AuditAllAsync(this DbConnection connection, DbTransaction transaction, IReadOnlyList<(Caller Caller, AuditChange Change)> entries)
    {
        await connection.ExecuteAsync(InsertSql, entries.Select(e => Row(e.Caller.KeyId, e.Caller.Role, e.Caller.RequestId, e.Caller.ClientIp, e.Caller.At, e.Change)), transaction);
        foreach (var (caller, change) in entries)
        {
            await MarkDocumentsAsync(connection, transaction, change, caller.At);
        }
        foreach (var (caller, change) in entries)
        {
            caller.Changes.Add(change.EntityType, change.AgencyId, change.UnitId);
        }
    }

    private const string InsertSql = """
        INSERT INTO audit_entries (at, api_key_id, role, action, entity_type, entity_id, agency_id, unit_id, changes, request_id, client_ip)
        VALUES (@At, @ApiKeyId, @Role, @Action, @EntityType, @EntityId, @AgencyId, @UnitId, @Changes, @RequestId, @ClientIp)
        """;

    private static async Task Append(DbConnection connection, DbTransaction? transaction, Guid? keyId, string? role, string? requestId, string? clientIp,
        DateTimeOffset at, AuditChange change)
    {
        await connection.ExecuteAsync(InsertSql, Row(keyId, role, requestId, clientIp, at, change), transaction);
        await MarkDocumentsAsync(connection, transaction, change, at);
    }

    /// <summary>The stored compliance documents the write may change become stale in the write's own transaction.</summary>
    private static Task MarkDocumentsAsync(DbConnection connection, DbTransaction? transaction, AuditChange change, DateTimeOffset at) =>
        !AuditEntities.ChangesComplianceDocuments(change.Action, change.EntityType) ? Task.CompletedTask
        : change.UnitId is { } unit ? StoredDocuments.MarkUnitAsync(connection, transaction, unit, IndonesiaClock.DayOf(at))
        : change.AgencyId is { } agency ? StoredDocuments.MarkAgencyAsync(connection, transaction, agency, IndonesiaClock.DayOf(at))
        : StoredDocuments.MarkAllAsync(connection, transaction, IndonesiaClock.DayOf(at));

    private static object Row(Guid? keyId, string? role, string? requestId, string? clientIp, DateTimeOffset at, AuditChange change) => new
    {
        At = at,
        ApiKeyId = keyId,
        Role = role,
        change.Action,
        change.EntityType,
        change.EntityId,
        change.AgencyId,
        change.UnitId,
        Changes = change.Changes is null ? null : JsonSerializer.Serialize(change.Changes, ChangeJson),
        RequestId = requestId,
        ClientIp = clientIp,
    };

    /// <summary>Before/after of the fields whose values differ; equal fields are left out.</summary>
    public static Dictionary<string, FieldChange> Diff(params (string Field, object? Before, object? After)[] fields) =>
        fields.Where(f => !Equals(f.Before, f.After)).ToDictionary(f => f.Field, f => new FieldChange(f.Before, f.After));
}

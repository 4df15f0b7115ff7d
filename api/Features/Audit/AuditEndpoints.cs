using System.Text.Json.Serialization;

namespace ZonaIntegritas.Api.Features.Audit;

public sealed record AuditEntry
{
    public long Id { get; init; }
    public DateTimeOffset At { get; init; }
    public Guid? ApiKeyId { get; init; }
    public string? Role { get; init; }
    public string Action { get; init; } = "";
    public string EntityType { get; init; } = "";
    public string EntityId { get; init; } = "";
    public Guid? AgencyId { get; init; }
    public Guid? UnitId { get; init; }
    /// <summary>The recorded JSON text; sent as <see cref="Changes"/> (and as text in CSV).</summary>
    [JsonIgnore]
    public string? ChangesJson { get; init; }

    /// <summary>Before/after of the changed fields (or the values set, for a creation), exactly as recorded.</summary>
    public IReadOnlyDictionary<string, JsonElement>? Changes =>
        ChangesJson is null ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(ChangesJson);
    public string? RequestId { get; init; }
    public string? ClientIp { get; init; }
}

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", ListAuditEntries)
            .WithTags("Audit")
            .RequireAuthorization(Policies.ReadAudit)
            .WithName(nameof(ListAuditEntries))
            .WithSummary("Who changed what: the append-only audit trail, newest first; CSV with Accept: text/csv")
            .WithDescription("""
                Every write appends one entry in the same transaction: creations, updates, transitions, reviews, key changes and
                bursts of failed authentication. Filters: `entityType` (e.g. unit, declaration, assessment, evidence, designation,
                api_key, client), `entityId`, `apiKeyId`, `from`/`to` (ISO 8601 instants, `from` inclusive, `to` exclusive).
                Admin keys see every entry; inspectorate keys see the entries of their agency. Nothing can update or delete entries.
                """)
            .Produces<Page<AuditEntry>>(StatusCodes.Status200OK, "application/json", "text/csv", SpreadsheetTable.ContentType);
        return api;
    }

    private const string FilterFragment = """
        WHERE (@AgencyId IS NULL OR agency_id = @AgencyId)
          AND (@EntityType IS NULL OR entity_type = @EntityType)
          AND (@EntityId IS NULL OR entity_id = @EntityId)
          AND (@ApiKeyId IS NULL OR api_key_id = @ApiKeyId)
          AND (@From IS NULL OR at >= @From)
          AND (@To IS NULL OR at < @To)
        """;

    private const string CountSql = $"SELECT COUNT(*) FROM audit_entries {FilterFragment}";

    private const string PageSql = $"""
        SELECT id, at, api_key_id, role, action, entity_type, entity_id, agency_id, unit_id, changes AS changes_json, request_id, client_ip
        FROM audit_entries
        {FilterFragment}
        ORDER BY id DESC
        """;

    private static readonly string[] CsvHeader =
        ["id", "at", "apiKeyId", "role", "action", "entityType", "entityId", "agencyId", "unitId", "changes", "requestId", "clientIp"];

    public static async Task<Results<Ok<Page<AuditEntry>>, FileContentHttpResult, ValidationProblem>> ListAuditEntries(
        HttpRequest request, Caller caller, DbConnectionFactory db, string? entityType, string? entityId, Guid? apiKeyId,
        DateTimeOffset? from, DateTimeOffset? to, int? page, int? pageSize, CancellationToken cancellationToken)
    {
        var errors = PageRequest.Validate(page, pageSize, out var paging) ?? [];
        if (entityType is { Length: > 40 })
        {
            errors["entityType"] = ["entityType is at most 40 characters."];
        }
        if (entityId is { Length: > 100 })
        {
            errors["entityId"] = ["entityId is at most 100 characters."];
        }
        if (from is not null && to is not null && to <= from)
        {
            errors["to"] = ["to must be later than from."];
        }
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors);
        }
        var filter = new
        {
            // Inspectorates see their own agency only; admin keys see everything.
            AgencyId = caller.IsAdmin ? null : caller.AgencyId,
            EntityType = entityType,
            EntityId = entityId,
            ApiKeyId = apiKeyId,
            From = from,
            To = to,
        };
        await using var connection = await db.OpenAsync(cancellationToken);
        var entries = await connection.QueryPageAsync<AuditEntry>(db.Dialect, CountSql, PageSql, filter, paging);
        if (CsvText.Wanted(request))
        {
            return CsvText.Result(request, "Audit", CsvHeader, entries.Items.Select(e => new object?[]
            {
                e.Id, e.At, e.ApiKeyId, e.Role, e.Action, e.EntityType, e.EntityId, e.AgencyId, e.UnitId, e.ChangesJson, e.RequestId, e.ClientIp,
            }));
        }
        return TypedResults.Ok(entries);
    }
}

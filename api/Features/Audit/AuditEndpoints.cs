using System.Text.Json.Serialization;
using FluentValidation;
using Microsoft.AspNetCore.Mvc;

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

public sealed record AuditListQuery(
    [FromQuery(Name = "entityType")] string? EntityType,
    [FromQuery(Name = "entityId")] string? EntityId,
    [FromQuery(Name = "apiKeyId")] Guid? ApiKeyId,
    [FromQuery(Name = "from")] DateTimeOffset? From,
    [FromQuery(Name = "to")] DateTimeOffset? To,
    [FromQuery(Name = "page")] int? Page,
    [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class AuditListQueryValidator : PagedQueryValidator<AuditListQuery>
{
    public AuditListQueryValidator()
    {
        RuleFor(q => q.EntityType).MaximumLength(40).WithMessage("entityType is at most 40 characters.");
        RuleFor(q => q.EntityId).MaximumLength(100).WithMessage("entityId is at most 100 characters.");
        RuleFor(q => q.To).Must((q, to) => to > q.From).When(q => q.From is not null && q.To is not null).WithMessage("to must be later than from.");
    }
}

public static class AuditEndpoints
{
    public static RouteGroupBuilder MapAudit(this RouteGroupBuilder api)
    {
        api.MapGet("/audit", ListAuditEntries)
            .WithTags("Audit")
            .RequireAuthorization(Policies.ReadAudit)
            .WithValidation()
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
        HttpRequest request, Caller caller, DbConnectionFactory db, [AsParameters] AuditListQuery query, CancellationToken cancellationToken)
    {
        var filter = new
        {
            // Inspectorates see their own agency only; admin keys see everything.
            AgencyId = caller.ScopeAgencyId,
            query.EntityType,
            query.EntityId,
            query.ApiKeyId,
            query.From,
            query.To,
        };
        await using var connection = await db.OpenAsync(cancellationToken);
        var entries = await connection.QueryPageAsync<AuditEntry>(db.Dialect, CountSql, PageSql, filter, ((IPagedQuery)query).Paging);
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

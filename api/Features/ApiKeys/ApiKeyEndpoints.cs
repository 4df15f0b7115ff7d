using Microsoft.AspNetCore.Mvc;
using FluentValidation;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Agencies;
using ZonaIntegritas.Api.Features.Units;

namespace ZonaIntegritas.Api.Features.ApiKeys;

public sealed record ApiKeyInfo
{
    public Guid Id { get; init; }
    public string Name { get; init; } = "";
    [Vocabulary(typeof(Roles), nameof(Roles.All))]
    public string Role { get; init; } = "";
    public Guid? AgencyId { get; init; }
    public Guid? UnitId { get; init; }
    /// <summary>The first characters of the key, to tell keys apart; the key itself is never shown again.</summary>
    public string KeyPrefix { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public Guid? CreatedBy { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RevokedAt { get; init; }
}

/// <summary>The creation answer: the only time the key is shown.</summary>
public sealed record CreatedApiKey(ApiKeyInfo ApiKey, string Key);

public sealed record CreateApiKeyRequest(string? Name, string? Role, Guid? AgencyId, Guid? UnitId, DateTimeOffset? ExpiresAt)
    : IHasExample<CreateApiKeyRequest>
{
    public static CreateApiKeyRequest Example => new("Inspektorat Jenderal PUPR", Roles.Inspectorate, Guid.Parse("3f2b8c1e-6d4a-4f7e-9a51-2c8e7d9b0a11"), null, null);
}

public sealed class CreateApiKeyRequestValidator : AbstractValidator<CreateApiKeyRequest>
{
    public const int MaximumYearsValid = 10;

    public CreateApiKeyRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(200);
        RuleFor(r => r.Role).NotEmpty().OneOf(Roles.All)
            .WithMessage($"role must be one of: {string.Join(", ", Roles.All)}.");
        RuleFor(r => r.AgencyId).NotEmpty().When(r => r.Role is Roles.Inspectorate or Roles.PortalRb)
            .WithMessage(r => $"A{(r.Role == Roles.PortalRb ? " portalrb" : "n inspectorate")} key is scoped to one agency: agencyId is required.");
        RuleFor(r => r.AgencyId).Null().When(r => r.Role is Roles.Admin or Roles.Evaluator or Roles.Unit)
            .WithMessage(r => r.Role == Roles.Unit
                ? "A unit key takes its agency from unitId; leave agencyId out."
                : $"A {r.Role} key has national scope; leave agencyId out.");
        RuleFor(r => r.UnitId).NotEmpty().When(r => r.Role == Roles.Unit)
            .WithMessage("A unit key is scoped to one unit: unitId is required.");
        RuleFor(r => r.UnitId).Null().When(r => r.Role != Roles.Unit)
            .WithMessage("Only unit keys are scoped to a unit; leave unitId out.");
        RuleFor(r => r.ExpiresAt).GreaterThan(_ => time.GetUtcNow()).When(r => r.ExpiresAt is not null)
            .WithMessage("expiresAt must be in the future.");
        RuleFor(r => r.ExpiresAt).LessThanOrEqualTo(_ => time.GetUtcNow().AddYears(MaximumYearsValid)).When(r => r.ExpiresAt is not null)
            .WithMessage($"expiresAt must be at most {MaximumYearsValid} years ahead; leave it out for a key that does not expire.");
    }
}

public sealed record ApiKeyListQuery([FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class ApiKeyListQueryValidator : PagedQueryValidator<ApiKeyListQuery>;

public static class ApiKeyEndpoints
{
    private const string Columns = "id, name, role, agency_id, unit_id, key_prefix, created_at, created_by, expires_at, revoked_at";

    public static RouteGroupBuilder MapApiKeys(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/api-keys").WithTags("API keys").RequireAuthorization(Policies.Admin).WithValidation();

        group.MapPost("/", CreateApiKey)
            .WithName(nameof(CreateApiKey))
            .WithSummary("Create an API key")
            .WithDescription("""
                Admin only. Roles: `admin` (everything), `inspectorate` (TPI of one agency: `agencyId` required),
                `evaluator` (TPN, national), `unit` (one unit's PIC or mobile app: `unitId` required), `reader`
                (read-only; `agencyId` for one agency, none for national), `portalrb` (KemenPANRB's PortalRB pulling one agency's
                proposals: `agencyId` required; accepted only on /portalrb/v1, as `Authorization: Bearer`). The key is in the response once and is stored only as a SHA-256 hash.
                """);
        group.MapGet("/", ListApiKeys)
            .WithName(nameof(ListApiKeys))
            .WithSummary("List API keys (without the secrets)");
        group.MapDelete("/{id:guid}", RevokeApiKey)
            .WithName(nameof(RevokeApiKey))
            .WithSummary("Revoke an API key")
            .WithDescription("The key is refused from the next request on. The last active admin key cannot be revoked (409).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Created<CreatedApiKey>, ValidationProblem>> CreateApiKey(
        CreateApiKeyRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (request.AgencyId is { } agencyId && await AgencyQueries.Find(connection, agencyId) is null)
        {
            return Problems.Invalid("agencyId", $"Agency '{agencyId}' does not exist.");
        }
        if (request.UnitId is { } unitId && await UnitQueries.Find(connection, unitId) is null)
        {
            return Problems.Invalid("unitId", $"Unit '{unitId}' does not exist.");
        }
        var key = ApiKeySecret.Generate();
        var info = new ApiKeyInfo
        {
            Id = Guid.NewGuid(),
            Name = request.Name!,
            Role = request.Role!,
            AgencyId = request.AgencyId,
            UnitId = request.UnitId,
            KeyPrefix = ApiKeySecret.DisplayPrefix(key),
            CreatedAt = time.GetUtcNow(),
            CreatedBy = caller.KeyId,
            ExpiresAt = request.ExpiresAt?.ToUniversalTime(),
        };
        const string sql = """
            INSERT INTO api_keys (id, name, role, agency_id, unit_id, key_hash, key_prefix, created_at, created_by, expires_at, revoked_at)
            VALUES (@Id, @Name, @Role, @AgencyId, @UnitId, @KeyHash, @KeyPrefix, @CreatedAt, @CreatedBy, @ExpiresAt, NULL)
            """;
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await connection.ExecuteAsync(sql, new
        {
            info.Id, info.Name, info.Role, info.AgencyId, info.UnitId, KeyHash = ApiKeySecret.Hash(key),
            info.KeyPrefix, info.CreatedAt, info.CreatedBy, info.ExpiresAt,
        }, transaction);
        // The prefix identifies the key to people; the key and its hash stay out of the trail.
        await connection.AuditAsync(transaction, caller, new AuditChange("api_key.created", AuditEntities.ApiKey, info.Id.ToString(), info.AgencyId, info.UnitId,
            new { info.Name, info.Role, info.AgencyId, info.UnitId, info.KeyPrefix, info.ExpiresAt }));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Created($"/api/v1/api-keys/{info.Id}", new CreatedApiKey(info, key));
    }

    public static async Task<Results<Ok<Page<ApiKeyInfo>>, ValidationProblem>> ListApiKeys(
        DbConnectionFactory db, [AsParameters] ApiKeyListQuery query, CancellationToken cancellationToken)
    {
        var paging = ((IPagedQuery)query).Paging;
        const string select = $"SELECT {Columns} FROM api_keys ORDER BY created_at, id";
        await using var connection = await db.OpenAsync(cancellationToken);
        return TypedResults.Ok(await connection.QueryPageAsync<ApiKeyInfo>(db.Dialect, "SELECT COUNT(*) FROM api_keys", select, null, paging));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeApiKey(
        Guid id, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        const string find = $"SELECT {Columns} FROM api_keys WHERE id = @Id";
        var key = await connection.QuerySingleOrDefaultAsync<ApiKeyInfo>(find, new { Id = id }, transaction);
        if (key is null)
        {
            return Problems.NotFound("API key", id);
        }
        if (key.RevokedAt is not null)
        {
            return TypedResults.NoContent();
        }
        if (key.Role == Roles.Admin)
        {
            const string admins = "SELECT COUNT(*) FROM api_keys WHERE role = 'admin' AND revoked_at IS NULL";
            if (await connection.ExecuteScalarAsync<int>(admins, transaction: transaction) <= 1)
            {
                return Problems.Conflict("This is the last active admin key; create another admin key before revoking it.");
            }
        }
        const string revoke = "UPDATE api_keys SET revoked_at = @Now WHERE id = @Id AND revoked_at IS NULL";
        var now = time.GetUtcNow();
        await connection.ExecuteAsync(revoke, new { Id = id, Now = now }, transaction);
        await connection.AuditAsync(transaction, caller, new AuditChange("api_key.revoked", AuditEntities.ApiKey, id.ToString(), key.AgencyId, key.UnitId,
            AuditTrail.Diff(("revokedAt", null, now))));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}

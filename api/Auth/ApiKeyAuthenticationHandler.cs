using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;

namespace ZonaIntegritas.Api.Auth;

/// <summary>
/// Authenticates <c>X-Api-Key</c> against the stored SHA-256 hashes. Key rows are remembered in the <see cref="ViewCache"/>
/// until any key changes: a revocation on this instance is refused on the very next request, one on another instance
/// within <c>Cache:ChangeFeedSeconds</c>. Expiry is checked against the clock on every request.
/// </summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    DbConnectionFactory connections,
    ViewCache cache,
    TimeProvider time,
    FailedAuthenticationLimiter failures)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    private const int MaximumKeyLength = 256;

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (PresentedKey() is not { } presented)
        {
            return AuthenticateResult.NoResult();
        }
        if (presented.Length is 0 or > MaximumKeyLength)
        {
            return AuthenticateResult.Fail(RefusedKey);
        }

        var hash = ApiKeySecret.Hash(presented);
        var cacheKey = new ApiKeyHash(Convert.ToHexString(hash));
        if (cache.Find(cacheKey, DateOnly.MinValue) is null && failures.IsBlocked(ClientIp) && !failures.IsProven(hash))
        {
            // Over the failure limit: only keys already proven valid get through (looked up again, so a revocation still
            // counts even when the key cache was emptied by a key change); the rest are not even looked up.
            return AuthenticateResult.Fail("Too many failed authentications from this address.");
        }
        // Unknown keys build null and are not remembered, so guessing cannot fill memory.
        var key = await cache.GetOrBuildAsync(cacheKey, ViewScope.ApiKeys, DateOnly.MinValue, () => FindKeyAsync(hash));

        if (key is null || !CryptographicOperations.FixedTimeEquals(key.KeyHash, hash))
        {
            return AuthenticateResult.Fail(RefusedKey);
        }
        // Unknown, revoked and expired keys get the same answer, so a caller cannot tell a once-valid key from a guess;
        // the audit trail records which it was.
        if (key.RevokedAt is not null)
        {
            await AuditRefusalAsync(key, "revoked");
            return AuthenticateResult.Fail(RefusedKey);
        }
        if (key.ExpiresAt is { } expiresAt && expiresAt <= time.GetUtcNow())
        {
            await AuditRefusalAsync(key, "expired");
            return AuthenticateResult.Fail(RefusedKey);
        }
        failures.Prove(hash);

        var agencyId = key.AgencyId ?? key.UnitAgencyId;
        List<Claim> claims =
        [
            new(ClaimTypes.NameIdentifier, key.Id.ToString()),
            new(ClaimTypes.Role, key.Role),
        ];
        if (agencyId is not null)
        {
            claims.Add(new Claim(Caller.AgencyClaim, agencyId.Value.ToString()));
        }
        if (key.UnitId is not null)
        {
            claims.Add(new Claim(Caller.UnitClaim, key.UnitId.Value.ToString()));
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    private async Task<ApiKeyRow?> FindKeyAsync(byte[] hash)
    {
        const string sql = """
            SELECT k.id, k.role, k.agency_id, k.unit_id, k.key_hash, k.expires_at, k.revoked_at, u.agency_id AS unit_agency_id
            FROM api_keys k
            LEFT JOIN units u ON u.id = k.unit_id
            WHERE k.key_hash = @Hash
            """;
        await using var connection = await connections.OpenAsync(Context.RequestAborted);
        return await connection.QuerySingleOrDefaultAsync<ApiKeyRow>(sql, new { Hash = hash });
    }

    private const string RefusedKey = "The API key is not valid.";

    /// <summary>A revoked or expired key presented again, recorded under the key's id (not while the address is over its failure limit).</summary>
    private async Task AuditRefusalAsync(ApiKeyRow key, string reason)
    {
        if (failures.IsBlocked(ClientIp))
        {
            return;
        }
        var now = time.GetUtcNow();
        await using var connection = await connections.OpenAsync(Context.RequestAborted);
        await using var transaction = await connection.BeginTransactionAsync(Context.RequestAborted);
        await Features.Audit.AuditTrail.AppendAnonymousAsync(connection, transaction, now, ClientIp, Context.TraceIdentifier,
            new Features.Audit.AuditChange("authentication.refused", Features.Audit.AuditEntities.Client, ClientIp,
                Changes: new { ApiKeyId = key.Id, Reason = reason, Path = Request.Path.Value }), key.Id);
        await transaction.CommitAsync(Context.RequestAborted);
    }

    /// <summary>
    /// <c>X-Api-Key</c>, or <c>Authorization: Bearer</c> (how PortalRB sends the key it was given). Which roles an
    /// endpoint accepts is decided by its policy, not by the header the key came in.
    /// </summary>
    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue(ApiKeySecret.HeaderName, out var values))
        {
            return values.ToString();
        }
        var authorization = Request.Headers.Authorization.ToString();
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? authorization[BearerPrefix.Length..].Trim() : null;
    }

    private const string BearerPrefix = "Bearer ";

    private string ClientIp => Context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        var result = await HandleAuthenticateOnceSafeAsync();
        if (!failures.RecordFailure(ClientIp, out var retryAfter))
        {
            await AuditBurstOnceAsync();
            await RateLimits.WriteTooManyRequests(Context, retryAfter, "Too many requests without a valid API key from this address.");
            return;
        }
        var detail = result.Failure?.Message ?? $"Send an API key in the {ApiKeySecret.HeaderName} header (PortalRB: Authorization: Bearer).";
        await WriteProblemAsync(StatusCodes.Status401Unauthorized, "Unauthorized", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindFirstValue(ClaimTypes.Role);
        return WriteProblemAsync(StatusCodes.Status403Forbidden, "Forbidden", $"An API key with role '{role}' may not perform this action.");
    }

    /// <summary>One audit entry per client IP and window in which its failures went over the limit.</summary>
    private async Task AuditBurstOnceAsync()
    {
        var now = time.GetUtcNow();
        if (!failures.FirstBurstOfWindow(ClientIp, now))
        {
            return;
        }
        await using var connection = await connections.OpenAsync(Context.RequestAborted);
        await using var transaction = await connection.BeginTransactionAsync(Context.RequestAborted);
        await Features.Audit.AuditTrail.AppendAnonymousAsync(connection, transaction, now, ClientIp, Context.TraceIdentifier,
            new Features.Audit.AuditChange("authentication.failure_burst", Features.Audit.AuditEntities.Client, ClientIp,
                Changes: new { WindowSeconds = (int)failures.Window.TotalSeconds, Path = Request.Path.Value }));
        await transaction.CommitAsync(Context.RequestAborted);
    }

    private async Task WriteProblemAsync(int status, string title, string detail) => await Problems.WriteAsync(Context, status, title, detail);
}

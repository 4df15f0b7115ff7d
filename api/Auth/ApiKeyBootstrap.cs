using ZonaIntegritas.Api.Features.Audit;

namespace ZonaIntegritas.Api.Auth;

/// <summary>Turns <c>Auth:BootstrapAdminKey</c> into the first admin key, so a fresh installation can be administered.</summary>
public sealed class ApiKeyBootstrap(DbConnectionFactory connections, IOptions<AuthOptions> options, TimeProvider time, ILogger<ApiKeyBootstrap> logger)
{
    public async Task EnsureAdminKeyAsync(CancellationToken cancellationToken = default)
    {
        if (options.Value.BootstrapAdminKey is not { Length: > 0 } key)
        {
            return;
        }
        var hash = ApiKeySecret.Hash(key);
        await using var connection = await connections.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);

        const string existing = """
            SELECT COUNT(*) FROM api_keys WHERE (role = 'admin' AND revoked_at IS NULL) OR key_hash = @Hash
            """;
        // A key that was once revoked must stay revoked, even though configuration still names it.
        if (await connection.ExecuteScalarAsync<int>(existing, new { Hash = hash }, transaction) > 0)
        {
            return;
        }

        const string insert = """
            INSERT INTO api_keys (id, name, role, agency_id, unit_id, key_hash, key_prefix, created_at, created_by, expires_at, revoked_at)
            VALUES (@Id, @Name, 'admin', NULL, NULL, @Hash, @Prefix, @CreatedAt, NULL, NULL, NULL)
            """;
        var id = Guid.NewGuid();
        var now = time.GetUtcNow();
        await connection.ExecuteAsync(insert, new
        {
            Id = id,
            Name = "bootstrap admin",
            Hash = hash,
            Prefix = ApiKeySecret.DisplayPrefix(key),
            CreatedAt = now,
        }, transaction);
        await AuditTrail.AppendAnonymousAsync(connection, transaction, now, null, null,
            new AuditChange("api_key.bootstrapped", AuditEntities.ApiKey, id.ToString(), Changes: new { Role = Roles.Admin, KeyPrefix = ApiKeySecret.DisplayPrefix(key) }));
        await transaction.CommitAsync(cancellationToken);
        logger.LogInformation("Created the bootstrap admin API key from configuration (prefix {KeyPrefix}).", ApiKeySecret.DisplayPrefix(key));
    }
}

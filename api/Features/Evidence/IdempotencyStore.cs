using System.Security.Cryptography;
using System.Text;

namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>
/// Uploads recorded once per API key and Idempotency-Key: the first response is stored with the rows it created and
/// replayed for a retry with the same content; other content under the same key is 422.
/// </summary>
public static class IdempotencyStore
{
    public const string Header = "Idempotency-Key";
    public const int MaximumKeyLength = 200;
    public const string Description =
        "Any 1 to 200 printable ASCII characters (a UUID is typical). A retry with the same key and the same content returns the first response; the same key with other content is 422.";

    /// <summary>
    /// Records an upload once per Idempotency-Key: replays the first response for the same content, refuses other content
    /// (422), otherwise stores the blob and then writes the rows in one transaction.
    /// </summary>
    internal static async Task<Results<Created<EvidenceItem>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> Persist(
        DbConnection connection, ISqlDialect dialect, HttpContext http, Caller caller, string? key, string fingerprint, string location,
        EvidenceItem? created, StagedBlob? blob, IEvidenceBlobStore store, Func<DbTransaction, Task> write, CancellationToken cancellationToken) =>
        await Persist(connection, dialect, http, caller, key, fingerprint, location, blob, store, async transaction =>
        {
            await write(transaction);
            return created!;
        }, cancellationToken);

    internal static async Task<Results<Created<EvidenceItem>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> Persist(
        DbConnection connection, ISqlDialect dialect, HttpContext http, Caller caller, string? key, string fingerprint, string location,
        StagedBlob? blob, IEvidenceBlobStore store, Func<DbTransaction, Task<EvidenceItem>> write, CancellationToken cancellationToken)
    {
        var committed = false;
        try
        {
            // The bytes are stored before the transaction opens: storing them can take long (an object store, a large
            // file), and on SQLite the transaction holds the database's write lock. A retry is answered first, so that
            // it stores nothing; one racing past this check is still answered inside the transaction.
            if (key is not null && await Replay(connection, null, http, caller, key, fingerprint) is { } early)
            {
                return early;
            }
            if (blob is not null)
            {
                await store.CommitAsync(blob, cancellationToken);
                committed = true;
            }
            for (var attempt = 0; ; attempt++)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                if (key is not null && await Replay(connection, transaction, http, caller, key, fingerprint) is { } replay)
                {
                    return replay;
                }
                var item = await write(transaction);
                try
                {
                    if (key is not null)
                    {
                        const string remember = """
                            INSERT INTO idempotency_keys (api_key_id, idempotency_key, fingerprint, status_code, location, response_body, created_at)
                            VALUES (@ApiKeyId, @Key, @Fingerprint, 201, @Location, @Body, @Now)
                            """;
                        await connection.ExecuteAsync(remember, new
                        {
                            ApiKeyId = caller.KeyId, Key = key, Fingerprint = fingerprint, Location = location,
                            Body = JsonSerializer.Serialize(item, JsonSerializerOptions.Web), Now = item.UploadedAt,
                        }, transaction);
                    }
                    await transaction.CommitAsync(cancellationToken);
                    return TypedResults.Created(location, item);
                }
                catch (DbException e) when (dialect.IsUniqueViolation(e) && attempt == 0)
                {
                    // A concurrent retry with the same key won; the next round replays its response.
                    await transaction.RollbackAsync(cancellationToken);
                }
            }
        }
        finally
        {
            if (blob is not null && !committed)
            {
                store.Discard(blob);
            }
        }
    }

    private static async Task<Results<Created<EvidenceItem>, ContentHttpResult, ValidationProblem, ProblemHttpResult>?> Replay(
        DbConnection connection, DbTransaction? transaction, HttpContext http, Caller caller, string key, string fingerprint)
    {
        const string sql = """
            SELECT fingerprint, status_code, location, response_body FROM idempotency_keys WHERE api_key_id = @ApiKeyId AND idempotency_key = @Key
            """;
        var stored = await connection.QuerySingleOrDefaultAsync<StoredResponse>(sql, new { ApiKeyId = caller.KeyId, Key = key }, transaction);
        if (stored is null)
        {
            return null;
        }
        if (stored.Fingerprint != fingerprint)
        {
            return Problems.Unprocessable(title: "Idempotency-Key reused", detail: $"Idempotency-Key '{key}' was already used for a different request or different content; use a new key for new content.");
        }
        if (stored.Location is not null)
        {
            http.Response.Headers.Location = stored.Location;
        }
        http.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Text(stored.ResponseBody, "application/json", Encoding.UTF8, stored.StatusCode);
    }

    internal static (string? Key, ProblemHttpResult? Error) KeyOf(HttpContext http)
    {
        if (!http.Request.Headers.TryGetValue(Header, out var values))
        {
            return (null, null);
        }
        var key = values.ToString();
        return key.Length is >= 1 and <= MaximumKeyLength && key.All(c => c is >= '!' and <= '~')
            ? (key, null)
            : (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request",
                detail: "The Idempotency-Key header must be 1 to 200 printable ASCII characters without spaces (a UUID is typical)."));
    }

    internal static string Fingerprint(string route, string content) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{route}\n{content}")));

    private sealed class StoredResponse
    {
        public string Fingerprint { get; init; } = "";
        public int StatusCode { get; init; }
        public string? Location { get; init; }
        public string ResponseBody { get; init; } = "";
    }
}

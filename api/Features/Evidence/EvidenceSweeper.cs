namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>
/// Runs at start: checks that the store can be used (start fails with what to set otherwise), then removes temporary
/// files of uploads that never finished and blobs that no evidence version refers to (an upload that crashed between
/// storing its bytes and committing its row).
/// </summary>
public sealed class EvidenceSweeper(DbConnectionFactory db, IEvidenceBlobStore store, ILogger<EvidenceSweeper> logger)
{
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        if (await store.ProblemAsync(cancellationToken) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        var referenced = (await connection.QueryAsync<string>("SELECT DISTINCT sha256 FROM evidence_versions")).ToHashSet(StringComparer.Ordinal);
        var removed = await store.SweepAsync(referenced, cancellationToken);
        if (removed > 0)
        {
            logger.LogInformation("Removed {Count} unfinished or unreferenced evidence file(s).", removed);
        }
        return removed;
    }
}

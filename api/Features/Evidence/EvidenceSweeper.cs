using Dapper;
using ZonaIntegritas.Api.Data;

namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>
/// Runs at start: removes temporary files of uploads that never finished and blobs that no evidence version refers to
/// (an upload that crashed between moving its file into place and committing its row).
/// </summary>
public sealed class EvidenceSweeper(DbConnectionFactory db, IEvidenceBlobStore store, ILogger<EvidenceSweeper> logger)
{
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var referenced = (await connection.QueryAsync<string>("SELECT DISTINCT sha256 FROM evidence_versions")).ToHashSet(StringComparer.Ordinal);
        var removed = store.Sweep(referenced);
        if (removed > 0)
        {
            logger.LogInformation("Removed {Count} unfinished or unreferenced evidence file(s).", removed);
        }
        return removed;
    }
}

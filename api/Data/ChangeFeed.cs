namespace ZonaIntegritas.Api.Data;

/// <summary>
/// Reads audit entries written by other instances and records them in <see cref="ChangeStamps"/>. This instance's own
/// writes are recorded directly when each request ends; reading them again here only invalidates twice.
/// </summary>
public sealed class ChangeFeed(DbConnectionFactory db, ChangeStamps stamps, IOptions<CacheOptions> options, ILogger<ChangeFeed> logger)
    : BackgroundService
{
    private ChangeFeedCursor? _cursor;
    private readonly SemaphoreSlim _polling = new(1, 1);

    internal async Task PollAsync(CancellationToken cancellationToken)
    {
        await _polling.WaitAsync(cancellationToken);
        try
        {
            await ReadNewEntriesAsync(cancellationToken);
        }
        finally
        {
            _polling.Release();
        }
    }

    private async Task ReadNewEntriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        // The bound is read first and used both to select and to move on (ChangeFeedCursor explains why).
        var safeBelow = await connection.ExecuteScalarAsync<long>(db.Dialect.ChangeFeedBound);
        if (_cursor is null)
        {
            _cursor = new ChangeFeedCursor(safeBelow - 1);
            return;
        }
        var rows = await connection.QueryAsync<FeedEntry>(db.Dialect.ChangeFeedEntries, new { _cursor.Seen, SafeBelow = safeBelow });
        foreach (var entry in _cursor.Accept(rows, safeBelow))
        {
            stamps.Record(entry.EntityType, entry.AgencyId, entry.UnitId);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ChangeFeedSeconds));
        do
        {
            try
            {
                await PollAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // A busy or briefly unreachable database must not stop the feed; the next tick tries again.
                logger.LogWarning(exception, "Reading the change feed failed; cached documents may be stale until the next poll.");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken cancellationToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}

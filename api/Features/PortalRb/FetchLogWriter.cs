using System.Threading.Channels;
using Dapper;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Audit;

namespace ZonaIntegritas.Api.Features.PortalRb;

/// <summary>One answered pull call, as the fetch log and the audit trail record it.</summary>
public sealed record FetchEntry(Caller Caller, string Endpoint, Guid? AgencyId, Guid? UnitId, int? Year, int Status);

/// <summary>
/// Writes fetch-log entries in batches, off the request: PortalRB's pulls are reads, and committing a row and an audit
/// entry per call made each answer wait for the disk (p99 156 ms at 32 connections). Now a call queues its entry and
/// returns; one writer commits everything queued since its last commit in one transaction (each row with its audit
/// entry). Trade-off, documented in docs/portalrb.md: a hard kill loses the entries of calls answered in the last
/// moments before it (normally one batch, milliseconds); a graceful stop writes everything queued. When the queue is
/// full (the writer is behind) a call waits for room without holding a thread, so nothing is ever dropped for lack of
/// room. It used to write its own entry: under load those calls queued for SQLite's write lock inside its busy handler,
/// which sleeps on the thread, and the thread pool starved (jawaban-unit p99 of 0.5–0.9 s at 100k units).
/// </summary>
public sealed class FetchLogWriter(DbConnectionFactory db, ChangeStamps stamps, ILogger<FetchLogWriter> logger) : BackgroundService
{
    private const int Capacity = 10_000;
    private const int MaxBatch = 500;

    private readonly Channel<FetchEntry> _queue = Channel.CreateBounded<FetchEntry>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    private TaskCompletionSource _batchWritten = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _queued;
    private long _written;

    /// <summary>Queues the entry, waiting for room when the queue is full; writes it at once when the queue is closed (shutting down).</summary>
    public async ValueTask AddAsync(FetchEntry entry)
    {
        Interlocked.Increment(ref _queued);
        try
        {
            // Completes at once while there is room.
            await _queue.Writer.WriteAsync(entry);
            return;
        }
        catch (ChannelClosedException)
        {
            // Stopping: the writer drains what was queued, and this entry is written here.
        }
        await WriteAsync([entry]);
        MarkWritten(1);
    }

    /// <summary>Waits until every entry queued before the call is committed: the fetch log's own list reads its writes.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Volatile.Read(ref _queued);
        while (true)
        {
            // Take the signal before checking, so that a batch finishing in between still wakes us.
            var signal = Volatile.Read(ref _batchWritten).Task;
            if (Volatile.Read(ref _written) >= target)
            {
                return;
            }
            await signal.WaitAsync(cancellationToken);
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<FetchEntry>(MaxBatch);
        // Not stoppingToken: on stop the queue is closed and drained rather than abandoned.
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None))
        {
            while (batch.Count < MaxBatch && _queue.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }
            await WriteWithRetriesAsync(batch);
            MarkWritten(batch.Count);
            batch.Clear();
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (ExecuteTask is { } running)
        {
            await running.WaitAsync(cancellationToken);
        }
        await base.StopAsync(cancellationToken);
    }

    private void MarkWritten(int count)
    {
        Interlocked.Add(ref _written, count);
        Interlocked.Exchange(ref _batchWritten, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }

    private async Task WriteWithRetriesAsync(IReadOnlyList<FetchEntry> batch)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await WriteAsync(batch);
                return;
            }
            catch (Exception error) when (attempt < 5)
            {
                logger.LogWarning(error, "Writing {Count} PortalRB fetch-log entries failed (attempt {Attempt}); retrying", batch.Count, attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt * attempt));
            }
            catch (Exception error)
            {
                // Never stop the writer for one bad batch: name what was lost instead.
                foreach (var entry in batch)
                {
                    logger.LogError(error, "PortalRB fetch-log entry lost: {Endpoint} agency {AgencyId} unit {UnitId} year {Year} status {Status} request {RequestId}",
                        entry.Endpoint, entry.AgencyId, entry.UnitId, entry.Year, entry.Status, entry.Caller.RequestId);
                }
                return;
            }
        }
    }

    /// <summary>
    /// The stored compliance document shows PortalRB's last fetch of the year it shows: kept on its row, in the fetches'
    /// transaction, so that a cold read of the document is that row alone. Set from the batch's latest fetch of the unit
    /// and year, never moved back (another instance may have committed a later one). Recomputing it from the fetch log
    /// read every earlier fetch of the unit in every batch: a cost that grows with the log, by thousands of rows per unit
    /// over a year of hourly pulls.
    /// Timestamps compare as stored: datetimeoffset on SQL Server, fixed-width UTC text on SQLite (DapperTypeHandlers).
    /// </summary>
    internal const string LastFetchSql = """
        UPDATE compliance_documents SET last_fetched_at = @At
        WHERE unit_id = @UnitId AND assessment_year = @Year AND (last_fetched_at IS NULL OR last_fetched_at < @At)
        """;

    private async Task WriteAsync(IReadOnlyList<FetchEntry> batch)
    {
        const string insert = """
            INSERT INTO portalrb_fetches (at, api_key_id, agency_id, endpoint, unit_id, year, status, request_id)
            VALUES (@At, @ApiKeyId, @AgencyId, @Endpoint, @UnitId, @Year, @Status, @RequestId)
            """;
        await using (var connection = await db.OpenAsync(CancellationToken.None))
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            // One prepared statement per table for the whole batch (Dapper runs a list parameter as one command).
            await connection.ExecuteAsync(insert, batch.Select(e => new
            {
                e.Caller.At, ApiKeyId = e.Caller.KeyId, e.AgencyId, e.Endpoint, e.UnitId, e.Year, e.Status, e.Caller.RequestId,
            }), transaction);
            await connection.AuditAllAsync(transaction, batch.Select(e => (e.Caller, new AuditChange("portalrb.fetched", AuditEntities.PortalRbFetch,
                (e.UnitId ?? e.AgencyId)?.ToString() ?? "-", e.AgencyId, e.UnitId, new { e.Endpoint, e.Year, e.Status }))).ToList());
            var answered = batch.Where(e => e is { Endpoint: "jawaban-unit", Status: StatusCodes.Status200OK, UnitId: not null, Year: not null })
                .GroupBy(e => (e.UnitId, e.Year)).Select(g => new { g.Key.UnitId, g.Key.Year, At = g.Max(e => e.Caller.At) }).ToList();
            if (answered.Count > 0)
            {
                await connection.ExecuteAsync(LastFetchSql, answered, transaction);
            }
            await transaction.CommitAsync();
        }
        // The unit's compliance document shows when PortalRB last fetched it (the answer sheet ignores fetches: ChangeKind.Fetch).
        foreach (var entry in batch)
        {
            foreach (var (entityType, agency, unit) in entry.Caller.Changes.Drain())
            {
                stamps.Record(entityType, agency, unit);
            }
        }
    }
}

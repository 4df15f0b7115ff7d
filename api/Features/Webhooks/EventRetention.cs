using Dapper;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Data;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// Keeps the events and webhook_deliveries tables from growing forever. Deliveries in a final state (succeeded, dead)
/// whose last attempt is older than <c>Webhooks:RetentionDays</c> are deleted, then events that old which no delivery
/// refers to any more: a pending delivery, or a final one still within the retention (a recent redelivery), keeps its
/// event. The events are walked from the oldest in ranges of <see cref="BatchSize"/>, one short transaction per range,
/// so that a SQLite writer never waits long behind it. The deletes are idempotent, so any number of instances may run
/// it at once. The newest deleted cursor is kept in <c>event_retention</c> in the same transaction as the delete, so
/// that the change stream can tell a client whose cursor lies below it that it missed events.
/// </summary>
public sealed class EventRetention(DbConnectionFactory db, IOptions<WebhookOptions> options, TimeProvider time, ILogger<EventRetention> logger) : BackgroundService
{
    internal const int BatchSize = 200;

    private sealed class EventAge
    {
        public long Seq { get; init; }
        public DateTimeOffset At { get; init; }
    }

    /// <summary>What one purge deleted.</summary>
    internal sealed record Purged(int Events, int Deliveries);

    internal const string RangeSql = "SELECT seq, at FROM events WHERE seq > @After ORDER BY seq";

    // Final states as "not pending" (the CHECK allows three): SQLite, without statistics, would seek status = 'succeeded'
    // on ix_webhook_deliveries_due, which reads nearly every delivery, instead of the range on ix_webhook_deliveries_event.
    internal const string DeleteDeliveriesSql = """
        DELETE FROM webhook_deliveries
        WHERE event_seq > @From AND event_seq <= @To AND status <> 'pending' AND created_at < @Cutoff
          AND (last_attempt_at IS NULL OR last_attempt_at < @Cutoff)
        """;

    internal const string NewestUnreferencedSql = """
        SELECT MAX(e.seq) FROM events e
        WHERE e.seq > @From AND e.seq <= @To AND e.at < @Cutoff
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = e.seq)
        """;

    internal const string DeleteEventsSql = """
        DELETE FROM events
        WHERE seq > @From AND seq <= @To AND at < @Cutoff
          AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_seq = events.seq)
        """;

    /// <summary>The newest deleted cursor; the change stream's bound for a client's <c>after</c>.</summary>
    internal const string PurgedThroughSql = "SELECT purged_through FROM event_retention WHERE name = 'events'";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await PurgeOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // A busy database must not stop retention; what was not deleted is deleted next time.
                logger.LogWarning(exception, "Deleting events and deliveries past the retention failed; retrying at the next interval.");
            }
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(options.Value.RetentionIntervalSeconds), stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Deletes everything past the retention, range by range.</summary>
    internal async Task<Purged> PurgeOnceAsync(CancellationToken cancellationToken)
    {
        var cutoff = time.GetUtcNow() - TimeSpan.FromDays(options.Value.RetentionDays);
        await using var connection = await db.OpenAsync(cancellationToken);
        var (events, deliveries) = (0, 0);
        long after = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = (await connection.QueryAsync<EventAge>(RangeSql + db.Dialect.Paging, new { After = after, Skip = 0, Take = BatchSize })).AsList();
            // Cursors follow projection time (one projector at a time), so the old events come first: the first young one ends the walk.
            var old = batch.TakeWhile(e => e.At < cutoff).ToList();
            if (old.Count == 0)
            {
                break;
            }
            var range = new { From = after, To = old[^1].Seq, Cutoff = cutoff };
            await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
            {
                deliveries += await connection.ExecuteAsync(DeleteDeliveriesSql, range, transaction);
                if (await connection.ExecuteScalarAsync<long?>(NewestUnreferencedSql, range, transaction) is { } newest)
                {
                    events += await connection.ExecuteAsync(DeleteEventsSql, range, transaction);
                    // Only ever forward: another instance may have deleted a later range already.
                    const string mark = "UPDATE event_retention SET purged_through = @Newest WHERE name = 'events' AND purged_through < @Newest";
                    await connection.ExecuteAsync(mark, new { Newest = newest }, transaction);
                }
                await transaction.CommitAsync(cancellationToken);
            }
            after = range.To;
            if (old.Count < batch.Count || batch.Count < BatchSize)
            {
                break;
            }
        }
        if (events > 0 || deliveries > 0)
        {
            logger.LogInformation("Retention deleted {Events} events and {Deliveries} deliveries older than {Cutoff}.", events, deliveries, cutoff);
        }
        return new Purged(events, deliveries);
    }
}

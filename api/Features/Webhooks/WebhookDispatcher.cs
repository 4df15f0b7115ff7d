using Dapper;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Data;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// Sends due deliveries. Per webhook and unit (the ordering key) deliveries go out one after another in event order; up
/// to <c>Webhooks:ConcurrentDeliveries</c> such runs are in flight at once, and a new run starts as soon as one ends or
/// new events are committed, without waiting for the others. A run is claimed with one conditional UPDATE on the rows'
/// lease (<c>lease_until</c>), so two instances never send the same attempt; a claim that dies with its process expires
/// and the attempt is made again (at least once). A failed attempt stops its run: the later deliveries of that unit wait
/// behind it. Failures back off exponentially with jitter from 1 minute to 24 hours; after <c>Webhooks:MaxAttempts</c>
/// the delivery is <c>dead</c> (redeliver on request).
/// </summary>
public sealed class WebhookDispatcher(DbConnectionFactory db, WebhookSender sender, IOptions<WebhookOptions> options, TimeProvider time,
    EventSignal signal, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    /// <summary>The most deliveries one claim takes for a unit: bounds how long one unit can keep a slot.</summary>
    internal const int RunLength = 50;

    /// <summary>Deliveries one claim may name: SQL Server takes at most 2,100 parameters in a statement.</summary>
    private const int MaxClaim = 2000;

    /// <summary>What a run keeps of its lease for recording its attempts.</summary>
    private static readonly TimeSpan RecordMargin = TimeSpan.FromSeconds(5);

    private readonly string _holder = $"dispatcher:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private long _claims;

    private sealed class Candidate
    {
        public Guid Id { get; init; }
        public Guid WebhookId { get; init; }
        public string OrderingKey { get; init; } = "";
    }

    private sealed class Due
    {
        public Guid Id { get; init; }
        public Guid WebhookId { get; init; }
        public string OrderingKey { get; init; } = "";
        public int Attempts { get; init; }
        public string Url { get; init; } = "";
        public string Secret { get; init; } = "";
        public Guid EventId { get; init; }
        public string Body { get; init; } = "";
    }

    private sealed record Attempted(Due Due, SendOutcome Outcome);

    /// <summary>One claim's deliveries of one webhook and ordering key, oldest first, with the lease holder they were claimed under.</summary>
    private sealed record Run(string Holder, DateTimeOffset Until, List<Due> Deliveries);

    /// <summary>The wait after the <paramref name="failures"/>-th failed attempt: 1 min growing to 24 h at the 7th, less up to 20% jitter.</summary>
    public static TimeSpan Backoff(int failures, double jitter)
    {
        var minutes = Math.Min(1440, Math.Pow(1440, (Math.Max(1, failures) - 1) / 6.0));
        return TimeSpan.FromMinutes(minutes * (1 - 0.2 * jitter));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            return;
        }
        var running = new List<Task>();
        var poll = TimeSpan.FromMilliseconds(options.Value.PollMilliseconds);
        while (!stoppingToken.IsCancellationRequested)
        {
            running.RemoveAll(t => t.IsCompleted);
            var free = options.Value.ConcurrentDeliveries - running.Count;
            var started = 0;
            if (free > 0)
            {
                try
                {
                    foreach (var run in await ClaimAsync(free, stoppingToken))
                    {
                        running.Add(SendRunAsync(run, stoppingToken));
                        started++;
                    }
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogWarning(exception, "Claiming webhook deliveries failed; retrying.");
                }
            }
            if (started > 0 && started == free)
            {
                // Every slot taken: wait for one to free up, then claim at once.
                await Task.WhenAny(running);
                continue;
            }
            try
            {
                // A run that ends may leave its unit's next deliveries due; new events pulse the signal.
                var ended = running.Count == 0 ? Task.Delay(Timeout.Infinite, stoppingToken) : Task.WhenAny(running);
                await Task.WhenAny(signal.WaitAsync(poll, stoppingToken), ended);
                stoppingToken.ThrowIfCancellationRequested();
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        await Task.WhenAll(running);
    }

    /// <summary>Claims and sends one round of due deliveries, waiting for all of them; returns how many were attempted.</summary>
    internal async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        var runs = await ClaimAsync(options.Value.ConcurrentDeliveries, cancellationToken);
        var attempted = await Task.WhenAll(runs.Select(run => SendRunAsync(run, cancellationToken)));
        return attempted.Sum();
    }

    /// <summary>
    /// Up to <paramref name="runs"/> runs: per webhook and ordering key, the oldest pending deliveries in event order, all
    /// due and none leased, behind no pending delivery that is leased or backing off.
    /// </summary>
    private async Task<List<Run>> ClaimAsync(int runs, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenAsync(cancellationToken);
        const string candidates = """
            SELECT d.id, d.webhook_id, d.ordering_key FROM webhook_deliveries d
            WHERE d.status = 'pending' AND d.next_attempt_at <= @Now AND (d.lease_until IS NULL OR d.lease_until < @Now)
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                              WHERE e.webhook_id = d.webhook_id AND e.ordering_key = d.ordering_key AND e.status = 'pending' AND e.event_seq < d.event_seq
                                AND (e.next_attempt_at > @Now OR e.lease_until >= @Now))
            ORDER BY d.event_seq
            """;
        var found = (await connection.QueryAsync<Candidate>(candidates + db.Dialect.Paging, new { Now = now, Skip = 0, Take = Math.Min(runs * RunLength, MaxClaim) })).AsList();
        // Runs in the order of their oldest delivery; each a prefix of its key's pending deliveries, as the query orders by seq.
        var wanted = found.GroupBy(c => (c.WebhookId, c.OrderingKey)).Take(runs).Select(g => g.Take(RunLength).Select(c => c.Id).ToList()).ToList();
        if (wanted.Count == 0)
        {
            return [];
        }
        // Long enough for two sends (each is cut at TimeoutSeconds) and the UPDATE that records them; a run stops sending
        // before its claim could expire under it. No longer, because a claim left by a killed instance holds up its unit's
        // later deliveries until it expires.
        var until = now + TimeSpan.FromSeconds(options.Value.TimeoutSeconds * 2 + 10);
        var token = $"{_holder}:{Interlocked.Increment(ref _claims)}";
        const string claim = """
            UPDATE webhook_deliveries SET lease_until = @Until, lease_holder = @Holder
            WHERE id IN @Ids AND status = 'pending' AND (lease_until IS NULL OR lease_until < @Now)
            """;
        const string load = """
            SELECT d.id, d.webhook_id, d.ordering_key, d.attempts, w.url, w.secret, e.id AS event_id, e.body
            FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.seq = d.event_seq
            WHERE d.id IN @Ids AND d.lease_holder = @Holder
            """;
        var ids = wanted.SelectMany(run => run).ToList();
        await connection.ExecuteAsync(claim, new { Ids = db.Dialect.IdList(ids), Until = until, Holder = token, Now = now });
        var claimed = (await connection.QueryAsync<Due>(load, new { Ids = db.Dialect.IdList(ids), Holder = token })).ToDictionary(d => d.Id);
        // Another instance may have claimed part of a run meanwhile: keep only the prefix this claim holds, so that no
        // delivery is sent before an earlier one of its unit; the rest is handed back.
        var result = new List<Run>();
        var handBack = new List<Guid>();
        foreach (var run in wanted)
        {
            var held = run.TakeWhile(claimed.ContainsKey).Select(id => claimed[id]).ToList();
            handBack.AddRange(run.Skip(held.Count).Where(claimed.ContainsKey));
            if (held.Count > 0)
            {
                result.Add(new Run(token, until, held));
            }
        }
        if (handBack.Count > 0)
        {
            await connection.ExecuteAsync(ReleaseSql, new { Ids = db.Dialect.IdList(handBack), Holder = token });
        }
        return result;
    }

    private const string ReleaseSql = "UPDATE webhook_deliveries SET lease_until = NULL, lease_holder = NULL WHERE id IN @Ids AND lease_holder = @Holder";

    /// <summary>Sends a run in order until one attempt fails, then records every attempt and hands back the rest in one transaction.</summary>
    private async Task<int> SendRunAsync(Run run, CancellationToken cancellationToken)
    {
        var attempted = new List<Attempted>();
        try
        {
            var timeout = TimeSpan.FromSeconds(options.Value.TimeoutSeconds);
            foreach (var due in run.Deliveries)
            {
                if (attempted.Count > 0 && time.GetUtcNow() + timeout + RecordMargin > run.Until)
                {
                    // A slow receiver: the rest is handed back and claimed again with a fresh lease.
                    break;
                }
                var outcome = await sender.SendAsync(due.Url, due.Secret, due.EventId.ToString(), due.Body, cancellationToken);
                attempted.Add(new Attempted(due, outcome));
                if (!outcome.Succeeded)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: what was sent is recorded, the interrupted attempt and the rest are handed back.
        }
        try
        {
            await RecordAsync(run.Holder, attempted, run.Deliveries.Skip(attempted.Count).Select(d => d.Id).ToList());
        }
        catch (Exception exception)
        {
            // The leases expire and the attempts are made again: at least once.
            logger.LogWarning(exception, "Recording webhook attempts failed; they will be retried when their claim expires.");
        }
        return attempted.Count;
    }

    private async Task RecordAsync(string holder, List<Attempted> attempted, List<Guid> notAttempted)
    {
        var now = time.GetUtcNow();
        var rows = attempted.Select(a =>
        {
            var attempts = a.Due.Attempts + 1;
            var outcome = a.Outcome;
            var status = outcome.Succeeded ? DeliveryStatus.Succeeded : attempts >= options.Value.MaxAttempts ? DeliveryStatus.Dead : DeliveryStatus.Pending;
            DateTimeOffset? next = status == DeliveryStatus.Pending ? now + Backoff(attempts, Random.Shared.NextDouble()) : null;
            return new
            {
                a.Due.Id, Status = status, Attempts = attempts, outcome.StatusCode, outcome.Error, Now = now, Next = next,
                DeliveredAt = outcome.Succeeded ? now : (DateTimeOffset?)null,
            };
        }).ToList();
        // Conditional on the claim still being this instance's: an expired claim taken over by another instance is its now.
        const string record = """
            UPDATE webhook_deliveries
            SET status = @Status, attempts = @Attempts, last_status_code = @StatusCode, last_error = @Error, last_attempt_at = @Now,
                next_attempt_at = @Next, delivered_at = @DeliveredAt, lease_until = NULL, lease_holder = NULL
            WHERE id = @Id AND lease_holder = @Holder
            """;
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await using var transaction = await connection.BeginTransactionAsync(CancellationToken.None);
        await connection.ExecuteAsync(record, rows.Select(r => new { r.Id, r.Status, r.Attempts, r.StatusCode, r.Error, r.Now, r.Next, r.DeliveredAt, Holder = holder }), transaction);
        if (notAttempted.Count > 0)
        {
            await connection.ExecuteAsync(ReleaseSql, new { Ids = db.Dialect.IdList(notAttempted), Holder = holder }, transaction);
        }
        await transaction.CommitAsync(CancellationToken.None);
    }
}

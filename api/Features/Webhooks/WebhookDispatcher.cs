using Dapper;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Data;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// Sends due deliveries. Each is claimed with a conditional UPDATE on its lease (<c>lease_until</c>), so two instances
/// never send the same attempt; a claim that dies with its process expires and the attempt is made again (at least
/// once). Per webhook and unit only the oldest pending delivery is due, so a receiver sees each unit's events in order.
/// Failures back off exponentially with jitter from 1 minute to 24 hours; after <c>Webhooks:MaxAttempts</c> the
/// delivery is <c>dead</c> (redeliver on request).
/// </summary>
public sealed class WebhookDispatcher(DbConnectionFactory db, WebhookSender sender, IOptions<WebhookOptions> options, TimeProvider time,
    EventSignal signal, ILogger<WebhookDispatcher> logger) : BackgroundService
{
    private readonly string _holder = $"dispatcher:{Environment.ProcessId}:{Guid.NewGuid():N}";
    private readonly SemaphoreSlim _running = new(1, 1);

    private sealed class Due
    {
        public Guid Id { get; init; }
        public int Attempts { get; init; }
        public string Url { get; init; } = "";
        public string Secret { get; init; } = "";
        public Guid EventId { get; init; }
        public string Body { get; init; } = "";
    }

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
        while (!stoppingToken.IsCancellationRequested)
        {
            var sent = 0;
            try
            {
                sent = await DispatchOnceAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(exception, "Dispatching webhook deliveries failed; retrying.");
            }
            if (sent == 0)
            {
                try
                {
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(options.Value.PollMilliseconds), stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Claims and sends one round of due deliveries; returns how many were attempted.</summary>
    internal async Task<int> DispatchOnceAsync(CancellationToken cancellationToken)
    {
        await _running.WaitAsync(cancellationToken);
        try
        {
            var claimed = await ClaimAsync(cancellationToken);
            await Task.WhenAll(claimed.Select(d => AttemptAsync(d, cancellationToken)));
            return claimed.Count;
        }
        finally
        {
            _running.Release();
        }
    }

    private async Task<List<Due>> ClaimAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var connection = await db.OpenAsync(cancellationToken);
        const string candidates = """
            SELECT d.id FROM webhook_deliveries d
            WHERE d.status = 'pending' AND d.next_attempt_at <= @Now AND (d.lease_until IS NULL OR d.lease_until < @Now)
              AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e
                              WHERE e.webhook_id = d.webhook_id AND e.ordering_key = d.ordering_key AND e.status = 'pending' AND e.event_seq < d.event_seq)
            ORDER BY d.event_seq
            """;
        var ids = (await connection.QueryAsync<Guid>(candidates + db.Dialect.Paging, new { Now = now, Skip = 0, Take = options.Value.ConcurrentDeliveries })).AsList();
        // Longer than one attempt can take (the send is cut at TimeoutSeconds, then one UPDATE), so that a live claim never
        // expires under its sender; no longer than that, because a claim left by a killed instance holds up its unit's
        // later deliveries until it expires.
        var until = now + TimeSpan.FromSeconds(options.Value.TimeoutSeconds * 2 + 10);
        const string claim = """
            UPDATE webhook_deliveries SET lease_until = @Until, lease_holder = @Holder
            WHERE id = @Id AND status = 'pending' AND (lease_until IS NULL OR lease_until < @Now)
            """;
        const string load = """
            SELECT d.id, d.attempts, w.url, w.secret, e.id AS event_id, e.body
            FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id JOIN events e ON e.seq = d.event_seq
            WHERE d.id = @Id
            """;
        var claimed = new List<Due>();
        foreach (var id in ids)
        {
            if (await connection.ExecuteAsync(claim, new { Id = id, Until = until, Holder = _holder, Now = now }) == 1)
            {
                claimed.Add(await connection.QuerySingleAsync<Due>(load, new { Id = id }));
            }
        }
        return claimed;
    }

    private async Task AttemptAsync(Due due, CancellationToken cancellationToken)
    {
        var outcome = await sender.SendAsync(due.Url, due.Secret, due.EventId.ToString(), due.Body, cancellationToken);
        var now = time.GetUtcNow();
        var attempts = due.Attempts + 1;
        var status = outcome.Succeeded ? DeliveryStatus.Succeeded : attempts >= options.Value.MaxAttempts ? DeliveryStatus.Dead : DeliveryStatus.Pending;
        DateTimeOffset? next = status == DeliveryStatus.Pending ? now + Backoff(attempts, Random.Shared.NextDouble()) : null;
        const string record = """
            UPDATE webhook_deliveries
            SET status = @Status, attempts = @Attempts, last_status_code = @StatusCode, last_error = @Error, last_attempt_at = @Now,
                next_attempt_at = @Next, delivered_at = @DeliveredAt, lease_until = NULL, lease_holder = NULL
            WHERE id = @Id AND lease_holder = @Holder
            """;
        await using var connection = await db.OpenAsync(CancellationToken.None);
        await connection.ExecuteAsync(record, new
        {
            Id = due.Id, Status = status, Attempts = attempts, outcome.StatusCode, outcome.Error, Now = now, Next = next,
            DeliveredAt = outcome.Succeeded ? now : (DateTimeOffset?)null, Holder = _holder,
        });
    }
}

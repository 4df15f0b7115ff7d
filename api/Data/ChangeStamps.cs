using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using Dapper;
using Microsoft.Extensions.Options;

namespace ZonaIntegritas.Api.Data;

/// <summary>What one request changed, collected as its audit entries are written.</summary>
public sealed class ChangeSet
{
    private readonly List<(string EntityType, Guid? AgencyId, Guid? UnitId)> _changes = [];

    public void Add(string entityType, Guid? agencyId, Guid? unitId)
    {
        lock (_changes)
        {
            _changes.Add((entityType, agencyId, unitId));
        }
    }

    public IReadOnlyList<(string EntityType, Guid? AgencyId, Guid? UnitId)> Drain()
    {
        lock (_changes)
        {
            var all = _changes.ToList();
            _changes.Clear();
            return all;
        }
    }
}

public sealed class CacheOptions
{
    public const string Section = "Cache";

    /// <summary>Serve compliance documents and API-key lookups from memory until a write touches them.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// How often each instance reads the audit trail for writes made by other instances. A single instance sees its own
    /// writes at once; with several instances behind a load balancer this is the longest another one serves old data.
    /// </summary>
    [Range(1, 60, ErrorMessage = "Cache:ChangeFeedSeconds must be between 1 and 60 (seconds).")]
    public int ChangeFeedSeconds { get; set; } = 2;

    [Range(1000, 10_000_000, ErrorMessage = "Cache:MaxEntries must be between 1,000 and 10,000,000 (documents held in memory).")]
    public int MaxEntries { get; set; } = 250_000;
}

/// <summary>
/// Logical clock of changes. Every write bumps the stamps of what it touched (its unit, its agency, or everything); a cached
/// value is valid while nothing it depends on has a stamp newer than the clock reading taken before the value was read
/// from the database. Taking the reading first is what makes a write that lands during the read invalidate the result.
/// </summary>
public sealed class ChangeStamps
{
    public const string ApiKeyEntity = "api_key";
    public const string ClientEntity = "client";

    private long _clock;
    private long _global;
    private long _anything;
    private long _keys;
    private readonly ConcurrentDictionary<Guid, long> _units = new();
    private readonly ConcurrentDictionary<Guid, long> _agencyLevel = new();
    private readonly ConcurrentDictionary<Guid, long> _agencyContent = new();

    public long Now => Interlocked.Read(ref _clock);

    public void Record(string entityType, Guid? agencyId, Guid? unitId)
    {
        if (entityType == ClientEntity)
        {
            return;
        }
        var stamp = Interlocked.Increment(ref _clock);
        if (entityType == ApiKeyEntity)
        {
            Interlocked.Exchange(ref _keys, stamp);
            return;
        }
        if (unitId is { } unit)
        {
            _units[unit] = stamp;
        }
        if (agencyId is { } agency)
        {
            _agencyContent[agency] = stamp;
            if (unitId is null)
            {
                _agencyLevel[agency] = stamp;
            }
        }
        if (agencyId is null && unitId is null)
        {
            Interlocked.Exchange(ref _global, stamp);
        }
        Interlocked.Exchange(ref _anything, stamp);
    }

    public bool UnitUnchangedSince(Guid unitId, Guid agencyId, long reading) =>
        _units.GetValueOrDefault(unitId) <= reading && _agencyLevel.GetValueOrDefault(agencyId) <= reading && Interlocked.Read(ref _global) <= reading;

    public bool AgencyUnchangedSince(Guid agencyId, long reading) =>
        _agencyContent.GetValueOrDefault(agencyId) <= reading && Interlocked.Read(ref _global) <= reading;

    public bool NothingChangedSince(long reading) => Interlocked.Read(ref _anything) <= reading;

    public bool KeysUnchangedSince(long reading) => Interlocked.Read(ref _keys) <= reading;
}

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

/// <summary>Once a handler has returned (its transaction committed or rolled back), records what it changed.</summary>
public sealed class ChangeSetFilter(ChangeStamps stamps) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        finally
        {
            if (context.HttpContext.Features.Get<ChangeSet>() is { } changes)
            {
                foreach (var (entityType, agencyId, unitId) in changes.Drain())
                {
                    stamps.Record(entityType, agencyId, unitId);
                }
            }
        }
    }
}

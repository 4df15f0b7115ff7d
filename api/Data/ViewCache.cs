using System.Collections.Concurrent;

namespace ZonaIntegritas.Api.Data;

/// <summary>
/// The key of one cached view: a record whose type and values name the view, and whose type parameter is what the view
/// holds, so that a look-up gives back that type without a cast at the call site.
/// </summary>
public interface IViewKey<TValue> where TValue : class
{
    /// <summary>What the value costs in memory, roughly, in bytes; the cache's bound counts these.</summary>
    long SizeOf(TValue value) => 1024;
}

/// <summary>
/// What a view depends on: one unit (with its agency; optionally beside PortalRB's fetches), one agency, everything, or
/// the API keys. A view is fresh while nothing in its scope has changed since the reading taken before its data was read.
/// </summary>
/// <param name="FetchesIgnored">Recorded fetches (<see cref="ChangeKind.Fetch"/>) do not make the view stale: what it shows is what PortalRB fetches.</param>
public readonly record struct ViewScope(Guid? AgencyId, Guid? UnitId, bool Keys = false, bool FetchesIgnored = false)
{
    public static ViewScope Everything => new(null, null);

    public static ViewScope ApiKeys => new(null, null, Keys: true);

    public static ViewScope OfAgency(Guid agencyId) => new(agencyId, null);

    public static ViewScope OfUnit(Guid agencyId, Guid unitId) => new(agencyId, unitId);

    /// <summary>One unit, as PortalRB fetches it: changed by every write to the unit but not by the fetches themselves.</summary>
    public static ViewScope OfUnitBesideFetches(Guid agencyId, Guid unitId) => new(agencyId, unitId, FetchesIgnored: true);
}

/// <summary>
/// Computed views kept in memory until a write touches what they show. Every entry remembers the <see cref="ChangeStamps"/>
/// reading taken before its data was read and the Indonesian day it was built on; it is served only while both still
/// hold. Concurrent requests for a view that is not cached share one build. Under <c>Cache:MaxMegabytes</c> the least
/// recently used entries are dropped first.
/// </summary>
public sealed class ViewCache(ChangeStamps stamps, IOptions<CacheOptions> options)
{
    private sealed class Entry(object key, object value, ViewScope scope, DateOnly day, long reading, long bytes)
    {
        public object Key { get; } = key;
        public object Value { get; } = value;
        public ViewScope Scope { get; } = scope;
        public DateOnly Day { get; } = day;
        public long Reading { get; } = reading;
        public long Bytes { get; } = bytes;
        public LinkedListNode<Entry>? Node { get; set; }
    }

    private sealed record Flight(TaskCompletionSource<object?> Source, long Reading);

    private readonly Lock _lock = new();
    private readonly Dictionary<object, Entry> _entries = [];
    // Most recently used first; the tail is evicted.
    private readonly LinkedList<Entry> _recency = new();
    private readonly ConcurrentDictionary<(object Key, DateOnly Day), Flight> _flights = new();
    private long _bytes;

    public bool Enabled => options.Value.Enabled;

    /// <summary>The clock reading to take before reading what a view shows (then pass it to <see cref="Store"/>).</summary>
    public long Reading => stamps.Now;

    private long MaxBytes => options.Value.MaxMegabytes * 1024L * 1024L;

    /// <summary>Bytes held now, as the keys' <see cref="IViewKey{TValue}.SizeOf"/> count them.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The cached view, while nothing in its scope changed and the day is the same; otherwise null.</summary>
    public TValue? Find<TValue>(IViewKey<TValue> key, DateOnly day) where TValue : class
    {
        if (!Enabled)
        {
            return null;
        }
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var entry))
            {
                return null;
            }
            if (entry.Day != day || !Fresh(entry.Scope, entry.Reading))
            {
                // Stale for good: stamps only grow and days only pass.
                Remove(entry);
                return null;
            }
            _recency.Remove(entry.Node!);
            _recency.AddFirst(entry.Node!);
            return (TValue)entry.Value;
        }
    }

    /// <summary>Keeps a view read after <paramref name="reading"/> was taken, evicting the least recently used beyond the bound.</summary>
    public void Store<TValue>(IViewKey<TValue> key, ViewScope scope, DateOnly day, long reading, TValue value) where TValue : class
    {
        var bytes = key.SizeOf(value);
        if (!Enabled || bytes > MaxBytes)
        {
            return;
        }
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var existing))
            {
                if (existing.Reading > reading && existing.Day == day)
                {
                    return; // a build that started later already stored what it read
                }
                Remove(existing);
            }
            var entry = new Entry(key, value, scope, day, reading, bytes);
            entry.Node = _recency.AddFirst(entry);
            _entries[key] = entry;
            _bytes += bytes;
            while (_bytes > MaxBytes && _recency.Last is { } oldest)
            {
                Remove(oldest.Value);
            }
        }
    }

    /// <summary>The cached view, or the one <paramref name="build"/> reads now (null: nothing to keep, e.g. not found).</summary>
    public Task<TValue?> GetOrBuildAsync<TValue>(IViewKey<TValue> key, ViewScope scope, DateOnly day, Func<Task<TValue?>> build) where TValue : class =>
        GetOrBuildAsync(key, _ => scope, day, build);

    /// <summary>As above, for a view whose scope is known only once it is built (a unit's document names its agency).</summary>
    public async Task<TValue?> GetOrBuildAsync<TValue>(IViewKey<TValue> key, Func<TValue, ViewScope> scopeOf, DateOnly day, Func<Task<TValue?>> build)
        where TValue : class
    {
        if (!Enabled)
        {
            return await build();
        }
        while (true)
        {
            if (Find(key, day) is { } cached)
            {
                return cached;
            }
            // The reading is taken before the build reads anything: a write landing during the read then makes the result
            // stale. The flight is registered before its build starts, so requests racing in here join one build.
            var flight = new Flight(new TaskCompletionSource<object?>(TaskCreationOptions.RunContinuationsAsynchronously), Reading);
            if (_flights.TryAdd((key, day), flight))
            {
                return await BuildAsync(key, scopeOf, day, build, flight);
            }
            if (_flights.TryGetValue((key, day), out var running))
            {
                // Fresh now means no write touched its scope since its reading, so it is what this request would read.
                return await Shared(running) is TValue shared && Fresh(scopeOf(shared), running.Reading)
                    ? shared
                    : await BuildAsync(key, scopeOf, day, build, flight: null);
            }
            // The flight ended between the two looks, so its view is stored (or there was none): look again.
        }
    }

    /// <summary>Builds and stores a view; a registered <paramref name="flight"/> gives it to the requests that joined.</summary>
    private async Task<TValue?> BuildAsync<TValue>(IViewKey<TValue> key, Func<TValue, ViewScope> scopeOf, DateOnly day, Func<Task<TValue?>> build,
        Flight? flight) where TValue : class
    {
        var reading = flight?.Reading ?? Reading;
        try
        {
            // A build that finished between this request's look-up and its registration has stored its view already.
            if (flight is not null && Find(key, day) is { } justStored)
            {
                flight.Source.TrySetResult(justStored);
                return justStored;
            }
            var built = await build();
            flight?.Source.TrySetResult(built);
            if (built is not null)
            {
                Store(key, scopeOf(built), day, reading, built);
            }
            return built;
        }
        catch (Exception exception)
        {
            // Joined requests then build their own (Shared gives null).
            flight?.Source.TrySetException(exception);
            throw;
        }
        finally
        {
            if (flight is not null)
            {
                _flights.TryRemove(KeyValuePair.Create((key as object, day), flight));
            }
        }
    }

    /// <summary>
    /// The cached views of many keys, the missing ones built together by one call (a page of documents then costs a fixed
    /// number of queries, not one per view). <paramref name="reading"/> is the one the caller took before reading anything
    /// the build depends on.
    /// </summary>
    public async Task<Dictionary<TKey, TValue>> GetOrBuildManyAsync<TKey, TValue>(IReadOnlyList<TKey> keys, DateOnly day, long reading,
        Func<TValue, TKey> keyOf, Func<TValue, ViewScope> scopeOf, Func<IReadOnlyList<TKey>, Task<IEnumerable<TValue>>> buildMissing)
        where TKey : notnull, IViewKey<TValue> where TValue : class
    {
        var found = new Dictionary<TKey, TValue>(keys.Count);
        var missing = new List<TKey>();
        foreach (var key in keys)
        {
            if (Find(key, day) is { } cached)
            {
                found[key] = cached;
            }
            else
            {
                missing.Add(key);
            }
        }
        if (missing.Count == 0)
        {
            return found;
        }
        foreach (var built in await buildMissing(missing))
        {
            var key = keyOf(built);
            Store(key, scopeOf(built), day, reading, built);
            found[key] = built;
        }
        return found;
    }

    /// <summary>Another request's build; if it failed or was cancelled this request builds its own.</summary>
    private static async Task<object?> Shared(Flight flight)
    {
        try
        {
            return await flight.Source.Task;
        }
        catch (Exception)
        {
            return null;
        }
    }

    private bool Fresh(ViewScope scope, long reading) => scope switch
    {
        { Keys: true } => stamps.KeysUnchangedSince(reading),
        { FetchesIgnored: true, UnitId: { } unitId, AgencyId: { } agencyId } => stamps.UnitUnchangedBesideFetchesSince(unitId, agencyId, reading),
        { UnitId: { } unitId, AgencyId: { } agencyId } => stamps.UnitUnchangedSince(unitId, agencyId, reading),
        { AgencyId: { } agencyId } => stamps.AgencyUnchangedSince(agencyId, reading),
        _ => stamps.NothingChangedSince(reading),
    };

    private void Remove(Entry entry)
    {
        _entries.Remove(entry.Key);
        _recency.Remove(entry.Node!);
        _bytes -= entry.Bytes;
    }
}

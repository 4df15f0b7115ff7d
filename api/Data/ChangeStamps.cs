using System.Collections.Concurrent;

namespace ZonaIntegritas.Api.Data;

/// <summary>
/// Logical clock of changes. Every write bumps the stamps of what it touched (its unit, its agency, or everything); a cached
/// value is valid while nothing it depends on has a stamp newer than the clock reading taken before the value was read
/// from the database. Taking the reading first is what makes a write that lands during the read invalidate the result.
/// </summary>
/// <summary>What a change touches as far as cached views are concerned.</summary>
public enum ChangeKind
{
    /// <summary>Data views show: its unit, its agency, or (neither named) everything.</summary>
    Content,
    /// <summary>API keys: only key look-ups depend on them.</summary>
    ApiKeys,
    /// <summary>
    /// A recorded read (PortalRB's fetch log). Content for every view of its unit or agency (the compliance document shows
    /// when PortalRB last fetched), except views whose scope leaves fetches out (<see cref="ViewScope.FetchesIgnored"/>):
    /// what PortalRB fetches does not change because it fetched it. Also a stored document's own rebuild when a date came:
    /// the document changes, the answers do not.
    /// </summary>
    Fetch,
    /// <summary>Nothing cached depends on it (e.g. a refused authentication, recorded against the client address).</summary>
    None,
}

/// <param name="kindOf">
/// Which <see cref="ChangeKind"/> an audit entity type is; the audit feature owns the entity names
/// (<c>AuditEntities.KindOf</c>). Without it every change counts as content.
/// </param>
public sealed class ChangeStamps(Func<string, ChangeKind>? kindOf = null)
{

    private long _clock;
    private long _global;
    private long _anything;
    private long _keys;
    private readonly ConcurrentDictionary<Guid, long> _units = new();
    private readonly ConcurrentDictionary<Guid, long> _agencyLevel = new();
    private readonly ConcurrentDictionary<Guid, long> _agencyContent = new();
    // The same unit, agency-level and global stamps, bumped by every content change except fetches.
    private long _globalBesideFetches;
    private readonly ConcurrentDictionary<Guid, long> _unitsBesideFetches = new();
    private readonly ConcurrentDictionary<Guid, long> _agencyLevelBesideFetches = new();

    public long Now => Interlocked.Read(ref _clock);

    public void Record(string entityType, Guid? agencyId, Guid? unitId)
    {
        var kind = kindOf?.Invoke(entityType) ?? ChangeKind.Content;
        if (kind == ChangeKind.None)
        {
            return;
        }
        var stamp = Interlocked.Increment(ref _clock);
        if (kind == ChangeKind.ApiKeys)
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
        if (kind == ChangeKind.Content)
        {
            RecordBesideFetches(agencyId, unitId, stamp);
        }
        Interlocked.Exchange(ref _anything, stamp);
    }

    private void RecordBesideFetches(Guid? agencyId, Guid? unitId, long stamp)
    {
        if (unitId is { } unit)
        {
            _unitsBesideFetches[unit] = stamp;
        }
        else if (agencyId is { } agency)
        {
            _agencyLevelBesideFetches[agency] = stamp;
        }
        else
        {
            Interlocked.Exchange(ref _globalBesideFetches, stamp);
        }
    }

    public bool UnitUnchangedSince(Guid unitId, Guid agencyId, long reading) =>
        _units.GetValueOrDefault(unitId) <= reading && _agencyLevel.GetValueOrDefault(agencyId) <= reading && Interlocked.Read(ref _global) <= reading;

    /// <summary>As <see cref="UnitUnchangedSince"/>, counting no fetches.</summary>
    public bool UnitUnchangedBesideFetchesSince(Guid unitId, Guid agencyId, long reading) =>
        _unitsBesideFetches.GetValueOrDefault(unitId) <= reading && _agencyLevelBesideFetches.GetValueOrDefault(agencyId) <= reading
        && Interlocked.Read(ref _globalBesideFetches) <= reading;

    public bool AgencyUnchangedSince(Guid agencyId, long reading) =>
        _agencyContent.GetValueOrDefault(agencyId) <= reading && Interlocked.Read(ref _global) <= reading;

    public bool NothingChangedSince(long reading) => Interlocked.Read(ref _anything) <= reading;

    public bool KeysUnchangedSince(long reading) => Interlocked.Read(ref _keys) <= reading;
}

using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Data;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>
/// Serialised compliance documents and pages, kept until a write touches what they show. Other agency systems poll these
/// far more often than anything changes, and building a document costs several queries plus scoring three layers.
/// Every entry remembers the <see cref="ChangeStamps"/> reading taken before its data was read and the Indonesian date
/// it was built on (stage, flags and eligibility depend on the date).
/// </summary>
public sealed class ComplianceCache(ChangeStamps stamps, IOptions<CacheOptions> options)
{
    public sealed record UnitEntry(UnitCompliance Document, byte[] Body, string ETag, DateOnly Today, long Reading)
    {
        public Guid UnitId => Document.UnitId;
        public Guid AgencyId => Document.AgencyId;
    }

    /// <summary>A page or summary; <see cref="AgencyId"/> null with <see cref="UnitId"/> null means it spans every agency.</summary>
    public sealed record ListEntry(byte[] Body, string ContentType, Guid? AgencyId, Guid? UnitId, Guid? UnitAgencyId, DateOnly Today, long Reading);

    private readonly ConcurrentDictionary<(Guid UnitId, int Year, int? AssessmentYear), UnitEntry> _units = new();
    private readonly ConcurrentDictionary<string, ListEntry> _lists = new();

    private readonly ConcurrentDictionary<string, (object Value, Guid AgencyId, DateOnly Today, long Reading)> _agencyViews = new();

    public bool Enabled => options.Value.Enabled;

    /// <summary>A computed view of one agency (such as the absorption ranking), valid while nothing in the agency changed.</summary>
    public T? FindAgencyView<T>(string key, DateOnly today) where T : class =>
        Enabled && _agencyViews.TryGetValue(key, out var entry) && entry.Today == today && stamps.AgencyUnchangedSince(entry.AgencyId, entry.Reading)
            ? entry.Value as T
            : null;

    public void RememberAgencyView(string key, Guid agencyId, object value, DateOnly today, long reading)
    {
        if (Enabled)
        {
            Bound(_agencyViews);
            _agencyViews[key] = (value, agencyId, today, reading);
        }
    }

    public long Reading => stamps.Now;

    public UnitEntry? FindUnit(Guid unitId, int year, int? assessmentYear, DateOnly today) =>
        Enabled && _units.TryGetValue((unitId, year, assessmentYear), out var entry) && entry.Today == today
        && stamps.UnitUnchangedSince(entry.UnitId, entry.AgencyId, entry.Reading)
            ? entry
            : null;

    public void Remember(int year, int? assessmentYear, UnitEntry entry)
    {
        if (Enabled)
        {
            Bound(_units);
            _units[(entry.UnitId, year, assessmentYear)] = entry;
        }
    }

    public ListEntry? FindList(string key, DateOnly today)
    {
        if (!Enabled || !_lists.TryGetValue(key, out var entry) || entry.Today != today)
        {
            return null;
        }
        var fresh = entry.UnitId is { } unitId ? stamps.UnitUnchangedSince(unitId, entry.UnitAgencyId!.Value, entry.Reading)
            : entry.AgencyId is { } agencyId ? stamps.AgencyUnchangedSince(agencyId, entry.Reading)
            : stamps.NothingChangedSince(entry.Reading);
        return fresh ? entry : null;
    }

    public void Remember(string key, ListEntry entry)
    {
        if (Enabled)
        {
            Bound(_lists);
            _lists[key] = entry;
        }
    }

    // A crude bound: dropping everything at the limit is cheaper to reason about than an LRU, and refills on demand.
    private void Bound<TKey, TValue>(ConcurrentDictionary<TKey, TValue> entries) where TKey : notnull
    {
        if (entries.Count >= options.Value.MaxEntries)
        {
            entries.Clear();
        }
    }
}

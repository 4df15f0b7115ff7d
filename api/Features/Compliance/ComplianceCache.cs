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

    /// <summary>
    /// What a view depends on: one unit (with its agency), one agency, or — both null — everything. A view is fresh while
    /// nothing in that scope changed since its reading.
    /// </summary>
    public sealed record ViewScope(Guid? AgencyId, Guid? UnitId = null)
    {
        public static readonly ViewScope Everything = new((Guid?)null);
    }

    /// <summary>A response body exactly as sent, to be sent again.</summary>
    public sealed record SentBody(byte[] Body, string ContentType)
    {
        public static SentBody Of(Microsoft.AspNetCore.Http.HttpResults.FileContentHttpResult result) => new(result.FileContents.ToArray(), result.ContentType);

        public Microsoft.AspNetCore.Http.HttpResults.FileContentHttpResult ToResult() => TypedResults.Bytes(Body, ContentType);
    }

    private readonly ConcurrentDictionary<(Guid UnitId, int Year, int? AssessmentYear), UnitEntry> _units = new();
    private readonly ConcurrentDictionary<string, (object Value, ViewScope Scope, DateOnly Today, long Reading)> _views = new();

    public bool Enabled => options.Value.Enabled;

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

    /// <summary>A computed view (a page as sent, a summary, a ranking), while nothing in its scope changed and the date is the same.</summary>
    public T? FindView<T>(string key, DateOnly today) where T : class
    {
        if (!Enabled || !_views.TryGetValue(key, out var entry) || entry.Today != today)
        {
            return null;
        }
        var fresh = entry.Scope switch
        {
            { UnitId: { } unitId, AgencyId: { } agencyId } => stamps.UnitUnchangedSince(unitId, agencyId, entry.Reading),
            { AgencyId: { } agencyId } => stamps.AgencyUnchangedSince(agencyId, entry.Reading),
            _ => stamps.NothingChangedSince(entry.Reading),
        };
        return fresh ? entry.Value as T : null;
    }

    public void RememberView(string key, ViewScope scope, object value, DateOnly today, long reading)
    {
        if (Enabled)
        {
            Bound(_views);
            _views[key] = (value, scope, today, reading);
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

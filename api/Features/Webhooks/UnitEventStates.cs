using System.Data.Common;
using Dapper;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Compliance;
using ZonaIntegritas.Api.Features.PortalRb;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// compliance.changed and absorption.behind: after entries touching units, each unit's stage, flags and absorption
/// are computed as its compliance document shows them and compared with what was last announced. Dates that change
/// them without a write arrive as entries too (<see cref="AuditEntities.DatePassed"/>, from the stored documents).
/// </summary>
public static class UnitEventStates
{
    private sealed class Stored
    {
        public Guid UnitId { get; init; }
        public string Stage { get; init; } = "";
        public string Flags { get; init; } = "";
        public bool AbsorptionBehind { get; init; }
    }

    public sealed record Change(UnitStandings.Standing Now, bool Known);

    /// <summary>
    /// The units the entries touch (their own unit, or every unit of their agency for agency-wide writes), each with the
    /// index of the last entry that touched it, so that its events follow that entry's.
    /// </summary>
    public static async Task<Dictionary<Guid, int>> TouchedAsync(DbConnection connection, ISqlDialect dialect, IReadOnlyList<OutboxEntry> entries)
    {
        var touched = new Dictionary<Guid, int>();
        var fetched = new Dictionary<Guid, int>();
        var agencyUnits = new Dictionary<Guid, List<Guid>>();
        for (var index = 0; index < entries.Count; index++)
        {
            var entry = entries[index];
            if (entry.Action.StartsWith(PortalRbActions, StringComparison.Ordinal))
            {
                // PortalRB's reads change one thing a unit shows: a jawaban-unit fetch can clear portalrb_refetch_needed.
                // Listings and evidence views change nothing; computing every unit of the agency for each listing was the
                // projector's largest cost under PortalRB's polling.
                if (entry.Action == FetchedAction && entry.UnitId is { } fetchedUnit)
                {
                    fetched[fetchedUnit] = index;
                }
                continue;
            }
            // A date came for the unit's stored document and may have changed its standing with no write (ComplianceStore):
            // compared like a write's unit; the comparison with the last announced state keeps it to one event, however
            // many instances noticed the date.
            if (entry.Action == AuditEntities.DatePassed)
            {
                if (entry.UnitId is { } datedUnit)
                {
                    touched[datedUnit] = index;
                }
                continue;
            }
            // The same rule as the stored documents' marks: keys, authentication bursts, the subscriptions themselves
            // and an agency's name and code say nothing about a unit's standing.
            if (!AuditEntities.ChangesComplianceDocuments(entry.Action, entry.EntityType))
            {
                continue;
            }
            if (entry.UnitId is { } unit)
            {
                touched[unit] = index;
            }
            else if (entry.AgencyId is { } agency)
            {
                if (!agencyUnits.TryGetValue(agency, out var units))
                {
                    units = agencyUnits[agency] = (await connection.QueryAsync<Guid>("SELECT id FROM units WHERE agency_id = @AgencyId", new { AgencyId = agency })).AsList();
                }
                foreach (var id in units)
                {
                    touched[id] = index;
                }
            }
        }
        var onlyFetched = fetched.Keys.Where(unit => !touched.ContainsKey(unit)).ToList();
        foreach (var chunk in onlyFetched.Chunk(500))
        {
            // Only a unit last announced with the refetch flag can change by being fetched.
            const string flagged = "SELECT unit_id FROM unit_event_states WHERE unit_id IN @Ids AND flags LIKE @Flag";
            foreach (var unit in await connection.QueryAsync<Guid>(flagged, new { Ids = dialect.IdList(chunk), Flag = $"%{PortalRbStanding.RefetchFlag}%" }))
            {
                touched[unit] = fetched[unit];
            }
        }
        foreach (var (unit, index) in fetched)
        {
            if (touched.TryGetValue(unit, out var last) && index > last)
            {
                touched[unit] = index;
            }
        }
        return touched;
    }

    private const string PortalRbActions = "portalrb.";
    private const string FetchedAction = "portalrb.fetched";

    /// <summary>The events due for the units, and the states to remember.</summary>
    public static async Task<(List<NewEvent> Events, List<UnitStandings.Standing> Changed, HashSet<Guid> KnownUnits)> CompareAsync(
        DbConnection connection, ISqlDialect dialect, IReadOnlyList<UnitStandings.Standing> standings, DateTimeOffset now)
    {
        var events = new List<NewEvent>();
        var changed = new List<UnitStandings.Standing>();
        var known = new HashSet<Guid>();
        foreach (var chunk in standings.Chunk(500))
        {
            const string sql = "SELECT unit_id, stage, flags, absorption_behind FROM unit_event_states WHERE unit_id IN @Ids";
            var stored = (await connection.QueryAsync<Stored>(sql, new { Ids = dialect.IdList(chunk.Select(s => s.UnitId)) })).ToDictionary(s => s.UnitId);
            foreach (var standing in chunk)
            {
                var flags = string.Join(' ', standing.Flags);
                stored.TryGetValue(standing.UnitId, out var before);
                if (before is not null)
                {
                    known.Add(standing.UnitId);
                }
                if (before is null || before.Stage != standing.Stage || before.Flags != flags)
                {
                    events.Add(new NewEvent(EventTypes.ComplianceChanged, now, standing.AgencyId, standing.UnitId, new
                    {
                        stage = standing.Stage,
                        previousStage = before?.Stage,
                        flags = standing.Flags,
                        previousFlags = before is null ? null : before.Flags.Split(' ', StringSplitOptions.RemoveEmptyEntries),
                    }));
                }
                if (standing.AbsorptionBehind && before?.AbsorptionBehind != true)
                {
                    events.Add(new NewEvent(EventTypes.AbsorptionBehind, now, standing.AgencyId, standing.UnitId, new { percent = standing.AbsorptionPercent }));
                }
                if (before is null || before.Stage != standing.Stage || before.Flags != flags || before.AbsorptionBehind != standing.AbsorptionBehind)
                {
                    changed.Add(standing);
                }
            }
        }
        return (events, changed, known);
    }

    public static async Task SaveAsync(DbConnection connection, DbTransaction transaction, IEnumerable<UnitStandings.Standing> changed, HashSet<Guid> known)
    {
        const string update = "UPDATE unit_event_states SET stage = @Stage, flags = @Flags, absorption_behind = @AbsorptionBehind WHERE unit_id = @UnitId";
        const string insert = "INSERT INTO unit_event_states (unit_id, stage, flags, absorption_behind) VALUES (@UnitId, @Stage, @Flags, @AbsorptionBehind)";
        foreach (var standing in changed)
        {
            var row = new { standing.UnitId, standing.Stage, Flags = string.Join(' ', standing.Flags), standing.AbsorptionBehind };
            await connection.ExecuteAsync(known.Contains(standing.UnitId) ? update : insert, row, transaction);
        }
    }
}

using System.Data.Common;
using Dapper;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Compliance;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// compliance.changed and absorption.behind: after entries touching units, each unit's stage, flags and absorption
/// are computed as its compliance document shows them and compared with what was last announced.
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

    // Writes that say nothing about a unit's standing (keys, authentication bursts, the subscriptions themselves).
    private static readonly HashSet<string> Unrelated = [ChangeStamps.ApiKeyEntity, ChangeStamps.ClientEntity, WebhookEndpoints.EntityType];

    /// <summary>The units the entries touch: their own unit, or every unit of their agency for agency-wide writes.</summary>
    public static async Task<HashSet<Guid>> TouchedAsync(DbConnection connection, IEnumerable<OutboxEntry> entries)
    {
        var relevant = entries.Where(e => !Unrelated.Contains(e.EntityType)).ToList();
        var units = relevant.Where(e => e.UnitId is not null).Select(e => e.UnitId!.Value).ToHashSet();
        foreach (var agencyId in relevant.Where(e => e.UnitId is null && e.AgencyId is not null).Select(e => e.AgencyId!.Value).Distinct())
        {
            units.UnionWith(await connection.QueryAsync<Guid>("SELECT id FROM units WHERE agency_id = @AgencyId", new { AgencyId = agencyId }));
        }
        return units;
    }

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

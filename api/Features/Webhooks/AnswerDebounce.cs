using System.Data.Common;
using Dapper;

namespace ZonaIntegritas.Api.Features.Webhooks;

/// <summary>
/// answers.changed is a trailing debounce per assessment and layer: answer writes only note the pair here, and one event
/// goes out once no answer of that pair changed for <c>Webhooks:AnswersDebounceSeconds</c> (or, while answers keep
/// coming, once the first unannounced change is ten periods old, so a busy layer is still announced).
/// </summary>
public static class AnswerDebounce
{
    public sealed class Pending
    {
        public Guid AssessmentId { get; init; }
        public string Layer { get; init; } = "";
        public Guid? AgencyId { get; init; }
        public Guid? UnitId { get; init; }
        public DateTimeOffset FirstAt { get; init; }
        public DateTimeOffset LastAt { get; init; }
        public int Changes { get; init; }
    }

    public static async Task<List<Pending>> DueAsync(DbConnection connection, DateTimeOffset now, TimeSpan quiet)
    {
        const string sql = """
            SELECT assessment_id, layer, agency_id, unit_id, first_at, last_at, changes
            FROM pending_answer_changes
            WHERE last_at <= @QuietSince OR first_at <= @OldestAllowed
            """;
        return (await connection.QueryAsync<Pending>(sql, new { QuietSince = now - quiet, OldestAllowed = now - quiet * 10 })).AsList();
    }

    public static NewEvent Event(Pending due) =>
        new(EventTypes.AnswersChanged, due.LastAt, due.AgencyId, due.UnitId, new { assessmentId = due.AssessmentId, layer = due.Layer, changes = due.Changes });

    public static async Task AnnouncedAsync(DbConnection connection, DbTransaction transaction, IEnumerable<Pending> announced)
    {
        const string sql = "DELETE FROM pending_answer_changes WHERE assessment_id = @AssessmentId AND layer = @Layer";
        await connection.ExecuteAsync(sql, announced.Select(p => new { p.AssessmentId, p.Layer }), transaction);
    }

    /// <summary>Notes answer changes; one projector at a time writes here, so update-else-insert needs no upsert.</summary>
    public static async Task NoteAsync(DbConnection connection, DbTransaction transaction, IEnumerable<(OutboxEntry Entry, Guid AssessmentId, string Layer)> changes)
    {
        const string update = """
            UPDATE pending_answer_changes SET last_at = @At, changes = changes + 1
            WHERE assessment_id = @AssessmentId AND layer = @Layer
            """;
        const string insert = """
            INSERT INTO pending_answer_changes (assessment_id, layer, agency_id, unit_id, first_at, last_at, changes)
            VALUES (@AssessmentId, @Layer, @AgencyId, @UnitId, @At, @At, 1)
            """;
        foreach (var (entry, assessmentId, layer) in changes)
        {
            var row = new { AssessmentId = assessmentId, Layer = layer, entry.AgencyId, entry.UnitId, entry.At };
            if (await connection.ExecuteAsync(update, row, transaction) == 0)
            {
                await connection.ExecuteAsync(insert, row, transaction);
            }
        }
    }
}

using System.Data.Common;
using Dapper;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>
/// The assessment's history (GET /history): every status change, and the follow-up events of a conditional pass, which
/// keep the status (from and to are the same).
/// </summary>
public static class TransitionLog
{
    public static Task Append(DbConnection connection, DbTransaction transaction, Guid assessmentId, string action, string from, string to, string? note,
        DateTimeOffset at, Guid by)
    {
        const string sql = """
            INSERT INTO assessment_transitions (id, assessment_id, sequence, action, from_status, to_status, note, transitioned_at, by_key)
            SELECT @TransitionId, @Id, COALESCE(MAX(sequence), 0) + 1, @Action, @From, @To, @Note, @Now, @By
            FROM assessment_transitions WHERE assessment_id = @Id
            """;
        return connection.ExecuteAsync(sql, new { TransitionId = Guid.NewGuid(), Id = assessmentId, Action = action, From = from, To = to, Note = note, Now = at, By = by },
            transaction);
    }
}

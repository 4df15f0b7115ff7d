using System.Data.Common;
using Dapper;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Http.OpenApi;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>
/// One recorded stage of the national evaluation: the TPN's administrative selection, desk or field evaluation, or the
/// decision, with its date, notes and recommendations. <c>outcome</c>: lulus, lulus_dengan_catatan or tidak_lulus for a
/// selection, designated or not_designated for a decision; <c>mode</c> (field evaluation): in_person or online.
/// </summary>
public sealed record StageRecord
{
    public Guid Id { get; init; }
    [Vocabulary(typeof(StageRecords), nameof(StageRecords.Stages))]
    public string Stage { get; init; } = "";
    public string? Outcome { get; init; }
    public DateOnly HeldOn { get; init; }
    [Vocabulary(typeof(StageRecords), nameof(StageRecords.Modes))]
    public string? Mode { get; init; }
    public string? Notes { get; init; }
    public string? Recommendations { get; init; }
    public DateOnly? FollowUpsDueOn { get; init; }
    public DateOnly? AppealOpensOn { get; init; }
    public DateOnly? AppealClosesOn { get; init; }
    public DateTimeOffset RecordedAt { get; init; }
    public Guid RecordedBy { get; init; }
}

public static class StageRecords
{
    public const string Selection = "administrative_selection";
    public const string DeskEvaluation = "desk_evaluation";
    public const string FieldEvaluation = "field_evaluation";
    public const string Decision = "decision";
    public static readonly string[] Stages = [Selection, DeskEvaluation, FieldEvaluation, Decision];
    public static readonly string[] Modes = ["in_person", "online"];

    internal const string Columns = """
        id, assessment_id, stage, outcome, held_on, mode, notes, recommendations, follow_ups_due_on, appeal_opens_on, appeal_closes_on, recorded_at, recorded_by
        """;

    public static async Task<Guid> Insert(DbConnection connection, DbTransaction transaction, Caller caller, Guid assessmentId, string stage, string? outcome, DateOnly heldOn,
        string? mode = null, string? notes = null, string? recommendations = null, DateOnly? followUpsDueOn = null, DateOnly? appealOpensOn = null, DateOnly? appealClosesOn = null)
    {
        const string sql = $"""
            INSERT INTO assessment_stage_records ({Columns})
            VALUES (@Id, @AssessmentId, @Stage, @Outcome, @HeldOn, @Mode, @Notes, @Recommendations, @FollowUpsDueOn, @AppealOpensOn, @AppealClosesOn, @At, @By)
            """;
        var id = Guid.NewGuid();
        await connection.ExecuteAsync(sql, new
        {
            Id = id, AssessmentId = assessmentId, Stage = stage, Outcome = outcome, HeldOn = heldOn, Mode = mode, Notes = notes, Recommendations = recommendations,
            FollowUpsDueOn = followUpsDueOn, AppealOpensOn = appealOpensOn, AppealClosesOn = appealClosesOn, At = caller.At, By = caller.KeyId,
        }, transaction);
        return id;
    }

    /// <summary>The latest record of each stage of one assessment (a selection is recorded again after an accepted appeal).</summary>
    public static async Task<Dictionary<string, StageRecord>> Latest(DbConnection connection, ISqlDialect dialect, Guid assessmentId, DbTransaction? transaction = null) =>
        (await ForAssessments(connection, dialect, [assessmentId], transaction)).GetValueOrDefault(assessmentId) ?? [];

    /// <summary>The latest record of each stage, for many assessments in one query.</summary>
    public static async Task<Dictionary<Guid, Dictionary<string, StageRecord>>> ForAssessments(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Guid> assessmentIds,
        DbTransaction? transaction = null)
    {
        if (assessmentIds.Count == 0)
        {
            return [];
        }
        const string sql = $"SELECT {Columns} FROM assessment_stage_records WHERE assessment_id IN @Ids ORDER BY recorded_at, id";
        var rows = await connection.QueryAsync<Row>(sql, new { Ids = dialect.IdList(assessmentIds) }, transaction);
        var result = new Dictionary<Guid, Dictionary<string, StageRecord>>();
        foreach (var row in rows)
        {
            var stages = result.TryGetValue(row.AssessmentId, out var found) ? found : result[row.AssessmentId] = [];
            stages[row.Stage] = row.Record;
        }
        return result;
    }

    private sealed class Row
    {
        public Guid Id { get; init; }
        public Guid AssessmentId { get; init; }
        public string Stage { get; init; } = "";
        public string? Outcome { get; init; }
        public DateOnly HeldOn { get; init; }
        public string? Mode { get; init; }
        public string? Notes { get; init; }
        public string? Recommendations { get; init; }
        public DateOnly? FollowUpsDueOn { get; init; }
        public DateOnly? AppealOpensOn { get; init; }
        public DateOnly? AppealClosesOn { get; init; }
        public DateTimeOffset RecordedAt { get; init; }
        public Guid RecordedBy { get; init; }

        public StageRecord Record => new()
        {
            Id = Id, Stage = Stage, Outcome = Outcome, HeldOn = HeldOn, Mode = Mode, Notes = Notes, Recommendations = Recommendations, FollowUpsDueOn = FollowUpsDueOn,
            AppealOpensOn = AppealOpensOn, AppealClosesOn = AppealClosesOn, RecordedAt = RecordedAt, RecordedBy = RecordedBy,
        };
    }
}

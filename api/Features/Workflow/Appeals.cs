using System.Data.Common;
using System.Text.Json;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Http;
using ZonaIntegritas.Api.Http.OpenApi;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>The unit's appeal (sanggah) against a tidak_lulus selection. <c>status</c>: filed, accepted or rejected.</summary>
public sealed record Appeal
{
    public Guid Id { get; init; }
    public Guid AssessmentId { get; init; }
    public string Reasons { get; init; } = "";
    public IReadOnlyList<Guid> EvidenceIds { get; init; } = [];
    [Vocabulary(typeof(Appeals), nameof(Appeals.Statuses))]
    public string Status { get; init; } = "";
    public DateTimeOffset FiledAt { get; init; }
    public Guid FiledBy { get; init; }
    public string? DecisionNote { get; init; }
    public DateTimeOffset? DecidedAt { get; init; }
    public Guid? DecidedBy { get; init; }
}

/// <summary><c>evidenceIds</c>: evidence of this assessment supporting the appeal (uploads stay open while selection_failed).</summary>
public sealed record AppealRequest(string? Reasons, IReadOnlyList<Guid>? EvidenceIds) : IHasExample<AppealRequest>
{
    public static AppealRequest Example => new("SK Tim ZI telah diunggah pada butir MP.P.1.a sebelum batas waktu", []);
}

public sealed class AppealRequestValidator : AbstractValidator<AppealRequest>
{
    public AppealRequestValidator()
    {
        RuleFor(r => NormalizedText.Of(r.Reasons)).NotEmpty().MaximumLength(2000).OverridePropertyName("Reasons");
        RuleFor(r => r.EvidenceIds).Must(ids => ids is null || ids.Count <= 50).WithMessage("evidenceIds may list at most 50 pieces of evidence.");
    }
}

/// <summary><c>outcome</c>: accepted (the unit goes back to the administrative selection) or rejected (final).</summary>
public sealed record AppealDecisionRequest(string? Outcome, string? Note) : IHasExample<AppealDecisionRequest>
{
    public static AppealDecisionRequest Example => new(Appeals.Accepted, "Dokumen terbukti diunggah tepat waktu");
}

public sealed class AppealDecisionRequestValidator : AbstractValidator<AppealDecisionRequest>
{
    public AppealDecisionRequestValidator()
    {
        RuleFor(r => r.Outcome).NotEmpty().OneOf([Appeals.Accepted, Appeals.Rejected]).WithMessage("outcome must be accepted or rejected.");
        RuleFor(r => r.Note).MaximumLength(2000);
    }
}

public static class Appeals
{
    public const string Filed = "filed";
    public const string Accepted = "accepted";
    public const string Rejected = "rejected";
    public static readonly string[] Statuses = [Filed, Accepted, Rejected];

    public static RouteGroupBuilder MapAppeals(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/assessments/{id:guid}/appeal").WithTags("National evaluation").WithValidation();
        group.MapPost("/", FileAppeal).RequireAuthorization(Policies.StartAssessments)
            .WithName(nameof(FileAppeal))
            .WithSummary("The unit or its inspectorate appeals (sanggah) a tidak_lulus selection, with reasons and evidence")
            .WithDescription("""
                From selection_failed (action appeal) → appealed. Refused with 422 outside the window the TPN set with the selection
                (rule appeal_outside_window, naming it) and when the unit already appealed that year (rule one_appeal_per_unit_and_year).
                Every evidenceId must be evidence of this assessment (400 naming evidenceIds[i]).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/decision", DecideAppeal).RequireAuthorization(Policies.Decide)
            .WithName(nameof(DecideAppeal))
            .WithSummary("The TPN accepts the appeal (back to the administrative selection) or rejects it (final); GET /national-evaluation shows it")
            .WithDescription("Evaluator or admin; from appealed. accepted (action accept_appeal) → proposed, for a new selection; rejected (action reject_appeal) → appeal_rejected.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> FileAppeal(
        Guid id, AppealRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        var reasons = NormalizedText.Of(request.Reasons)!;
        var evidenceIds = (request.EvidenceIds ?? []).Distinct().ToList();
        return await WorkflowEndpoints.Move(id, "appeal", AssessmentStatus.Appealed, reasons, caller, db, time, cancellationToken, async (connection, transaction, assessment) =>
        {
            var today = IndonesiaClock.Today(time);
            var selection = (await StageRecords.Latest(connection, db.Dialect, assessment.Id, transaction)).GetValueOrDefault(StageRecords.Selection);
            if (selection is not { AppealOpensOn: { } opens, AppealClosesOn: { } closes } || today < opens || today > closes)
            {
                return NationalRules.Refuse(NationalRules.AppealOutsideWindow,
                    $"Appeals against this selection are accepted from {selection?.AppealOpensOn:yyyy-MM-dd} to {selection?.AppealClosesOn:yyyy-MM-dd}; today is {today:yyyy-MM-dd}.",
                    new() { ["appealOpensOn"] = selection?.AppealOpensOn, ["appealClosesOn"] = selection?.AppealClosesOn });
            }
            const string earlier = "SELECT COUNT(*) FROM assessment_appeals WHERE unit_id = @UnitId AND year = @Year";
            if (await connection.ExecuteScalarAsync<int>(earlier, new { assessment.UnitId, assessment.Year }, transaction) > 0)
            {
                return NationalRules.Refuse(NationalRules.OneAppealPerUnitAndYear, $"The unit already appealed in {assessment.Year}; a unit may appeal once per year.", []);
            }
            const string owned = "SELECT id FROM evidence WHERE assessment_id = @AssessmentId AND withdrawn_at IS NULL AND id IN @Ids";
            var found = evidenceIds.Count == 0 ? []
                : (await connection.QueryAsync<Guid>(owned, new { AssessmentId = assessment.Id, Ids = db.Dialect.IdList(evidenceIds) }, transaction)).ToHashSet();
            if (evidenceIds.FindIndex(e => !found.Contains(e)) is var missing and >= 0)
            {
                return Problems.Invalid($"evidenceIds[{missing}]", $"Evidence '{evidenceIds[missing]}' is not evidence of this assessment (or was withdrawn).");
            }
            var appealId = Guid.NewGuid();
            const string insert = """
                INSERT INTO assessment_appeals (id, assessment_id, unit_id, year, reasons, evidence_ids, status, filed_at, filed_by, decision_note, decided_at, decided_by)
                VALUES (@Id, @AssessmentId, @UnitId, @Year, @Reasons, @EvidenceIds, 'filed', @At, @By, NULL, NULL, NULL)
                """;
            try
            {
                await connection.ExecuteAsync(insert, new
                {
                    Id = appealId, AssessmentId = assessment.Id, assessment.UnitId, assessment.Year, Reasons = reasons, EvidenceIds = JsonSerializer.Serialize(evidenceIds),
                    At = caller.At, By = caller.KeyId,
                }, transaction);
            }
            catch (DbException e) when (db.Dialect.IsUniqueViolation(e))
            {
                // A concurrent appeal of the same unit won the unique index.
                return NationalRules.Refuse(NationalRules.OneAppealPerUnitAndYear, $"The unit already appealed in {assessment.Year}; a unit may appeal once per year.", []);
            }
            await connection.AuditAsync(transaction, caller, new AuditChange("appeal.filed", "appeal", appealId.ToString(), assessment.AgencyId, assessment.UnitId,
                new { AssessmentId = assessment.Id, Reasons = reasons, EvidenceIds = evidenceIds }));
            return null;
        });
    }

    public static async Task<Results<Ok<Assessment>, ValidationProblem, ProblemHttpResult>> DecideAppeal(
        Guid id, AppealDecisionRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        var accepted = request.Outcome == Accepted;
        return await WorkflowEndpoints.Move(id, accepted ? "accept_appeal" : "reject_appeal", accepted ? AssessmentStatus.Proposed : AssessmentStatus.AppealRejected,
            request.Note, caller, db, time, cancellationToken, async (connection, transaction, assessment) =>
            {
                const string sql = """
                    UPDATE assessment_appeals SET status = @Status, decision_note = @Note, decided_at = @At, decided_by = @By
                    WHERE assessment_id = @AssessmentId AND status = 'filed'
                    """;
                await connection.ExecuteAsync(sql, new { Status = request.Outcome, request.Note, At = caller.At, By = caller.KeyId, AssessmentId = assessment.Id }, transaction);
                var appeal = (await Find(connection, assessment.Id, transaction))!;
                await connection.AuditAsync(transaction, caller, new AuditChange($"appeal.{request.Outcome}", "appeal", appeal.Id.ToString(), assessment.AgencyId, assessment.UnitId,
                    new { AssessmentId = assessment.Id, Status = new FieldChange(Filed, request.Outcome), request.Note }));
                return null;
            });
    }

    public static async Task<Appeal?> Find(DbConnection connection, Guid assessmentId, DbTransaction? transaction = null) =>
        (await connection.QueryAsync<Row>($"{Select} WHERE assessment_id = @Id", new { Id = assessmentId }, transaction)).Select(r => r.Appeal).SingleOrDefault();

    /// <summary>The appeals of many assessments, by assessment.</summary>
    public static async Task<Dictionary<Guid, Appeal>> ForAssessments(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Guid> assessmentIds) =>
        assessmentIds.Count == 0 ? []
            : (await connection.QueryAsync<Row>($"{Select} WHERE assessment_id IN @Ids", new { Ids = dialect.IdList(assessmentIds) })).ToDictionary(r => r.AssessmentId, r => r.Appeal);

    private const string Select = """
        SELECT id, assessment_id, reasons, evidence_ids, status, filed_at, filed_by, decision_note, decided_at, decided_by FROM assessment_appeals
        """;

    private sealed class Row
    {
        public Guid Id { get; init; }
        public Guid AssessmentId { get; init; }
        public string Reasons { get; init; } = "";
        public string EvidenceIds { get; init; } = "[]";
        public string Status { get; init; } = "";
        public DateTimeOffset FiledAt { get; init; }
        public Guid FiledBy { get; init; }
        public string? DecisionNote { get; init; }
        public DateTimeOffset? DecidedAt { get; init; }
        public Guid? DecidedBy { get; init; }

        public Appeal Appeal => new()
        {
            Id = Id, AssessmentId = AssessmentId, Reasons = Reasons, EvidenceIds = JsonSerializer.Deserialize<List<Guid>>(EvidenceIds) ?? [], Status = Status,
            FiledAt = FiledAt, FiledBy = FiledBy, DecisionNote = DecisionNote, DecidedAt = DecidedAt, DecidedBy = DecidedBy,
        };
    }
}

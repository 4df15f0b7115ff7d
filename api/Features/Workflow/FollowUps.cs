using System.Data.Common;
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

/// <summary>
/// One item of a conditional pass's checklist. <c>status</c>: open, fulfilled (by <c>evidenceId</c>, or for the LKE workbook
/// by the <c>tpiLayerStamp</c> of the TPI layer that was sent) or waived by the TPN (<c>waiverReason</c>). <c>overdue</c>: open
/// after <c>dueOn</c>.
/// </summary>
public sealed record FollowUp
{
    public Guid Id { get; init; }
    public int Sequence { get; init; }
    [Vocabulary(typeof(FollowUps), nameof(FollowUps.Kinds))]
    public string Kind { get; init; } = "";
    public string Description { get; init; } = "";
    public DateOnly DueOn { get; init; }
    [Vocabulary(typeof(FollowUps), nameof(FollowUps.Statuses))]
    public string Status { get; init; } = "";
    public bool Overdue { get; init; }
    public Guid? EvidenceId { get; init; }
    public string? TpiLayerStamp { get; init; }
    public string? WaiverReason { get; init; }
    public DateTimeOffset? ResolvedAt { get; init; }
    public Guid? ResolvedBy { get; init; }
}

/// <summary>
/// <c>evidenceId</c>: evidence of this assessment (any item) that satisfies the follow-up. For an lke_workbook item,
/// <c>tpiLayerStamp</c> instead: the stamp of the TPI layer the exported workbook was built from (it must still be the
/// layer's current stamp; GET /follow-ups shows it as <c>currentTpiLayerStamp</c>).
/// </summary>
public sealed record FulfilmentRequest(Guid? EvidenceId, string? TpiLayerStamp) : IHasExample<FulfilmentRequest>
{
    public static FulfilmentRequest Example => new(Guid.Parse("5b7c2a10-8d4e-4f61-9a3b-2c1d0e9f8a7b"), null);
}

public sealed class FulfilmentRequestValidator : AbstractValidator<FulfilmentRequest>
{
    public FulfilmentRequestValidator()
    {
        RuleFor(r => r.EvidenceId).NotNull().When(r => r.TpiLayerStamp is null).WithMessage("evidenceId (or, for the LKE workbook, tpiLayerStamp) is required.");
        RuleFor(r => r.TpiLayerStamp).Null().When(r => r.EvidenceId is not null).WithMessage("send evidenceId or tpiLayerStamp, not both.");
        RuleFor(r => r.TpiLayerStamp).MaximumLength(100);
    }
}

public sealed record WaiverRequest(string? Reason) : IHasExample<WaiverRequest>
{
    public static WaiverRequest Example => new("SPTJM sudah diterima TPN melalui surat resmi");
}

public sealed class WaiverRequestValidator : AbstractValidator<WaiverRequest>
{
    public WaiverRequestValidator() => RuleFor(r => NormalizedText.Of(r.Reason)).NotEmpty().MaximumLength(2000).OverridePropertyName("Reason");
}

/// <summary>The checklist with the TPI layer's current stamp (what an lke_workbook item is fulfilled with).</summary>
public sealed record FollowUpList(IReadOnlyList<FollowUp> Items, string CurrentTpiLayerStamp);

public static class FollowUps
{
    public const string Sptjm = "sptjm";
    public const string LkeWorkbook = "lke_workbook";
    public const string Document = "document";
    public static readonly string[] Kinds = [Sptjm, LkeWorkbook, Document];
    public static readonly string[] Statuses = ["open", "fulfilled", "waived"];

    /// <summary>What the TPN usually asks of a conditional pass (KemenPANRB announcements 2022-2024).</summary>
    internal static readonly List<(string Kind, string Description)> DefaultChecklist =
    [
        (Sptjm, "Surat Pernyataan Tanggung Jawab Mutlak (SPTJM) bertanda tangan pimpinan unit"),
        (LkeWorkbook, "LKE yang telah direviu TPI"),
    ];

    public static RouteGroupBuilder MapFollowUps(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/assessments/{id:guid}/follow-ups").WithTags("National evaluation").WithValidation();
        group.MapGet("/", ListFollowUps)
            .WithName(nameof(ListFollowUps))
            .WithSummary("The follow-ups of a conditional pass (lulus_dengan_catatan) and whether each is met")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/{followUpId:guid}/fulfilment", FulfilFollowUp).RequireAuthorization(Policies.StartAssessments)
            .WithName(nameof(FulfilFollowUp))
            .WithSummary("The unit or its inspectorate meets a follow-up with evidence, or with the TPI layer stamp of the exported LKE workbook")
            .WithDescription("""
                While passed_with_notes, on or before the item's dueOn (after it: 422, rule follow_ups_overdue; the TPN may still waive it).
                The evidence must belong to the assessment and not be withdrawn (400 naming evidenceId); a stale tpiLayerStamp is 422
                (rule workbook_stale). Recorded in /history (action fulfil_follow_up) and the audit trail.
                """)
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/{followUpId:guid}/waiver", WaiveFollowUp).RequireAuthorization(Policies.Decide)
            .WithName(nameof(WaiveFollowUp))
            .WithSummary("The TPN waives a follow-up, with the reason")
            .WithDescription("Evaluator or admin, while passed_with_notes, also after the due date. Recorded in /history (action waive_follow_up) and the audit trail.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return api;
    }

    public static async Task<Results<Ok<FollowUpList>, ProblemHttpResult>> ListFollowUps(
        Guid id, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AssessmentQueries.FindVisible(connection, caller, id) is null)
        {
            return Problems.NotFound("Assessment", id);
        }
        var items = (await ForAssessments(connection, db.Dialect, [id], IndonesiaClock.Today(time)))[id];
        return TypedResults.Ok(new FollowUpList(items, await TpiLayerStamps.Of(connection, id)));
    }

    public static async Task<Results<Ok<FollowUp>, ValidationProblem, ProblemHttpResult>> FulfilFollowUp(
        Guid id, Guid followUpId, FulfilmentRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken) =>
        await Resolve(id, followUpId, "fulfil_follow_up", caller, db, time, cancellationToken, async (connection, transaction, assessment, item) =>
        {
            var today = IndonesiaClock.Today(time);
            if (today > item.DueOn)
            {
                return NationalRules.Refuse(NationalRules.FollowUpsOverdue,
                    $"Follow-up {item.Sequence} was due on {item.DueOn:yyyy-MM-dd}; today is {today:yyyy-MM-dd}. Only the TPN can waive it now.", new() { ["dueOn"] = item.DueOn });
            }
            if (request.TpiLayerStamp is { } stamp)
            {
                if (item.Kind != LkeWorkbook)
                {
                    return Problems.Invalid("tpiLayerStamp", $"tpiLayerStamp fulfils only an lke_workbook item; item {item.Sequence} is {item.Kind}: send evidenceId.");
                }
                var current = await TpiLayerStamps.Of(connection, assessment.Id, transaction);
                if (stamp != current)
                {
                    return NationalRules.Refuse(NationalRules.WorkbookStale,
                        $"The workbook was exported from TPI layer state '{stamp}'; the TPI layer is now '{current}'. Export it again.", new() { ["currentTpiLayerStamp"] = current });
                }
            }
            else if (!await EvidenceOfAssessment(connection, transaction, assessment.Id, request.EvidenceId!.Value))
            {
                return Problems.Invalid("evidenceId", $"Evidence '{request.EvidenceId}' is not evidence of this assessment (or was withdrawn).");
            }
            return new Resolved("fulfilled", request.EvidenceId, request.TpiLayerStamp, null,
                request.TpiLayerStamp is null ? $"Follow-up {item.Sequence} met by evidence {request.EvidenceId}" : $"Follow-up {item.Sequence} met by the LKE workbook ({request.TpiLayerStamp})");
        });

    public static async Task<Results<Ok<FollowUp>, ValidationProblem, ProblemHttpResult>> WaiveFollowUp(
        Guid id, Guid followUpId, WaiverRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        var reason = NormalizedText.Of(request.Reason)!;
        return await Resolve(id, followUpId, "waive_follow_up", caller, db, time, cancellationToken, (_, _, _, item) =>
            Task.FromResult<object>(new Resolved("waived", null, null, reason, $"Follow-up {item.Sequence} waived: {(reason.Length > 1900 ? reason[..1900] + "…" : reason)}")));
    }

    /// <summary>What closes an item: its new status, what met it or why it was waived, and the history note.</summary>
    private sealed record Resolved(string Status, Guid? EvidenceId, string? TpiLayerStamp, string? WaiverReason, string Note);

    /// <summary>A problem (ValidationProblem or ProblemHttpResult) or a <see cref="Resolved"/>.</summary>
    private delegate Task<object> Resolution(DbConnection connection, DbTransaction transaction, Assessment assessment, FollowUp item);

    /// <summary>
    /// Closes one open item of a passed_with_notes assessment: the check returns a problem, or the values to store and the
    /// history note. The item, its history entry and its audit entry are written together.
    /// </summary>
    private static async Task<Results<Ok<FollowUp>, ValidationProblem, ProblemHttpResult>> Resolve(Guid id, Guid followUpId, string action, Caller caller,
        DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken, Resolution check)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var assessment = await AssessmentQueries.FindVisible(connection, caller, id, transaction);
        if (assessment is null || (caller.Role is Roles.Unit or Roles.Inspectorate && !caller.CanWriteForUnit(assessment.UnitId, assessment.AgencyId)))
        {
            return Problems.NotFound("Assessment", id);
        }
        if (assessment.Status != AssessmentStatus.PassedWithNotes)
        {
            return Problems.Conflict($"Follow-ups can be met or waived only while the assessment is '{AssessmentStatus.PassedWithNotes}'; it is '{assessment.Status}'.",
                new Dictionary<string, object?> { ["currentStatus"] = assessment.Status });
        }
        var today = IndonesiaClock.Today(time);
        if ((await ForAssessments(connection, db.Dialect, [id], today, transaction))[id].FirstOrDefault(f => f.Id == followUpId) is not { } item)
        {
            return Problems.NotFound("Follow-up", followUpId);
        }
        if (item.Status != "open")
        {
            return Problems.Conflict($"Follow-up {item.Sequence} is already {item.Status}.", new Dictionary<string, object?> { ["followUpStatus"] = item.Status });
        }
        switch (await check(connection, transaction, assessment, item))
        {
            case ValidationProblem invalid:
                return invalid;
            case ProblemHttpResult refusal:
                return refusal;
            case Resolved resolved:
                await Store(connection, transaction, caller, assessment, item, action, resolved);
                break;
        }
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok((await ForAssessments(connection, db.Dialect, [id], today))[id].First(f => f.Id == followUpId));
    }

    private static async Task Store(DbConnection connection, DbTransaction transaction, Caller caller, Assessment assessment, FollowUp item, string action, Resolved resolved)
    {
        const string sql = """
            UPDATE assessment_follow_ups
            SET status = @Status, evidence_id = @EvidenceId, tpi_layer_stamp = @TpiLayerStamp, waiver_reason = @WaiverReason, resolved_at = @At, resolved_by = @By
            WHERE id = @Id AND status = 'open'
            """;
        await connection.ExecuteAsync(sql, new
        {
            item.Id, resolved.Status, resolved.EvidenceId, resolved.TpiLayerStamp, resolved.WaiverReason, At = caller.At, By = caller.KeyId,
        }, transaction);
        await TransitionLog.Append(connection, transaction, assessment.Id, action, assessment.Status, assessment.Status, resolved.Note, caller.At, caller.KeyId);
        await connection.AuditAsync(transaction, caller, new AuditChange($"follow_up.{resolved.Status}", "follow_up", item.Id.ToString(), assessment.AgencyId, assessment.UnitId,
            new
            {
                AssessmentId = assessment.Id, item.Sequence, item.Kind, Status = new FieldChange("open", resolved.Status),
                resolved.EvidenceId, resolved.TpiLayerStamp, resolved.WaiverReason,
            }));
    }

    // Workflow cannot use the Evidence feature (which uses Workflow's statuses), so the one lookup it needs is its own.
    private static async Task<bool> EvidenceOfAssessment(DbConnection connection, DbTransaction transaction, Guid assessmentId, Guid evidenceId)
    {
        const string sql = "SELECT COUNT(*) FROM evidence WHERE id = @Id AND assessment_id = @AssessmentId AND withdrawn_at IS NULL";
        return await connection.ExecuteScalarAsync<int>(sql, new { Id = evidenceId, AssessmentId = assessmentId }, transaction) > 0;
    }

    internal static async Task Create(DbConnection connection, DbTransaction transaction, Caller caller, Assessment assessment, Guid selectionId,
        IReadOnlyList<(string Kind, string Description)> items, DateOnly dueOn)
    {
        const string max = "SELECT COALESCE(MAX(sequence), 0) FROM assessment_follow_ups WHERE assessment_id = @Id";
        var sequence = await connection.ExecuteScalarAsync<int>(max, new { assessment.Id }, transaction);
        const string sql = """
            INSERT INTO assessment_follow_ups (id, assessment_id, selection_id, sequence, kind, description, due_on, status,
                                               evidence_id, tpi_layer_stamp, waiver_reason, resolved_at, resolved_by)
            VALUES (@Id, @AssessmentId, @SelectionId, @Sequence, @Kind, @Description, @DueOn, 'open', NULL, NULL, NULL, NULL, NULL)
            """;
        foreach (var (kind, description) in items)
        {
            var followUpId = Guid.NewGuid();
            await connection.ExecuteAsync(sql, new { Id = followUpId, AssessmentId = assessment.Id, SelectionId = selectionId, Sequence = ++sequence, Kind = kind, Description = description, DueOn = dueOn },
                transaction);
            await connection.AuditAsync(transaction, caller, new AuditChange("follow_up.created", "follow_up", followUpId.ToString(), assessment.AgencyId, assessment.UnitId,
                new { AssessmentId = assessment.Id, Sequence = sequence, Kind = kind, Description = description, DueOn = dueOn }));
        }
    }

    /// <summary>The follow-ups of many assessments (of their current selection and earlier ones), in order, with overdue judged on <paramref name="today"/>.</summary>
    public static async Task<Dictionary<Guid, List<FollowUp>>> ForAssessments(DbConnection connection, ISqlDialect dialect, IReadOnlyCollection<Guid> assessmentIds, DateOnly today,
        DbTransaction? transaction = null)
    {
        var result = assessmentIds.Distinct().ToDictionary(a => a, _ => new List<FollowUp>());
        if (assessmentIds.Count == 0)
        {
            return result;
        }
        const string sql = """
            SELECT id, assessment_id, sequence, kind, description, due_on, status, evidence_id, tpi_layer_stamp, waiver_reason, resolved_at, resolved_by
            FROM assessment_follow_ups WHERE assessment_id IN @Ids ORDER BY assessment_id, sequence
            """;
        foreach (var row in await connection.QueryAsync<Row>(sql, new { Ids = dialect.IdList(assessmentIds) }, transaction))
        {
            result[row.AssessmentId].Add(new FollowUp
            {
                Id = row.Id, Sequence = row.Sequence, Kind = row.Kind, Description = row.Description, DueOn = row.DueOn, Status = row.Status,
                Overdue = row.Status == "open" && today > row.DueOn, EvidenceId = row.EvidenceId, TpiLayerStamp = row.TpiLayerStamp, WaiverReason = row.WaiverReason,
                ResolvedAt = row.ResolvedAt, ResolvedBy = row.ResolvedBy,
            });
        }
        return result;
    }

    private sealed class Row
    {
        public Guid Id { get; init; }
        public Guid AssessmentId { get; init; }
        public int Sequence { get; init; }
        public string Kind { get; init; } = "";
        public string Description { get; init; } = "";
        public DateOnly DueOn { get; init; }
        public string Status { get; init; } = "";
        public Guid? EvidenceId { get; init; }
        public string? TpiLayerStamp { get; init; }
        public string? WaiverReason { get; init; }
        public DateTimeOffset? ResolvedAt { get; init; }
        public Guid? ResolvedBy { get; init; }
    }
}

using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Assessments;
using static ZonaIntegritas.Api.Features.Evidence.EvidenceQueries;

namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>An evaluator's or inspectorate's decision on evidence, and the uploader's withdrawal.</summary>
public static class EvidenceReview
{
    public static async Task<Results<Ok<EvidenceItem>, ValidationProblem, ProblemHttpResult>> ReviewEvidence(
        Guid evidenceId, ReviewRequest request, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var today = IndonesiaClock.Today(time);
        var row = await FindVisible(connection, caller, evidenceId, today, transaction);
        if (row is null || row.WithdrawnAt is not null || (caller.Role == Roles.Inspectorate && caller.AgencyId != row.AgencyId))
        {
            return Problems.NotFound("Evidence", evidenceId);
        }
        const string sql = """
            UPDATE evidence SET status = @Decision, review_comment = @Comment, reviewed_at = @Now, reviewed_by = @By, valid_until = @ValidUntil
            WHERE id = @Id AND withdrawn_at IS NULL
            """;
        await connection.ExecuteAsync(sql, new { Id = evidenceId, request.Decision, request.Comment, Now = time.GetUtcNow(), By = caller.KeyId, request.ValidUntil }, transaction);
        var updated = (await FindVisible(connection, caller, evidenceId, today, transaction))!;
        await connection.AuditAsync(transaction, caller, new AuditChange("evidence.reviewed", "evidence", evidenceId.ToString(), row.AgencyId, row.UnitId,
            AuditTrail.Diff(("status", row.Status, updated.Status), ("reviewComment", row.ReviewComment, updated.ReviewComment), ("validUntil", row.ValidUntil, updated.ValidUntil))));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.Ok(updated.ToItem(today));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> WithdrawEvidence(
        Guid evidenceId, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        var row = await FindVisible(connection, caller, evidenceId, IndonesiaClock.Today(time), transaction);
        if (row is null || row.WithdrawnAt is not null || !caller.CanWriteForUnit(row.UnitId, row.AgencyId))
        {
            return Problems.NotFound("Evidence", evidenceId);
        }
        if (Locked(caller, row.AssessmentStatus) is { } locked)
        {
            return locked;
        }
        if (row.Status == EvidenceStatus.Accepted)
        {
            return Problems.Conflict($"Evidence '{evidenceId}' has been accepted and can no longer be withdrawn.");
        }
        const string sql = "UPDATE evidence SET withdrawn_at = @Now, withdrawn_by = @By WHERE id = @Id AND withdrawn_at IS NULL";
        var now = time.GetUtcNow();
        await connection.ExecuteAsync(sql, new { Id = evidenceId, Now = now, By = caller.KeyId }, transaction);
        await connection.AuditAsync(transaction, caller, new AuditChange("evidence.withdrawn", "evidence", evidenceId.ToString(), row.AgencyId, row.UnitId,
            AuditTrail.Diff(("withdrawnAt", null, now))));
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}

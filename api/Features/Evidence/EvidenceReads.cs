using Microsoft.AspNetCore.Mvc;
using FluentValidation;
using Microsoft.Net.Http.Headers;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Frameworks;
using static ZonaIntegritas.Api.Features.Evidence.EvidenceQueries;

namespace ZonaIntegritas.Api.Features.Evidence;

public sealed record EvidenceListQuery([FromQuery(Name = "itemCode")] string? ItemCode, [FromQuery(Name = "status")] string? Status, [FromQuery(Name = "page")] int? Page, [FromQuery(Name = "pageSize")] int? PageSize) : IPagedQuery;

public sealed class EvidenceListQueryValidator : PagedQueryValidator<EvidenceListQuery>
{
    public EvidenceListQueryValidator()
    {
        RuleFor(q => q.Status).Must(s => s is null || EvidenceStatus.All.Contains(s)).WithMessage($"status must be one of: {string.Join(", ", EvidenceStatus.All)}.");
    }
}

/// <summary>Lists, single reads, downloads and the per-item summary.</summary>
public static class EvidenceReads
{
    public static async Task<Results<Ok<Page<EvidenceItem>>, ValidationProblem, ProblemHttpResult>> ListEvidence(
        Guid id, Caller caller, DbConnectionFactory db, TimeProvider time, [AsParameters] EvidenceListQuery query, CancellationToken cancellationToken)
    {
        var paging = ((IPagedQuery)query).Paging;
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AssessmentQueries.FindVisible(connection, caller, id) is null)
        {
            return Problems.NotFound("Assessment", id);
        }
        var today = IndonesiaClock.Today(time);
        var filter = new { AssessmentId = id, ItemCode = query.ItemCode, Status = query.Status, Today = today };
        var (count, select) = ListSql(query.ItemCode is not null, query.Status);
        var rows = await connection.QueryPageAsync<EvidenceRow>(db.Dialect, count, select, filter, paging);
        return TypedResults.Ok(new Page<EvidenceItem>(rows.Items.Select(r => r.ToItem(today)).ToList(), rows.PageNumber, rows.PageSize, rows.Total));
    }

    /// <summary>The list's statement for the filters given; a status filter reads expiry exactly as <see cref="EvidenceStatus"/> does.</summary>
    internal static (string Count, string Select) ListSql(bool itemCode, string? status)
    {
        var where = new SqlWhere()
            .Always("e.assessment_id = @AssessmentId AND e.withdrawn_at IS NULL")
            .When(itemCode, "e.item_code = @ItemCode")
            .When(status == EvidenceStatus.Expired, $"({EvidenceStatus.ExpiredSql})")
            .When(status == EvidenceStatus.Accepted, $"({EvidenceStatus.AcceptedSql})")
            .When(status is not null and not (EvidenceStatus.Expired or EvidenceStatus.Accepted), "e.status = @Status");
        return ("SELECT COUNT(*) FROM evidence e" + where, SelectEvidence + where + " ORDER BY e.item_code, e.created_at, e.id");
    }

    public static async Task<Results<Ok<EvidenceItem>, ProblemHttpResult>> GetEvidence(
        Guid evidenceId, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var today = IndonesiaClock.Today(time);
        var row = await FindVisible(connection, caller, evidenceId, today);
        return row is null ? Problems.NotFound("Evidence", evidenceId) : TypedResults.Ok(row.ToItem(today));
    }

    public static async Task<Results<FileStreamHttpResult, ValidationProblem, ProblemHttpResult>> GetEvidenceContent(
        Guid evidenceId, Caller caller, DbConnectionFactory db, IEvidenceBlobStore store, TimeProvider time, int? version, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var row = await FindVisible(connection, caller, evidenceId, IndonesiaClock.Today(time));
        if (row is null)
        {
            return Problems.NotFound("Evidence", evidenceId);
        }
        if (row.Kind != "file")
        {
            return Problems.NotFound($"Evidence '{evidenceId}' is a link; its document is at {row.Url}.");
        }
        const string sql = """
            SELECT version, sha256, size, content_type, file_name, uploaded_at, uploaded_by
            FROM evidence_versions WHERE evidence_id = @Id AND version = @Version
            """;
        var file = await connection.QuerySingleOrDefaultAsync<EvidenceVersion>(sql, new { Id = evidenceId, Version = version ?? row.CurrentVersion });
        if (file is null)
        {
            return Problems.NotFound($"Evidence '{evidenceId}' has no version {version}.");
        }
        return TypedResults.File(store.OpenRead(file.Sha256, file.Size), file.ContentType, file.FileName, file.UploadedAt,
            new EntityTagHeaderValue($"\"{file.Sha256}\""), enableRangeProcessing: true);
    }

    public static async Task<Results<Ok<IReadOnlyList<EvidenceVersion>>, ProblemHttpResult>> ListEvidenceVersions(
        Guid evidenceId, Caller caller, DbConnectionFactory db, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await FindVisible(connection, caller, evidenceId, IndonesiaClock.Today(time)) is null)
        {
            return Problems.NotFound("Evidence", evidenceId);
        }
        const string sql = """
            SELECT version, sha256, size, content_type, file_name, uploaded_at, uploaded_by
            FROM evidence_versions WHERE evidence_id = @Id ORDER BY version
            """;
        return TypedResults.Ok<IReadOnlyList<EvidenceVersion>>((await connection.QueryAsync<EvidenceVersion>(sql, new { Id = evidenceId })).AsList());
    }

    public static async Task<Results<Ok<EvidenceSummary>, ProblemHttpResult>> GetEvidenceSummary(
        Guid id, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var assessment = await AssessmentQueries.FindVisible(connection, caller, id);
        if (assessment is null)
        {
            return Problems.NotFound("Assessment", id);
        }
        var summary = await Summarize(connection, catalogue, assessment, IndonesiaClock.Today(time));
        return TypedResults.Ok(summary);
    }

    internal static async Task<EvidenceSummary> Summarize(DbConnection connection, FrameworkCatalogue catalogue, Assessment assessment, DateOnly today)
    {
        const string sql = """
            SELECT item_code, status, valid_until FROM evidence WHERE assessment_id = @Id AND withdrawn_at IS NULL
            """;
        var rows = (await connection.QueryAsync<StatusRow>(sql, new { assessment.Id })).ToList();
        var counts = rows.GroupBy(r => r.ItemCode).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ItemEvidenceCounts(
            g.Key,
            g.Count(r => r.Status == EvidenceStatus.Submitted),
            g.Count(r => r.Effective(today) == EvidenceStatus.Accepted),
            g.Count(r => r.Status == EvidenceStatus.Rejected),
            g.Count(r => r.Status == EvidenceStatus.RevisionRequested),
            g.Count(r => r.Effective(today) == EvidenceStatus.Expired))).ToList();
        catalogue.TryGet(assessment.FrameworkCode, out var framework);
        var accepted = counts.Where(c => c.Accepted > 0).Select(c => c.ItemCode).ToHashSet();
        var scored = framework.Items.Where(i => i.Scored).Select(i => i.Code).ToList();
        return new EvidenceSummary(assessment.Id, counts, scored.Where(accepted.Contains).ToList(), scored.Where(c => !accepted.Contains(c)).ToList());
    }

    private sealed class StatusRow
    {
        public string ItemCode { get; init; } = "";
        public string Status { get; init; } = "";
        public DateOnly? ValidUntil { get; init; }

        public string Effective(DateOnly today) => EvidenceStatus.Effective(Status, ValidUntil, today);
    }
}

using ZonaIntegritas.Api.Features.Assessments;


namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>Reading one piece of evidence as the caller may see it, and the lock rule the writes share.</summary>
public static class EvidenceQueries
{
    internal const string SelectEvidence = """
        SELECT e.id, e.assessment_id, e.item_code, e.kind, v.file_name, v.content_type, v.size, v.sha256, e.url, e.title, e.description,
               e.captured_at, e.current_version, e.status, e.review_comment, e.reviewed_at, e.reviewed_by, e.valid_until,
               COALESCE(v.uploaded_at, e.created_at) AS uploaded_at, COALESCE(v.uploaded_by, e.created_by) AS uploaded_by,
               e.withdrawn_at, a.unit_id, a.agency_id, a.status AS assessment_status
        FROM evidence e
        JOIN assessments a ON a.id = e.assessment_id
        LEFT JOIN evidence_versions v ON v.evidence_id = e.id AND v.version = e.current_version
        """;

    internal static async Task<EvidenceRow?> FindVisible(DbConnection connection, Caller caller, Guid evidenceId, DateOnly today, DbTransaction? transaction = null)
    {
        const string sql = $"""
            {SelectEvidence}
            WHERE e.id = @Id
            """;
        var row = await connection.QuerySingleOrDefaultAsync<EvidenceRow>(sql, new { Id = evidenceId }, transaction);
        return row is not null && caller.CanSeeUnit(row.UnitId, row.AgencyId) ? row : null;
    }

    /// <summary>422 once the assessment is proposed or decided, exactly as its answers lock; an admin may still change evidence (audited as any write).</summary>
    internal static ProblemHttpResult? Locked(Caller caller, string assessmentStatus) =>
        caller.IsAdmin || AssessmentStatus.EvidenceOpen(assessmentStatus)
            ? null
            : Problems.Unprocessable($"The evidence is locked: the assessment is '{assessmentStatus}'. Only an admin may still change it.",
                new Dictionary<string, object?> { ["assessmentStatus"] = assessmentStatus });

    internal sealed class EvidenceRow
    {
        public Guid Id { get; init; }
        public Guid AssessmentId { get; init; }
        public string ItemCode { get; init; } = "";
        public string Kind { get; init; } = "";
        public string? FileName { get; init; }
        public string? ContentType { get; init; }
        public long? Size { get; init; }
        public string? Sha256 { get; init; }
        public string? Url { get; init; }
        public string? Title { get; init; }
        public string? Description { get; init; }
        public DateTimeOffset? CapturedAt { get; init; }
        public int CurrentVersion { get; init; }
        public string Status { get; init; } = "";
        public string? ReviewComment { get; init; }
        public DateTimeOffset? ReviewedAt { get; init; }
        public Guid? ReviewedBy { get; init; }
        public DateOnly? ValidUntil { get; init; }
        public DateTimeOffset UploadedAt { get; init; }
        public Guid UploadedBy { get; init; }
        public DateTimeOffset? WithdrawnAt { get; init; }
        public Guid UnitId { get; init; }
        public Guid AgencyId { get; init; }
        public string AssessmentStatus { get; init; } = "";

        public EvidenceItem ToItem(DateOnly today) => new()
        {
            Id = Id, AssessmentId = AssessmentId, ItemCode = ItemCode, Kind = Kind, FileName = FileName, ContentType = ContentType,
            Size = Size, Sha256 = Sha256, Url = Url, Title = Title, Description = Description, CapturedAt = CapturedAt,
            Version = CurrentVersion, Status = EvidenceStatus.Effective(Status, ValidUntil, today), ReviewComment = ReviewComment,
            ReviewedAt = ReviewedAt, ReviewedBy = ReviewedBy, ValidUntil = ValidUntil, UploadedAt = UploadedAt, UploadedBy = UploadedBy,
            WithdrawnAt = WithdrawnAt,
        };
    }
}

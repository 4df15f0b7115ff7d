using FluentValidation;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Net.Http.Headers;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Features.Frameworks;
using static ZonaIntegritas.Api.Features.Evidence.EvidenceQueries;
using static ZonaIntegritas.Api.Features.Evidence.IdempotencyStore;
using UploadResult = Microsoft.AspNetCore.Http.HttpResults.Results<
    Microsoft.AspNetCore.Http.HttpResults.Created<ZonaIntegritas.Api.Features.Evidence.EvidenceItem>,
    Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult,
    Microsoft.AspNetCore.Http.HttpResults.ValidationProblem,
    Microsoft.AspNetCore.Http.HttpResults.ProblemHttpResult>;

namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>The two upload handlers: a first file or link for an item, and a new version of a file.</summary>
public static class EvidenceUpload
{
    public static async Task<Results<Created<EvidenceItem>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> AddEvidence(
        Guid id, string itemCode, HttpContext http, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue,
        IEvidenceBlobStore store, IOptions<EvidenceOptions> options, IOptions<JsonOptions> json, IValidator<LinkEvidenceRequest> linkValidator,
        TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var assessment = await AssessmentQueries.FindVisible(connection, caller, id);
        if (assessment is null || !caller.CanWriteForUnit(assessment.UnitId, assessment.AgencyId))
        {
            return Problems.NotFound("Assessment", id);
        }
        if (Locked(caller, assessment.Status) is { } locked)
        {
            return locked;
        }
        if (!catalogue.TryGet(assessment.FrameworkCode, out var framework) || !framework.TryGetItem(itemCode, out var item) || !item.Scored)
        {
            return Problems.NotFound($"'{itemCode}' is not a scored item of framework {assessment.FrameworkCode}; evidence belongs to scored items.");
        }
        if (KeyOf(http) is { Error: { } keyError })
        {
            return keyError;
        }
        var upload = new NewEvidence(connection, db.Dialect, http, caller, store, assessment, itemCode, KeyOf(http).Key, time.GetUtcNow());
        return IsJson(http.Request)
            ? await AddLink(upload, json.Value.SerializerOptions, linkValidator, cancellationToken)
            : await AddFile(upload, options.Value.MaxBytes, cancellationToken);
    }

    /// <summary>What both kinds of first upload share: where it goes, who sends it, and the route its idempotency fingerprint names.</summary>
    private sealed record NewEvidence(DbConnection Connection, ISqlDialect Dialect, HttpContext Http, Caller Caller, IEvidenceBlobStore Store,
        Assessment Assessment, string ItemCode, string? Key, DateTimeOffset Now)
    {
        public Guid Id { get; } = Guid.NewGuid();
        public string Location => $"/api/v1/evidence/{Id}";
        public string Route => $"POST /assessments/{Assessment.Id}/items/{ItemCode}/evidence";
    }

    private static async Task<UploadResult> AddLink(NewEvidence upload, JsonSerializerOptions json, IValidator<LinkEvidenceRequest> validator, CancellationToken cancellationToken)
    {
        LinkEvidenceRequest? link;
        try
        {
            link = await JsonSerializer.DeserializeAsync<LinkEvidenceRequest>(upload.Http.Request.Body, json, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new BadHttpRequestException("The request body is not valid JSON.", StatusCodes.Status400BadRequest, e);
        }
        var validation = await validator.ValidateAsync(link ?? new LinkEvidenceRequest(null, null, null), cancellationToken);
        if (!validation.IsValid)
        {
            return Problems.Invalid(validation);
        }
        var (connection, caller, assessment) = (upload.Connection, upload.Caller, upload.Assessment);
        var item = new EvidenceItem
        {
            Id = upload.Id, AssessmentId = assessment.Id, ItemCode = upload.ItemCode, Kind = "link", Url = link!.Url, Title = link.Title,
            Description = link.Description, Version = 1, Status = EvidenceStatus.Submitted, UploadedAt = upload.Now, UploadedBy = caller.KeyId,
        };
        return await Persist(connection, upload.Dialect, upload.Http, caller, upload.Key, Fingerprint(upload.Route, $"{link.Url}\n{link.Title}\n{link.Description}"),
            upload.Location, item, blob: null, upload.Store,
            async transaction =>
            {
                await InsertEvidence(connection, transaction, item);
                await connection.AuditAsync(transaction, caller, new AuditChange("evidence.linked", "evidence", upload.Id.ToString(), assessment.AgencyId, assessment.UnitId,
                    new { AssessmentId = assessment.Id, upload.ItemCode, item.Url, item.Title }));
            }, cancellationToken);
    }

    private static async Task<UploadResult> AddFile(NewEvidence upload, long maxBytes, CancellationToken cancellationToken)
    {
        var form = await UploadReader.ReadAsync(upload.Http.Request, upload.Store, maxBytes, upload.Now, cancellationToken);
        if (Refusal(form) is { } refused)
        {
            return refused;
        }
        var (connection, caller, assessment, blob) = (upload.Connection, upload.Caller, upload.Assessment, form.Blob!);
        var item = new EvidenceItem
        {
            Id = upload.Id, AssessmentId = assessment.Id, ItemCode = upload.ItemCode, Kind = "file", FileName = form.FileName, ContentType = form.ContentType,
            Size = blob.Size, Sha256 = blob.Sha256, Description = form.Description, CapturedAt = form.CapturedAt, Version = 1,
            Status = EvidenceStatus.Submitted, UploadedAt = upload.Now, UploadedBy = caller.KeyId,
        };
        return await Persist(connection, upload.Dialect, upload.Http, caller, upload.Key, Fingerprint(upload.Route, blob.Sha256), upload.Location, item, blob, upload.Store,
            async transaction =>
            {
                await InsertEvidence(connection, transaction, item);
                await InsertVersion(connection, transaction, item);
                // The content hash identifies the file; its bytes never enter the trail.
                await connection.AuditAsync(transaction, caller, new AuditChange("evidence.uploaded", "evidence", upload.Id.ToString(), assessment.AgencyId, assessment.UnitId,
                    new { AssessmentId = assessment.Id, upload.ItemCode, item.FileName, item.ContentType, item.Size, item.Sha256 }));
            }, cancellationToken);
    }

    public static async Task<Results<Created<EvidenceItem>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> AddEvidenceVersion(
        Guid evidenceId, HttpContext http, Caller caller, DbConnectionFactory db, IEvidenceBlobStore store, IOptions<EvidenceOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var today = IndonesiaClock.Today(time);
        var existing = await FindVisible(connection, caller, evidenceId, today);
        if (existing is null || existing.WithdrawnAt is not null || !caller.CanWriteForUnit(existing.UnitId, existing.AgencyId))
        {
            return Problems.NotFound("Evidence", evidenceId);
        }
        if (Locked(caller, existing.AssessmentStatus) is { } locked)
        {
            return locked;
        }
        if (existing.Kind != "file")
        {
            return Problems.Conflict($"Evidence '{evidenceId}' is a link to {existing.Url}; record a new link instead of a version.");
        }
        if (KeyOf(http) is { Error: { } keyError })
        {
            return keyError;
        }
        var form = await UploadReader.ReadAsync(http.Request, store, options.Value.MaxBytes, time.GetUtcNow(), cancellationToken);
        if (Refusal(form) is { } refused)
        {
            return refused;
        }
        var (blob, now) = (form.Blob!, time.GetUtcNow());
        return await Persist(connection, db.Dialect, http, caller, KeyOf(http).Key, Fingerprint($"POST /evidence/{evidenceId}/versions", blob.Sha256),
            $"/api/v1/evidence/{evidenceId}", blob, store,
            async transaction =>
            {
                const string next = "SELECT current_version FROM evidence WHERE id = @Id";
                var version = await connection.ExecuteScalarAsync<int>(next, new { Id = evidenceId }, transaction) + 1;
                var item = existing.ToItem(today) with
                {
                    FileName = form.FileName, ContentType = form.ContentType, Size = blob.Size, Sha256 = blob.Sha256, Version = version,
                    Status = EvidenceStatus.Submitted, ReviewComment = null, ReviewedAt = null, ReviewedBy = null, ValidUntil = null,
                    UploadedAt = now, UploadedBy = caller.KeyId, Description = form.Description ?? existing.Description,
                    CapturedAt = form.CapturedAt ?? existing.CapturedAt,
                };
                await RecordVersion(connection, transaction, caller, existing, item);
                return item;
            }, cancellationToken);
    }

    private static async Task RecordVersion(DbConnection connection, DbTransaction transaction, Caller caller, EvidenceRow existing, EvidenceItem item)
    {
        await InsertVersion(connection, transaction, item);
        // A new version is new evidence to review: the earlier decision no longer applies.
        const string update = """
            UPDATE evidence
            SET current_version = @Version, status = 'submitted', review_comment = NULL, reviewed_at = NULL, reviewed_by = NULL,
                valid_until = NULL, description = @Description, captured_at = @CapturedAt
            WHERE id = @Id
            """;
        await connection.ExecuteAsync(update, new { item.Id, item.Version, item.Description, item.CapturedAt }, transaction);
        await connection.AuditAsync(transaction, caller, new AuditChange("evidence.version_added", "evidence", item.Id.ToString(), existing.AgencyId, existing.UnitId,
            AuditTrail.Diff(("version", item.Version - 1, item.Version), ("status", existing.Status, EvidenceStatus.Submitted), ("sha256", existing.Sha256, item.Sha256),
                ("fileName", existing.FileName, item.FileName), ("size", existing.Size, item.Size))));
    }

    private static UploadResult? Refusal(UploadReader.UploadForm form)
    {
        if (form.Problem is { } problem)
        {
            return problem;
        }
        if (form.Errors is { } errors)
        {
            return Problems.Invalid(errors);
        }
        return null;
    }

    private static Task InsertEvidence(DbConnection connection, DbTransaction transaction, EvidenceItem item)
    {
        const string sql = """
            INSERT INTO evidence (id, assessment_id, item_code, kind, url, title, description, captured_at, current_version, status,
                                  review_comment, reviewed_at, reviewed_by, valid_until, withdrawn_at, withdrawn_by, created_at, created_by)
            VALUES (@Id, @AssessmentId, @ItemCode, @Kind, @Url, @Title, @Description, @CapturedAt, @Version, @Status,
                    NULL, NULL, NULL, NULL, NULL, NULL, @UploadedAt, @UploadedBy)
            """;
        return connection.ExecuteAsync(sql, item, transaction);
    }

    private static Task InsertVersion(DbConnection connection, DbTransaction transaction, EvidenceItem item)
    {
        const string sql = """
            INSERT INTO evidence_versions (evidence_id, version, sha256, size, content_type, file_name, uploaded_at, uploaded_by)
            VALUES (@Id, @Version, @Sha256, @Size, @ContentType, @FileName, @UploadedAt, @UploadedBy)
            """;
        return connection.ExecuteAsync(sql, item, transaction);
    }

    private static bool IsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));
}

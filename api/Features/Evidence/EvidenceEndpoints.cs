using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Dapper;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Audit;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Http;
using ZonaIntegritas.Api.Http.OpenApi;

namespace ZonaIntegritas.Api.Features.Evidence;

public static class EvidenceEndpoints
{
    public const string IdempotencyHeader = "Idempotency-Key";
    public const int MaximumIdempotencyKeyLength = 200;
    public const int MaximumFieldLength = 4000;
    private const string IdempotencyDescription =
        "Any 1 to 200 printable ASCII characters (a UUID is typical). A retry with the same key and the same content returns the first response; the same key with other content is 422.";

    public static RouteGroupBuilder MapEvidence(this RouteGroupBuilder api)
    {
        api.MapPost("/assessments/{id:guid}/items/{itemCode}/evidence", AddEvidence).RequireAuthorization(Policies.UploadEvidence)
            .WithMetadata(new EvidenceUploadBody())
            .RequireRateLimiting(RateLimits.UploadPolicy)
            .Accepts<LinkEvidenceRequest>("multipart/form-data", "application/json")
            .AcceptsMultipart<EvidenceUploadForm>()
            .WithRequestHeader(IdempotencyHeader, IdempotencyDescription, MaximumIdempotencyKeyLength)
            .WithTags("Evidence (data dukung)")
            .WithName(nameof(AddEvidence))
            .WithSummary("Upload evidence for an item (multipart file) or record a link (JSON)")
            .WithDescription("""
                Admin, the agency's inspectorate or the unit's own key. multipart/form-data: `file` (required), `description`, `capturedAt`
                (ISO 8601, not in the future, not before 1950; without an offset it is read as UTC). Bidi and other format characters are
                removed from the stored file name. The bytes decide the type, not the file name or Content-Type: PDF, JPEG, PNG, HEIC, WebP, DOCX, XLSX, PPTX
                and MP4 are accepted (415 names what was detected); at most Evidence:MaxBytes (413); an empty file is 400.
                application/json: `{url (https), title, description?}` records a document kept elsewhere.
                Send an `Idempotency-Key` header from mobile apps: a retry with the same key and the same bytes returns the first
                response (same id, no second record, even for concurrent retries); the same key with other content is 422.
                Keys are remembered per API key for at least 24 hours.
                Once the assessment is proposed, designated or not_designated, evidence is locked: 422 naming `assessmentStatus` (admin exempt).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        api.MapGet("/assessments/{id:guid}/evidence", ListEvidence)
            .WithTags("Evidence (data dukung)")
            .WithName(nameof(ListEvidence))
            .WithSummary("List an assessment's evidence")
            .WithDescription("Filters: `itemCode`, `status` (submitted, accepted, rejected, revision_requested, expired). Withdrawn evidence is not listed.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/assessments/{id:guid}/evidence-summary", GetEvidenceSummary)
            .WithTags("Evidence (data dukung)")
            .WithName(nameof(GetEvidenceSummary))
            .WithSummary("Evidence counts per item and the scored items still without accepted evidence")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var group = api.MapGroup("/evidence/{evidenceId:guid}").WithTags("Evidence (data dukung)");
        group.MapGet("/", GetEvidence)
            .WithName(nameof(GetEvidence))
            .WithSummary("Read one piece of evidence, with its review status and comment")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/content", GetEvidenceContent)
            .WithName(nameof(GetEvidenceContent))
            .WithSummary("Download the bytes (current version, or `?version=`)")
            .WithDescription("Streams with the stored Content-Type and `Content-Disposition: attachment`. `ETag` is the SHA-256: `If-None-Match` gives 304. Range requests give 206.")
            .ProducesFileDownload()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/versions", ListEvidenceVersions)
            .WithName(nameof(ListEvidenceVersions))
            .WithSummary("Every version of a file, oldest first")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/versions", AddEvidenceVersion).RequireAuthorization(Policies.UploadEvidence)
            .WithMetadata(new EvidenceUploadBody())
            .RequireRateLimiting(RateLimits.UploadPolicy)
            .Accepts<EvidenceUploadForm>("multipart/form-data")
            .AcceptsMultipart<EvidenceUploadForm>()
            .WithRequestHeader(IdempotencyHeader, IdempotencyDescription, MaximumIdempotencyKeyLength)
            .WithName(nameof(AddEvidenceVersion))
            .WithSummary("Upload a new version of a file; its status returns to submitted")
            .WithDescription("Same rules as the first upload, including `Idempotency-Key`. Earlier versions stay readable. 422 naming `assessmentStatus` once the assessment is proposed, designated or not_designated (admin exempt).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/review", ReviewEvidence).RequireAuthorization(Policies.ReviewEvidence).WithValidation()
            .WithName(nameof(ReviewEvidence))
            .WithSummary("Accept, reject or ask for a revision")
            .WithDescription("Inspectorate (its agency), evaluator or admin. `comment` is required unless accepted; `validUntil` (accepted only) makes the evidence `expired` after that date.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/", WithdrawEvidence).RequireAuthorization(Policies.UploadEvidence)
            .WithName(nameof(WithdrawEvidence))
            .WithSummary("Withdraw evidence that has not been accepted")
            .WithDescription("It disappears from lists and summaries but is kept, with its versions, for the record. 422 naming `assessmentStatus` once the assessment is proposed, designated or not_designated (admin exempt).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }

    public static async Task<Results<Created<EvidenceItem>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> AddEvidence(
        Guid id, string itemCode, HttpContext http, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue,
        IEvidenceBlobStore store, IOptions<EvidenceOptions> options, IOptions<JsonOptions> json, IValidator<LinkEvidenceRequest> linkValidator,
        TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var assessment = await AssessmentEndpoints.FindVisible(connection, caller, id);
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
        if (IdempotencyKey(http) is { Error: { } keyError })
        {
            return keyError;
        }
        var key = IdempotencyKey(http).Key;
        var now = time.GetUtcNow();
        var evidenceId = Guid.NewGuid();
        var location = $"/api/v1/evidence/{evidenceId}";
        var route = $"POST /assessments/{id}/items/{itemCode}/evidence";

        if (IsJson(http.Request))
        {
            LinkEvidenceRequest? link;
            try
            {
                link = await JsonSerializer.DeserializeAsync<LinkEvidenceRequest>(http.Request.Body, json.Value.SerializerOptions, cancellationToken);
            }
            catch (JsonException e)
            {
                throw new BadHttpRequestException("The request body is not valid JSON.", StatusCodes.Status400BadRequest, e);
            }
            var validation = await linkValidator.ValidateAsync(link ?? new LinkEvidenceRequest(null, null, null), cancellationToken);
            if (!validation.IsValid)
            {
                return Problems.Invalid(validation.Errors.GroupBy(e => ValidationFilter.JsonPath(e.PropertyName)).ToDictionary(g => g.Key, g => g.Select(e => e.ErrorMessage).ToArray()));
            }
            var linkItem = new EvidenceItem
            {
                Id = evidenceId, AssessmentId = id, ItemCode = itemCode, Kind = "link", Url = link!.Url, Title = link.Title,
                Description = link.Description, Version = 1, Status = "submitted", UploadedAt = now, UploadedBy = caller.KeyId,
            };
            return await Persist(connection, db.Dialect, http, caller, key, Fingerprint(route, $"{link.Url}\n{link.Title}\n{link.Description}"), location, linkItem, blob: null, store,
                async transaction =>
                {
                    await InsertEvidence(connection, transaction, linkItem);
                    await connection.AuditAsync(transaction, caller, new AuditChange("evidence.linked", "evidence", evidenceId.ToString(), assessment.AgencyId, assessment.UnitId,
                        new { AssessmentId = id, ItemCode = itemCode, linkItem.Url, linkItem.Title }));
                }, cancellationToken);
        }

        var form = await ReadUpload(http.Request, store, options.Value.MaxBytes, time.GetUtcNow(), cancellationToken);
        if (form.Problem is not null)
        {
            return form.Problem;
        }
        if (form.Errors is not null)
        {
            return Problems.Invalid(form.Errors);
        }
        var blob = form.Blob!;
        var fileItem = new EvidenceItem
        {
            Id = evidenceId, AssessmentId = id, ItemCode = itemCode, Kind = "file", FileName = form.FileName, ContentType = form.ContentType,
            Size = blob.Size, Sha256 = blob.Sha256, Description = form.Description, CapturedAt = form.CapturedAt, Version = 1,
            Status = "submitted", UploadedAt = now, UploadedBy = caller.KeyId,
        };
        return await Persist(connection, db.Dialect, http, caller, key, Fingerprint(route, blob.Sha256), location, fileItem, blob, store,
            async transaction =>
            {
                await InsertEvidence(connection, transaction, fileItem);
                await InsertVersion(connection, transaction, fileItem);
                // The content hash identifies the file; its bytes never enter the trail.
                await connection.AuditAsync(transaction, caller, new AuditChange("evidence.uploaded", "evidence", evidenceId.ToString(), assessment.AgencyId, assessment.UnitId,
                    new { AssessmentId = id, ItemCode = itemCode, fileItem.FileName, fileItem.ContentType, fileItem.Size, fileItem.Sha256 }));
            }, cancellationToken);
    }

    public static async Task<Results<Created<EvidenceItem>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> AddEvidenceVersion(
        Guid evidenceId, HttpContext http, Caller caller, DbConnectionFactory db, IEvidenceBlobStore store, IOptions<EvidenceOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var existing = await FindVisible(connection, caller, evidenceId, IndonesiaClock.Today(time));
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
        if (IdempotencyKey(http) is { Error: { } keyError })
        {
            return keyError;
        }
        var form = await ReadUpload(http.Request, store, options.Value.MaxBytes, time.GetUtcNow(), cancellationToken);
        if (form.Problem is not null)
        {
            return form.Problem;
        }
        if (form.Errors is not null)
        {
            return Problems.Invalid(form.Errors);
        }
        var blob = form.Blob!;
        var now = time.GetUtcNow();
        var location = $"/api/v1/evidence/{evidenceId}";
        return await Persist(connection, db.Dialect, http, caller, IdempotencyKey(http).Key, Fingerprint($"POST /evidence/{evidenceId}/versions", blob.Sha256), location, blob, store,
            async transaction =>
            {
                const string next = "SELECT current_version FROM evidence WHERE id = @Id";
                var version = await connection.ExecuteScalarAsync<int>(next, new { Id = evidenceId }, transaction) + 1;
                var item = existing.ToItem(IndonesiaClock.Today(time)) with
                {
                    FileName = form.FileName, ContentType = form.ContentType, Size = blob.Size, Sha256 = blob.Sha256, Version = version,
                    Status = "submitted", ReviewComment = null, ReviewedAt = null, ReviewedBy = null, ValidUntil = null,
                    UploadedAt = now, UploadedBy = caller.KeyId, Description = form.Description ?? existing.Description,
                    CapturedAt = form.CapturedAt ?? existing.CapturedAt,
                };
                await InsertVersion(connection, transaction, item);
                // A new version is new evidence to review: the earlier decision no longer applies.
                const string update = """
                    UPDATE evidence
                    SET current_version = @Version, status = 'submitted', review_comment = NULL, reviewed_at = NULL, reviewed_by = NULL,
                        valid_until = NULL, description = @Description, captured_at = @CapturedAt
                    WHERE id = @Id
                    """;
                await connection.ExecuteAsync(update, new { Id = evidenceId, item.Version, item.Description, item.CapturedAt }, transaction);
                await connection.AuditAsync(transaction, caller, new AuditChange("evidence.version_added", "evidence", evidenceId.ToString(), existing.AgencyId, existing.UnitId,
                    AuditTrail.Diff(("version", version - 1, version), ("status", existing.Status, "submitted"), ("sha256", existing.Sha256, blob.Sha256),
                        ("fileName", existing.FileName, item.FileName), ("size", existing.Size, item.Size))));
                return item;
            }, cancellationToken);
    }

    public static async Task<Results<Ok<Page<EvidenceItem>>, ValidationProblem, ProblemHttpResult>> ListEvidence(
        Guid id, Caller caller, DbConnectionFactory db, TimeProvider time, string? itemCode, string? status, int? page, int? pageSize,
        CancellationToken cancellationToken)
    {
        if (PageRequest.Validate(page, pageSize, out var paging) is { } errors)
        {
            return TypedResults.ValidationProblem(errors);
        }
        string[] statuses = ["submitted", "accepted", "rejected", "revision_requested", "expired"];
        if (status is not null && !statuses.Contains(status))
        {
            return Problems.Invalid("status", $"status must be one of: {string.Join(", ", statuses)}.");
        }
        await using var connection = await db.OpenAsync(cancellationToken);
        if (await AssessmentEndpoints.FindVisible(connection, caller, id) is null)
        {
            return Problems.NotFound("Assessment", id);
        }
        var today = IndonesiaClock.Today(time);
        var filter = new { AssessmentId = id, ItemCode = itemCode, Status = status, Today = today };
        const string where = """
            WHERE e.assessment_id = @AssessmentId AND e.withdrawn_at IS NULL
              AND (@ItemCode IS NULL OR e.item_code = @ItemCode)
              AND (@Status IS NULL
                   OR (@Status = 'expired' AND e.status = 'accepted' AND e.valid_until < @Today)
                   OR (@Status = 'accepted' AND e.status = 'accepted' AND (e.valid_until IS NULL OR e.valid_until >= @Today))
                   OR (@Status NOT IN ('accepted', 'expired') AND e.status = @Status))
            """;
        const string count = $"SELECT COUNT(*) FROM evidence e {where}";
        const string select = $"""
            {SelectEvidence}
            {where}
            ORDER BY e.item_code, e.created_at, e.id
            """;
        var rows = await connection.QueryPageAsync<EvidenceRow>(db.Dialect, count, select, filter, paging);
        return TypedResults.Ok(new Page<EvidenceItem>(rows.Items.Select(r => r.ToItem(today)).ToList(), rows.PageNumber, rows.PageSize, rows.Total));
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
        if (row.Status == "accepted")
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

    public static async Task<Results<Ok<EvidenceSummary>, ProblemHttpResult>> GetEvidenceSummary(
        Guid id, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, TimeProvider time, CancellationToken cancellationToken)
    {
        await using var connection = await db.OpenAsync(cancellationToken);
        var assessment = await AssessmentEndpoints.FindVisible(connection, caller, id);
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
            g.Count(r => r.Status == "submitted"),
            g.Count(r => r.Effective(today) == "accepted"),
            g.Count(r => r.Status == "rejected"),
            g.Count(r => r.Status == "revision_requested"),
            g.Count(r => r.Effective(today) == "expired"))).ToList();
        catalogue.TryGet(assessment.FrameworkCode, out var framework);
        var accepted = counts.Where(c => c.Accepted > 0).Select(c => c.ItemCode).ToHashSet();
        var scored = framework.Items.Where(i => i.Scored).Select(i => i.Code).ToList();
        return new EvidenceSummary(assessment.Id, counts, scored.Where(accepted.Contains).ToList(), scored.Where(c => !accepted.Contains(c)).ToList());
    }

    /// <summary>
    /// Records an upload once per Idempotency-Key: replays the first response for the same content, refuses other content
    /// (422), otherwise stores the blob and then writes the rows in one transaction.
    /// </summary>
    private static async Task<Results<Created<EvidenceItem>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> Persist(
        DbConnection connection, ISqlDialect dialect, HttpContext http, Caller caller, string? key, string fingerprint, string location,
        EvidenceItem? created, StagedBlob? blob, IEvidenceBlobStore store, Func<DbTransaction, Task> write, CancellationToken cancellationToken) =>
        await Persist(connection, dialect, http, caller, key, fingerprint, location, blob, store, async transaction =>
        {
            await write(transaction);
            return created!;
        }, cancellationToken);

    private static async Task<Results<Created<EvidenceItem>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> Persist(
        DbConnection connection, ISqlDialect dialect, HttpContext http, Caller caller, string? key, string fingerprint, string location,
        StagedBlob? blob, IEvidenceBlobStore store, Func<DbTransaction, Task<EvidenceItem>> write, CancellationToken cancellationToken)
    {
        var committed = false;
        try
        {
            // The bytes are stored before the transaction opens: storing them can take long (an object store, a large
            // file), and on SQLite the transaction holds the database's write lock. A retry is answered first, so that
            // it stores nothing; one racing past this check is still answered inside the transaction.
            if (key is not null && await Replay(connection, null, http, caller, key, fingerprint) is { } early)
            {
                return early;
            }
            if (blob is not null)
            {
                await store.CommitAsync(blob, cancellationToken);
                committed = true;
            }
            for (var attempt = 0; ; attempt++)
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                if (key is not null && await Replay(connection, transaction, http, caller, key, fingerprint) is { } replay)
                {
                    return replay;
                }
                var item = await write(transaction);
                try
                {
                    if (key is not null)
                    {
                        const string remember = """
                            INSERT INTO idempotency_keys (api_key_id, idempotency_key, fingerprint, status_code, location, response_body, created_at)
                            VALUES (@ApiKeyId, @Key, @Fingerprint, 201, @Location, @Body, @Now)
                            """;
                        await connection.ExecuteAsync(remember, new
                        {
                            ApiKeyId = caller.KeyId, Key = key, Fingerprint = fingerprint, Location = location,
                            Body = JsonSerializer.Serialize(item, JsonSerializerOptions.Web), Now = item.UploadedAt,
                        }, transaction);
                    }
                    await transaction.CommitAsync(cancellationToken);
                    return TypedResults.Created(location, item);
                }
                catch (DbException e) when (dialect.IsUniqueViolation(e) && attempt == 0)
                {
                    // A concurrent retry with the same key won; the next round replays its response.
                    await transaction.RollbackAsync(cancellationToken);
                }
            }
        }
        finally
        {
            if (blob is not null && !committed)
            {
                store.Discard(blob);
            }
        }
    }

    private static async Task<Results<Created<EvidenceItem>, ContentHttpResult, ValidationProblem, ProblemHttpResult>?> Replay(
        DbConnection connection, DbTransaction? transaction, HttpContext http, Caller caller, string key, string fingerprint)
    {
        const string sql = """
            SELECT fingerprint, status_code, location, response_body FROM idempotency_keys WHERE api_key_id = @ApiKeyId AND idempotency_key = @Key
            """;
        var stored = await connection.QuerySingleOrDefaultAsync<StoredResponse>(sql, new { ApiKeyId = caller.KeyId, Key = key }, transaction);
        if (stored is null)
        {
            return null;
        }
        if (stored.Fingerprint != fingerprint)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Idempotency-Key reused",
                detail: $"Idempotency-Key '{key}' was already used for a different request or different content; use a new key for new content.");
        }
        if (stored.Location is not null)
        {
            http.Response.Headers.Location = stored.Location;
        }
        http.Response.Headers["Idempotent-Replayed"] = "true";
        return TypedResults.Text(stored.ResponseBody, "application/json", Encoding.UTF8, stored.StatusCode);
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

    private const string SelectEvidence = """
        SELECT e.id, e.assessment_id, e.item_code, e.kind, v.file_name, v.content_type, v.size, v.sha256, e.url, e.title, e.description,
               e.captured_at, e.current_version, e.status, e.review_comment, e.reviewed_at, e.reviewed_by, e.valid_until,
               COALESCE(v.uploaded_at, e.created_at) AS uploaded_at, COALESCE(v.uploaded_by, e.created_by) AS uploaded_by,
               e.withdrawn_at, a.unit_id, a.agency_id, a.status AS assessment_status
        FROM evidence e
        JOIN assessments a ON a.id = e.assessment_id
        LEFT JOIN evidence_versions v ON v.evidence_id = e.id AND v.version = e.current_version
        """;

    private static async Task<EvidenceRow?> FindVisible(DbConnection connection, Caller caller, Guid evidenceId, DateOnly today, DbTransaction? transaction = null)
    {
        const string sql = $"""
            {SelectEvidence}
            WHERE e.id = @Id
            """;
        var row = await connection.QuerySingleOrDefaultAsync<EvidenceRow>(sql, new { Id = evidenceId }, transaction);
        return row is not null && caller.CanSeeUnit(row.UnitId, row.AgencyId) ? row : null;
    }

    /// <summary>422 once the assessment is proposed or decided, exactly as its answers lock; an admin may still change evidence (audited as any write).</summary>
    private static ProblemHttpResult? Locked(Caller caller, string assessmentStatus) =>
        caller.IsAdmin || Workflow.AssessmentStatus.EvidenceOpen(assessmentStatus)
            ? null
            : TypedResults.Problem(statusCode: StatusCodes.Status422UnprocessableEntity, title: "Unprocessable Content",
                detail: $"The evidence is locked: the assessment is '{assessmentStatus}'. Only an admin may still change it.",
                extensions: new Dictionary<string, object?> { ["assessmentStatus"] = assessmentStatus });

    private static bool IsJson(HttpRequest request) =>
        MediaTypeHeaderValue.TryParse(request.ContentType, out var type) && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase));

    private static (string? Key, ProblemHttpResult? Error) IdempotencyKey(HttpContext http)
    {
        if (!http.Request.Headers.TryGetValue(IdempotencyHeader, out var values))
        {
            return (null, null);
        }
        var key = values.ToString();
        return key.Length is >= 1 and <= MaximumIdempotencyKeyLength && key.All(c => c is >= '!' and <= '~')
            ? (key, null)
            : (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad Request",
                detail: "The Idempotency-Key header must be 1 to 200 printable ASCII characters without spaces (a UUID is typical)."));
    }

    private static string Fingerprint(string route, string content) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{route}\n{content}")));

    private sealed record UploadForm(StagedBlob? Blob, string? FileName, string? ContentType, string? Description, DateTimeOffset? CapturedAt,
        Dictionary<string, string[]>? Errors, ProblemHttpResult? Problem);

    /// <summary>Streams the multipart body: the file part goes straight to a staged blob, the small fields are read as text.</summary>
    private static async Task<UploadForm> ReadUpload(HttpRequest request, IEvidenceBlobStore store, long maxBytes, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return new UploadForm(null, null, null, null, null, null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported Media Type", detail: $"Content-Type '{request.ContentType}' is not supported here; send multipart/form-data with a 'file' part, or JSON for a link."));
        }
        var boundary = HeaderUtilities.RemoveQuotes(type.Boundary).Value;
        if (string.IsNullOrEmpty(boundary) || boundary.Length > 200)
        {
            return Invalid("body", "The multipart boundary is missing or too long.");
        }
        StagedBlob? blob = null;
        string? fileName = null, description = null, capturedAtText = null;
        try
        {
            var reader = new MultipartReader(boundary, request.Body) { BodyLengthLimit = null };
            MultipartSection? section;
            while ((section = await reader.ReadNextSectionAsync(cancellationToken)) is not null)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }
                var name = HeaderUtilities.RemoveQuotes(disposition.Name).Value;
                if (disposition.IsFileDisposition() && name == "file")
                {
                    if (blob is not null)
                    {
                        return Invalid("file", "Send one file per request.", blob, store);
                    }
                    fileName = FileNames.Sanitize(disposition.FileNameStar.HasValue ? disposition.FileNameStar.Value : HeaderUtilities.RemoveQuotes(disposition.FileName).Value);
                    blob = await store.StageAsync(section.Body, maxBytes, cancellationToken);
                }
                else if (name is "description" or "capturedAt")
                {
                    using var text = new StreamReader(section.Body, Encoding.UTF8);
                    var buffer = new char[MaximumFieldLength + 1];
                    var length = await text.ReadBlockAsync(buffer, cancellationToken);
                    if (length > MaximumFieldLength)
                    {
                        return Invalid(name, $"{name} must be at most {MaximumFieldLength} characters.", blob, store);
                    }
                    if (name == "description") description = new string(buffer, 0, length);
                    else capturedAtText = new string(buffer, 0, length).Trim();
                }
            }
        }
        catch (EvidenceTooLargeException e)
        {
            return new UploadForm(null, null, null, null, null, null, TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
                title: "Payload Too Large", detail: $"The file is larger than the limit of {e.Limit} bytes (Evidence:MaxBytes)."));
        }
        catch (IOException e) when (e is not FileNotFoundException)
        {
            Discard(blob, store);
            return Invalid("body", "The multipart body is malformed or was cut off.");
        }
        catch (InvalidDataException)
        {
            Discard(blob, store);
            return Invalid("body", "The multipart body is malformed.");
        }

        if (blob is null)
        {
            return Invalid("file", "A 'file' part is required.");
        }
        if (blob.Size == 0)
        {
            return Invalid("file", "The file is empty.", blob, store);
        }
        DateTimeOffset? capturedAt = null;
        if (!string.IsNullOrEmpty(capturedAtText))
        {
            if (!DateTimeOffset.TryParse(capturedAtText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
            {
                return Invalid("capturedAt", $"capturedAt '{capturedAtText}' is not an ISO 8601 date and time.", blob, store);
            }
            if (CapturedAtProblem(parsed, now) is { } problem)
            {
                return Invalid("capturedAt", problem, blob, store);
            }
            capturedAt = parsed;
        }
        var detected = FileTypes.Detect(blob.Header, blob.TempPath);
        if (!detected.Allowed)
        {
            Discard(blob, store);
            return new UploadForm(null, null, null, null, null, null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Unsupported Media Type",
                detail: $"The file's content is {detected.MediaType}; accepted are PDF, JPEG, PNG, HEIC, WebP, DOCX, XLSX, PPTX and MP4.",
                extensions: new Dictionary<string, object?> { ["detectedType"] = detected.MediaType }));
        }
        return new UploadForm(blob, fileName, detected.MediaType, description, capturedAt, null, null);
    }

    private static readonly TimeSpan Wit = TimeSpan.FromHours(9);

    /// <summary>A photo or scan is not taken in the future (the clock as it reads in WIT, Indonesia's easternmost zone), nor before 1950.</summary>
    private static string? CapturedAtProblem(DateTimeOffset capturedAt, DateTimeOffset now) =>
        capturedAt > now
            ? $"capturedAt {capturedAt.ToOffset(Wit):yyyy-MM-dd'T'HH:mm:sszzz} is in the future; it is now {now.ToOffset(Wit):yyyy-MM-dd'T'HH:mm:sszzz} WIT."
            : capturedAt < new DateTimeOffset(Nip.EarliestBirth.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero)
                ? $"capturedAt must be on or after {Nip.EarliestBirth:yyyy-MM-dd}."
                : null;

    private static UploadForm Invalid(string field, string message, StagedBlob? blob = null, IEvidenceBlobStore? store = null)
    {
        Discard(blob, store);
        return new UploadForm(null, null, null, null, null, new Dictionary<string, string[]> { [field] = [message] }, null);
    }

    private static void Discard(StagedBlob? blob, IEvidenceBlobStore? store)
    {
        if (blob is not null)
        {
            store!.Discard(blob);
        }
    }

    private sealed class StoredResponse
    {
        public string Fingerprint { get; init; } = "";
        public int StatusCode { get; init; }
        public string? Location { get; init; }
        public string ResponseBody { get; init; } = "";
    }

    private sealed class StatusRow
    {
        public string ItemCode { get; init; } = "";
        public string Status { get; init; } = "";
        public DateOnly? ValidUntil { get; init; }

        public string Effective(DateOnly today) => Status == "accepted" && ValidUntil < today ? "expired" : Status;
    }

    private sealed class EvidenceRow
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
            Version = CurrentVersion, Status = Status == "accepted" && ValidUntil < today ? "expired" : Status, ReviewComment = ReviewComment,
            ReviewedAt = ReviewedAt, ReviewedBy = ReviewedBy, ValidUntil = ValidUntil, UploadedAt = UploadedAt, UploadedBy = UploadedBy,
            WithdrawnAt = WithdrawnAt,
        };
    }
}

/// <summary>Endpoint metadata: the body is an evidence upload, limited by Evidence:MaxBytes (plus room for the multipart framing).</summary>
public sealed record EvidenceUploadBody;

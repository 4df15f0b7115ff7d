namespace ZonaIntegritas.Api.Features.Evidence;

public static class EvidenceEndpoints
{
    public static RouteGroupBuilder MapEvidence(this RouteGroupBuilder api)
    {
        api.MapPost("/assessments/{id:guid}/items/{itemCode}/evidence", EvidenceUpload.AddEvidence).RequireAuthorization(Policies.UploadEvidence)
            .WithMetadata(new EvidenceUploadBody())
            .RequireRateLimiting(RateLimits.UploadPolicy)
            .Accepts<LinkEvidenceRequest>("multipart/form-data", "application/json")
            .AcceptsMultipart<EvidenceUploadForm>()
            .WithRequestHeader(IdempotencyStore.Header, IdempotencyStore.Description, IdempotencyStore.MaximumKeyLength)
            .WithTags("Evidence (data dukung)")
            .WithName(nameof(EvidenceUpload.AddEvidence))
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
        api.MapGet("/assessments/{id:guid}/evidence", EvidenceReads.ListEvidence).WithValidation()
            .WithTags("Evidence (data dukung)")
            .WithName(nameof(EvidenceReads.ListEvidence))
            .WithSummary("List an assessment's evidence")
            .WithDescription("Filters: `itemCode`, `status` (submitted, accepted, rejected, revision_requested, expired). Withdrawn evidence is not listed.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        api.MapGet("/assessments/{id:guid}/evidence-summary", EvidenceReads.GetEvidenceSummary)
            .WithTags("Evidence (data dukung)")
            .WithName(nameof(EvidenceReads.GetEvidenceSummary))
            .WithSummary("Evidence counts per item and the scored items still without accepted evidence")
            .ProducesProblem(StatusCodes.Status404NotFound);

        var group = api.MapGroup("/evidence/{evidenceId:guid}").WithTags("Evidence (data dukung)");
        group.MapGet("/", EvidenceReads.GetEvidence)
            .WithName(nameof(EvidenceReads.GetEvidence))
            .WithSummary("Read one piece of evidence, with its review status and comment")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/content", EvidenceReads.GetEvidenceContent)
            .WithName(nameof(EvidenceReads.GetEvidenceContent))
            .WithSummary("Download the bytes (current version, or `?version=`)")
            .WithDescription("Streams with the stored Content-Type and `Content-Disposition: attachment`. `ETag` is the SHA-256: `If-None-Match` gives 304. Range requests give 206.")
            .ProducesFileDownload()
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapGet("/versions", EvidenceReads.ListEvidenceVersions)
            .WithName(nameof(EvidenceReads.ListEvidenceVersions))
            .WithSummary("Every version of a file, oldest first")
            .ProducesProblem(StatusCodes.Status404NotFound);
        group.MapPost("/versions", EvidenceUpload.AddEvidenceVersion).RequireAuthorization(Policies.UploadEvidence)
            .WithMetadata(new EvidenceUploadBody())
            .RequireRateLimiting(RateLimits.UploadPolicy)
            .Accepts<EvidenceUploadForm>("multipart/form-data")
            .AcceptsMultipart<EvidenceUploadForm>()
            .WithRequestHeader(IdempotencyStore.Header, IdempotencyStore.Description, IdempotencyStore.MaximumKeyLength)
            .WithName(nameof(EvidenceUpload.AddEvidenceVersion))
            .WithSummary("Upload a new version of a file; its status returns to submitted")
            .WithDescription("Same rules as the first upload, including `Idempotency-Key`. Earlier versions stay readable. 422 naming `assessmentStatus` once the assessment is proposed, designated or not_designated (admin exempt).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        group.MapPost("/review", EvidenceReview.ReviewEvidence).RequireAuthorization(Policies.ReviewEvidence).WithValidation()
            .WithName(nameof(EvidenceReview.ReviewEvidence))
            .WithSummary("Accept, reject or ask for a revision")
            .WithDescription("Inspectorate (its agency), evaluator or admin. `comment` is required unless accepted; `validUntil` (accepted only) makes the evidence `expired` after that date.")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
        group.MapDelete("/", EvidenceReview.WithdrawEvidence).RequireAuthorization(Policies.UploadEvidence)
            .WithName(nameof(EvidenceReview.WithdrawEvidence))
            .WithSummary("Withdraw evidence that has not been accepted")
            .WithDescription("It disappears from lists and summaries but is kept, with its versions, for the record. 422 naming `assessmentStatus` once the assessment is proposed, designated or not_designated (admin exempt).")
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
        return api;
    }
}

/// <summary>Endpoint metadata: the body is an evidence upload, limited by Evidence:MaxBytes (plus room for the multipart framing).</summary>
public sealed record EvidenceUploadBody;

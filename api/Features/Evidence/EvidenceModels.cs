using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using FluentValidation;

namespace ZonaIntegritas.Api.Features.Evidence;

/// <summary>
/// One piece of evidence as the apps see it. For files, the fields describe the current version. <c>status</c> is
/// submitted, accepted, rejected, revision_requested, or expired (accepted, but past <c>validUntil</c>).
/// </summary>
public sealed record EvidenceItem
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
    public int Version { get; init; }
    public string Status { get; init; } = "";
    public string? ReviewComment { get; init; }
    public DateTimeOffset? ReviewedAt { get; init; }
    public Guid? ReviewedBy { get; init; }
    public DateOnly? ValidUntil { get; init; }
    public DateTimeOffset UploadedAt { get; init; }
    public Guid UploadedBy { get; init; }
    public DateTimeOffset? WithdrawnAt { get; init; }
}

public sealed record EvidenceVersion
{
    public int Version { get; init; }
    public string Sha256 { get; init; } = "";
    public long Size { get; init; }
    public string ContentType { get; init; } = "";
    public string FileName { get; init; } = "";
    public DateTimeOffset UploadedAt { get; init; }
    public Guid UploadedBy { get; init; }
}

public sealed record LinkEvidenceRequest(string? Url, string? Title, string? Description) : IHasExample<LinkEvidenceRequest>
{
    public static LinkEvidenceRequest Example => new("https://drive.example.go.id/zi/rencana-kerja-2026.pdf", "Rencana kerja pembangunan ZI 2026", null);
}

/// <summary>The parts of a file upload (multipart/form-data), read while streaming; documents the form in OpenAPI.</summary>
public sealed record EvidenceUploadForm(
    [property: Description("The document or photo. Its bytes decide the type: PDF, JPEG, PNG, HEIC, WebP, DOCX, XLSX, PPTX or MP4.")]
    IFormFile File,
    [property: Description("What the file shows."), MaxLength(UploadReader.MaximumFieldLength)]
    string? Description,
    [property: Description("When the photo or scan was taken (ISO 8601 with offset).")]
    DateTimeOffset? CapturedAt);

public sealed record ReviewRequest(string? Decision, string? Comment, DateOnly? ValidUntil) : IHasExample<ReviewRequest>
{
    public static ReviewRequest Example => new("revision_requested", "Lampirkan halaman tanda tangan", null);
}

public sealed record ItemEvidenceCounts(string ItemCode, int Submitted, int Accepted, int Rejected, int RevisionRequested, int Expired);

public sealed record EvidenceSummary(Guid AssessmentId, IReadOnlyList<ItemEvidenceCounts> Items, IReadOnlyList<string> ItemsWithAcceptedEvidence, IReadOnlyList<string> ItemsWithoutAcceptedEvidence);

public sealed class LinkEvidenceRequestValidator : AbstractValidator<LinkEvidenceRequest>
{
    public LinkEvidenceRequestValidator()
    {
        RuleFor(r => r.Url).NotEmpty().MaximumLength(2000)
            .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme == Uri.UriSchemeHttps && !string.IsNullOrEmpty(uri.Host))
            .WithMessage("url must be an absolute https URL.");
        RuleFor(r => r.Title).NotEmpty().MaximumLength(300);
        RuleFor(r => r.Description).MaximumLength(2000);
    }
}

public sealed class ReviewRequestValidator : AbstractValidator<ReviewRequest>
{
    public static readonly string[] Decisions = EvidenceStatus.Decisions;

    public const int MaximumYearsValid = 10;

    public ReviewRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.Decision).NotEmpty().OneOf(Decisions).WithMessage($"decision must be one of: {string.Join(", ", Decisions)}.");
        RuleFor(r => r.Comment).NotEmpty().When(r => r.Decision is EvidenceStatus.Rejected or EvidenceStatus.RevisionRequested)
            .WithMessage("comment is required unless the evidence is accepted: tell the unit what to fix.");
        RuleFor(r => r.Comment).MaximumLength(2000);
        RuleFor(r => r.ValidUntil).Null().When(r => r.Decision != EvidenceStatus.Accepted).WithMessage("validUntil applies only to accepted evidence.");
        RuleFor(r => r.ValidUntil).Must(d => d > IndonesiaClock.Today(time)).When(r => r.ValidUntil is not null)
            .WithMessage(_ => $"validUntil must be after the review date ({IndonesiaClock.Today(time):yyyy-MM-dd}).")
            .Must(d => d <= IndonesiaClock.Today(time).AddYears(MaximumYearsValid)).When(r => r.ValidUntil is not null)
            .WithMessage($"validUntil must be at most {MaximumYearsValid} years after the review date.");
    }
}

using FluentValidation;
using ZonaIntegritas.Api.Features.Declarations;

namespace ZonaIntegritas.Api.Features.IntegrityPacts;

/// <summary>One signed pakta integritas. The same fields are the columns of a CSV upload.</summary>
public sealed record PactRequest(
    string? Nip,
    string? Name,
    string? Position,
    string? Role,
    string? Occasion,
    DateOnly? SignedOn,
    string? DocumentUrl);

/// <summary>The JSON body: either one pact's fields at the top level, or <c>{"pacts": [...]}</c>.</summary>
public sealed record PactSubmission(
    IReadOnlyList<PactRequest?>? Pacts,
    string? Nip,
    string? Name,
    string? Position,
    string? Role,
    string? Occasion,
    DateOnly? SignedOn,
    string? DocumentUrl) : IHasExample<PactSubmission>
{
    public static PactSubmission Example => new(
        [
            new PactRequest("198806152012031001", "Andi Pratama", "Analis Anggaran", "pegawai", "tahunan", new DateOnly(2026, 1, 5), null),
            new PactRequest("199002202015032002", "Siti Rahma", "Kepala Bagian", "pejabat", "tahunan", new DateOnly(2026, 1, 5), "https://pu.go.id/pakta/siti-rahma.pdf"),
        ],
        null, null, null, null, null, null, null);
}

public sealed record IntegrityPact
{
    public Guid Id { get; init; }
    public Guid UnitId { get; init; }
    public string Nip { get; init; } = "";
    public string Name { get; init; } = "";
    public string Position { get; init; } = "";
    [Vocabulary(typeof(PactRequestValidator), nameof(PactRequestValidator.Roles))]
    public string Role { get; init; } = "";
    [Vocabulary(typeof(PactRequestValidator), nameof(PactRequestValidator.Occasions))]
    public string Occasion { get; init; } = "";
    public DateOnly SignedOn { get; init; }
    public string? DocumentUrl { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public Guid CreatedBy { get; init; }
}

/// <summary>
/// <c>created</c> counts new pacts; <c>alreadyRecorded</c> counts rows identical to a pact on file, which are accepted
/// and ignored so that a retried upload is harmless.
/// </summary>
public sealed record PactImportResult(int Created, int AlreadyRecorded, IReadOnlyList<IntegrityPact> Items);

public sealed class PactRequestValidator : AbstractValidator<PactRequest>
{
    public static readonly string[] Roles = ["pimpinan", "pejabat", "pegawai"];
    public static readonly string[] Occasions = ["pencanangan", "pelantikan", "mutasi", "tahunan"];

    public PactRequestValidator(TimeProvider time)
    {
        RuleFor(p => p.Nip).ValidNip(time);
        RuleFor(p => p.Name).NotEmpty().MaximumLength(200);
        RuleFor(p => p.Position).NotEmpty().MaximumLength(300);
        RuleFor(p => p.Role).NotEmpty().OneOf(Roles).WithMessage($"role must be one of: {string.Join(", ", Roles)}.");
        RuleFor(p => p.Occasion).NotEmpty().OneOf(Occasions).WithMessage($"occasion must be one of: {string.Join(", ", Occasions)}.");
        RuleFor(p => p.SignedOn).NotNull()
            .Must(d => d <= IndonesiaClock.Today(time)).WithMessage("signedOn must not be in the future.")
            .Must(d => d >= IndonesiaClock.EarliestZiEvent).WithMessage($"signedOn must be on or after {IndonesiaClock.EarliestZiEvent:yyyy-MM-dd}.");
        RuleFor(p => p.DocumentUrl).MaximumLength(2000).Must(u => CreateDeclarationRequestValidator.BeHttpUrl(u!))
            .When(p => p.DocumentUrl is not null).WithMessage("documentUrl must be an absolute http or https URL.");
    }
}

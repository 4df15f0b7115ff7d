using FluentValidation;

namespace ZonaIntegritas.Api.Features.Declarations;

public sealed record CreateDeclarationRequest(
    Guid? AgencyId,
    DateOnly? DeclaredOn,
    string? Place,
    string? PublicationUrl,
    IReadOnlyList<DeclaredUnitRequest?>? Units,
    IReadOnlyList<WitnessRequest?>? Witnesses) : IHasExample<CreateDeclarationRequest>
{
    public static CreateDeclarationRequest Example => new(Guid.Parse("3f2b8c1e-6d4a-4f7e-9a51-2c8e7d9b0a11"), new DateOnly(2026, 3, 15), "Auditorium Kementerian PUPR, Jakarta",
        "https://pu.go.id/berita/pencanangan-zona-integritas",
        [new DeclaredUnitRequest(Guid.Parse("8a1d2e3f-4b5c-4d6e-8f70-9a0b1c2d3e4f"), new UnitHead("Kepala Biro Keuangan", "197501012000011001", "Kepala Biro"))],
        [
            new WitnessRequest("Inspektur Jenderal", "Inspektur Jenderal", "Kementerian PUPR"),
            new WitnessRequest("Perwakilan KPK", "Direktur", "Komisi Pemberantasan Korupsi"),
        ]);
}

public sealed record DeclaredUnitRequest(Guid? UnitId, UnitHead? Head);

public sealed record UnitHead(string? Name, string? Nip, string? Position);

public sealed record WitnessRequest(string? Name, string? Position, string? Institution);

public sealed record WithdrawalRequest(string? Reason) : IHasExample<WithdrawalRequest>
{
    public static WithdrawalRequest Example => new("Reorganisasi: biro digabung");
}

public sealed record Declaration(
    Guid Id,
    Guid AgencyId,
    DateOnly DeclaredOn,
    string Place,
    string? PublicationUrl,
    DateTimeOffset CreatedAt,
    Guid CreatedBy,
    IReadOnlyList<DeclaredUnit> Units,
    IReadOnlyList<Witness> Witnesses);

/// <summary>One unit's part in a declaration; <c>active</c> is false once withdrawn.</summary>
public sealed record DeclaredUnit(
    Guid UnitId,
    string UnitCode,
    string UnitName,
    UnitHead Head,
    bool Active,
    DateTimeOffset? WithdrawnAt,
    Guid? WithdrawnBy,
    string? WithdrawalReason);

public sealed record Witness(string Name, string Position, string Institution);

public sealed class CreateDeclarationRequestValidator : AbstractValidator<CreateDeclarationRequest>
{
    public const int MaximumUnits = 200;
    public const int MaximumWitnesses = 50;

    public CreateDeclarationRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.AgencyId).NotEmpty();
        RuleFor(r => r.DeclaredOn).NotNull()
            .Must(d => d <= IndonesiaClock.Today(time)).WithMessage("declaredOn must not be in the future.")
            .Must(d => d >= IndonesiaClock.EarliestZiEvent).WithMessage($"declaredOn must be on or after {IndonesiaClock.EarliestZiEvent:yyyy-MM-dd}.");
        RuleFor(r => r.Place).NotEmpty().MaximumLength(300);
        RuleFor(r => r.PublicationUrl).MaximumLength(2000).Must(BeHttpUrl!).When(r => r.PublicationUrl is not null)
            .WithMessage("publicationUrl must be an absolute http or https URL.");
        RuleFor(r => r.Units).NotEmpty().WithMessage("units must list at least one unit.")
            .Must(u => u is null || u.Count <= MaximumUnits).WithMessage($"A declaration covers at most {MaximumUnits} units.");
        RuleForEach(r => r.Units).NotNull().ChildRules(unit =>
        {
            unit.RuleFor(u => u!.UnitId).NotEmpty();
            unit.RuleFor(u => u!.Head).NotNull().ChildRules(head =>
            {
                head.RuleFor(h => h!.Name).NotEmpty().MaximumLength(200);
                head.RuleFor(h => h!.Position).NotEmpty().MaximumLength(300);
                head.RuleFor(h => h!.Nip).ValidNip(time);
            });
        });
        RuleForEach(r => r.Units).Custom((unit, context) =>
        {
            var units = context.InstanceToValidate.Units!;
            var index = context.PropertyPath.LastIndexOf('[') is var open and >= 0 ? int.Parse(context.PropertyPath[(open + 1)..^1]) : -1;
            if (unit?.UnitId is { } id && index >= 0)
            {
                for (var earlier = 0; earlier < index; earlier++)
                {
                    if (units[earlier]?.UnitId == id)
                    {
                        context.AddFailure("UnitId", $"Unit '{id}' is listed twice (also at units[{earlier}]).");
                        return;
                    }
                }
            }
        });
        RuleFor(r => r.Witnesses).Must(w => w is null || w.Count <= MaximumWitnesses)
            .WithMessage($"A declaration lists at most {MaximumWitnesses} witnesses.");
        RuleForEach(r => r.Witnesses).NotNull().ChildRules(witness =>
        {
            witness.RuleFor(w => w!.Name).NotEmpty().MaximumLength(200);
            witness.RuleFor(w => w!.Position).NotEmpty().MaximumLength(300);
            witness.RuleFor(w => w!.Institution).NotEmpty().MaximumLength(300);
        });
    }

    internal static bool BeHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);
}

public sealed class WithdrawalRequestValidator : AbstractValidator<WithdrawalRequest>
{
    public WithdrawalRequestValidator() => RuleFor(r => r.Reason).NotEmpty().MaximumLength(1000);
}

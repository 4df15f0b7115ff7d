using FluentValidation;

namespace ZonaIntegritas.Api.Features.Units;

public static class UnitRules
{
    public static readonly string[] Kinds =
        ["biro", "pusat", "balai", "upt", "dinas", "direktorat", "sekretariat", "inspektorat", "badan", "kantor", "bagian", "other"];

    public static void Apply<T>(AbstractValidator<T> validator,
        System.Linq.Expressions.Expression<Func<T, string?>> code,
        System.Linq.Expressions.Expression<Func<T, string?>> name,
        System.Linq.Expressions.Expression<Func<T, string?>> kind,
        System.Linq.Expressions.Expression<Func<T, bool?>> providesPublicService,
        System.Linq.Expressions.Expression<Func<T, int?>> employeeCount)
    {
        // Rules apply to the value as stored (NormalizedText), so a full-width code is the code it looks like.
        var normalizedCode = code.Compile();
        var normalizedName = name.Compile();
        validator.RuleFor(r => NormalizedText.Of(normalizedCode(r))).NotEmpty().MaximumLength(50).Matches("^[A-Za-z0-9._-]+$")
            .WithMessage("code may contain only letters, digits, '.', '_' and '-'.").OverridePropertyName("Code");
        validator.RuleFor(r => NormalizedText.Of(normalizedName(r))).NotEmpty().MaximumLength(300).OverridePropertyName("Name");
        validator.RuleFor(kind).NotEmpty().OneOf(Kinds).WithMessage($"kind must be one of: {string.Join(", ", Kinds)}.");
        validator.RuleFor(providesPublicService).NotNull();
        validator.RuleFor(employeeCount).NotNull().InclusiveBetween(0, 1_000_000);
    }
}

using FluentValidation;
using FluentValidation.Validators;

namespace ZonaIntegritas.Api.Http;

/// <summary>A closed vocabulary: the value must be one of a fixed list. The OpenAPI document lists them as an enum.</summary>
public interface IOneOfValidator
{
    IReadOnlyList<string> Values { get; }
}

public sealed class OneOfValidator<T>(IReadOnlyList<string> values) : PropertyValidator<T, string?>, IOneOfValidator
{
    public override string Name => "OneOfValidator";

    public IReadOnlyList<string> Values => values;

    // Null is left to NotEmpty/NotNull, so a missing value is reported once.
    public override bool IsValid(ValidationContext<T> context, string? value) => value is null || values.Contains(value, StringComparer.Ordinal);

    protected override string GetDefaultMessageTemplate(string errorCode) => $"{{PropertyName}} must be one of: {string.Join(", ", values)}.";
}

public static class OneOfRules
{
    public static IRuleBuilderOptions<T, string?> OneOf<T>(this IRuleBuilder<T, string?> rule, IReadOnlyList<string> values) =>
        rule.SetValidator(new OneOfValidator<T>(values));
}

using FluentValidation;

namespace ZonaIntegritas.Api.Http;

/// <summary>
/// The years the service accepts (assessment, fiscal and coverage years), worded once: <see cref="ValidYear{T}"/> for a
/// year in a query or body record, <see cref="Invalid"/> for a year in the route, which no validator sees.
/// </summary>
public static class YearRules
{
    public const int Minimum = 2000;
    public const int Maximum = 2200;
    /// <summary>The refusal, naming the year refused (a typo like 20026 is then plain to see).</summary>
    public static string Message(int? year) => $"year must be between {Minimum} and {Maximum}; got {year}.";

    public static IRuleBuilderOptions<T, int?> ValidYear<T>(this IRuleBuilder<T, int?> rule) =>
        rule.InclusiveBetween(Minimum, Maximum).WithMessage((_, year) => Message(year));

    /// <summary>Null for a valid route year; otherwise the 400 naming <c>year</c>.</summary>
    public static ValidationProblem? Invalid(int year) =>
        year is < Minimum or > Maximum ? Problems.Invalid("year", Message(year)) : null;
}

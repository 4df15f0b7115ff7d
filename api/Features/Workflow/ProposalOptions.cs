using System.Globalization;
using System.ComponentModel.DataAnnotations;

namespace ZonaIntegritas.Api.Features.Workflow;

/// <summary>Bound from the <c>Proposals</c> section.</summary>
public sealed class ProposalOptions : IValidatableObject
{
    public const string Section = "Proposals";

    /// <summary>MM-dd of the assessment year after which proposals are refused.</summary>
    public string DeadlineMonthDay { get; set; } = "05-31";

    public DateOnly DeadlineFor(int year) =>
        DateOnly.ParseExact($"{year:D4}-{DeadlineMonthDay}", "yyyy-MM-dd", CultureInfo.InvariantCulture);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!DateOnly.TryParseExact($"2024-{DeadlineMonthDay}", "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
        {
            yield return new ValidationResult($"Proposals:DeadlineMonthDay must be a month and day as MM-dd (e.g. 05-31); got '{DeadlineMonthDay}'.", [nameof(DeadlineMonthDay)]);
        }
    }
}

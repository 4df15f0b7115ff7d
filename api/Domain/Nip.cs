using FluentValidation;
using System.Globalization;

namespace ZonaIntegritas.Api.Domain;

/// <summary>
/// Nomor Induk Pegawai: 18 digits = birth date (yyyyMMdd) + civil-service start (yyyyMM) + gender (1/2) + sequence (001–999).
/// </summary>
public static class Nip
{
    private const int MinimumAgeAtStart = 18;
    private const int MaximumAgeAtStart = 60;

    /// <summary>The floor of every date about a person in the API.</summary>
    public static readonly DateOnly EarliestBirth = new(1950, 1, 1);

    /// <summary>Every part that is wrong, each named; empty when the NIP is valid.</summary>
    public static IReadOnlyList<string> Problems(string? nip, DateOnly today)
    {
        if (string.IsNullOrEmpty(nip))
        {
            return ["nip is required."];
        }
        if (nip.Length != 18 || !nip.All(char.IsAsciiDigit))
        {
            return [$"nip must be exactly 18 digits; got {nip.Length} character(s)" + (nip.All(char.IsAsciiDigit) ? "." : " including non-digits.")];
        }

        var problems = new List<string>();
        var birthDigits = nip[..8];
        var startDigits = nip[8..14];
        var validBirth = DateOnly.TryParseExact(birthDigits, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var birth);
        if (!validBirth)
        {
            problems.Add($"nip birth date (digits 1-8) '{birthDigits}' is not a real date.");
        }
        else if (birth < EarliestBirth)
        {
            problems.Add($"nip birth date (digits 1-8) '{birthDigits}' is before {EarliestBirth:yyyy-MM-dd}; no serving civil servant was born then.");
        }
        var startYear = int.Parse(startDigits[..4], CultureInfo.InvariantCulture);
        var startMonth = int.Parse(startDigits[4..], CultureInfo.InvariantCulture);
        if (startYear < 1900 || startMonth is < 1 or > 12)
        {
            problems.Add($"nip civil-service start (digits 9-14) '{startDigits}' is not a real year and month (yyyyMM).");
        }
        else
        {
            var start = startYear * 12 + startMonth - 1;
            if (start > today.Year * 12 + today.Month - 1)
            {
                problems.Add($"nip civil-service start (digits 9-14) '{startDigits}' is in the future.");
            }
            if (validBirth)
            {
                // Ages are compared in whole months: the start is only known to the month.
                var ageInMonths = start - (birth.Year * 12 + birth.Month - 1);
                if (ageInMonths < MinimumAgeAtStart * 12)
                {
                    problems.Add($"nip civil-service start (digits 9-14) '{startDigits}' is before the 18th birthday implied by the birth date '{birthDigits}'.");
                }
                else if (ageInMonths >= (MaximumAgeAtStart + 1) * 12)
                {
                    problems.Add($"nip civil-service start (digits 9-14) '{startDigits}' would make the employee older than {MaximumAgeAtStart} at start (birth date '{birthDigits}').");
                }
            }
        }
        if (nip[14] is not ('1' or '2'))
        {
            problems.Add($"nip gender digit (digit 15) must be 1 (male) or 2 (female); got '{nip[14]}'.");
        }
        if (nip[15..] == "000")
        {
            problems.Add("nip sequence number (digits 16-18) must be between 001 and 999; got '000'.");
        }
        return problems;
    }

    public static IRuleBuilderOptionsConditions<T, string?> ValidNip<T>(this IRuleBuilder<T, string?> rule, TimeProvider time) =>
        rule.Custom((nip, context) =>
        {
            foreach (var problem in Problems(nip, IndonesiaClock.Today(time)))
            {
                context.AddFailure(problem);
            }
        });
}


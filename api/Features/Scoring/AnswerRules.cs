using System.Globalization;
using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Api.Features.Scoring;

/// <summary>The outcome of checking one answer: the value to store, or an error naming the item and what it takes.</summary>
public sealed record AnswerCheck(string? Value, string? Error, bool IsUnknownItem = false)
{
    public static AnswerCheck Valid(string value) => new(value, null);
    public static AnswerCheck Invalid(string error) => new(null, error);
}

/// <summary>
/// What each answer type accepts. YA_TIDAK accepts "ya"/"tidak" in any letter case and stores "Ya"/"Tidak"; letter
/// answers must be capitals; numbers may come as JSON numbers or numeric strings and are stored in invariant form.
/// </summary>
public static class AnswerRules
{
    public const long MaximumCount = 1_000_000_000;

    public static AnswerCheck Normalize(Framework framework, string itemCode, JsonElement? value)
    {
        if (!framework.TryGetItem(itemCode, out var item))
        {
            return new AnswerCheck(null, $"Item '{itemCode}' is not part of framework {framework.Code}.", IsUnknownItem: true);
        }
        if (item.AnswerType == "PERSEN")
        {
            return AnswerCheck.Invalid(
                $"{item.Code} is a percentage computed from {string.Join(", ", item.Formula!.RequiredInputs)} ({item.Formula.Expression}); answer those items instead.");
        }
        if (value is not { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) } given)
        {
            return AnswerCheck.Invalid($"{item.Code}: value is required ({Allowed(item)}).");
        }
        return item.AnswerType switch
        {
            "YA_TIDAK" => Choice(item, given, ignoreCase: true),
            "ABC" or "ABCD" or "ABCDE" => Choice(item, given, ignoreCase: false),
            "NILAI_0_4" => Number(item, given, out var number) && number is >= 0 and <= 4 && number.Scale <= 2
                ? AnswerCheck.Valid(number.ToString("0.##", CultureInfo.InvariantCulture))
                : AnswerCheck.Invalid($"{item.Code} (NILAI_0_4) takes a number from 0 to 4 with at most 2 decimals; got {given.GetRawText()}."),
            "JUMLAH" => Number(item, given, out var count) && count >= 0 && count <= MaximumCount && count == decimal.Truncate(count)
                ? AnswerCheck.Valid(decimal.Truncate(count).ToString(CultureInfo.InvariantCulture))
                : AnswerCheck.Invalid($"{item.Code} (JUMLAH) takes a whole number from 0 to {MaximumCount}; got {given.GetRawText()}."),
            _ => AnswerCheck.Invalid($"{item.Code} has answer type {item.AnswerType}, which cannot be answered."),
        };
    }

    /// <summary>How the allowed values of an item read in messages and documentation.</summary>
    public static string Allowed(FrameworkItem item) => item.AnswerType switch
    {
        "NILAI_0_4" => "a number from 0 to 4 with at most 2 decimals",
        "JUMLAH" => "a whole number of 0 or more",
        "PERSEN" => $"computed from {string.Join(", ", item.Formula!.RequiredInputs)}",
        _ => string.Join(" or ", item.Options!.Select(o => $"\"{o.Value}\"")),
    };

    private static AnswerCheck Choice(FrameworkItem item, JsonElement given, bool ignoreCase)
    {
        if (given.ValueKind == JsonValueKind.String)
        {
            var text = given.GetString()!;
            var comparison = ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
            if (item.Options!.FirstOrDefault(o => string.Equals(o.Value, text, comparison)) is { } option)
            {
                return AnswerCheck.Valid(option.Value);
            }
        }
        return AnswerCheck.Invalid($"{item.Code} ({item.AnswerType}) takes {Allowed(item)}; got {given.GetRawText()}.");
    }

    private static bool Number(FrameworkItem item, JsonElement given, out decimal number)
    {
        number = 0;
        return given.ValueKind switch
        {
            JsonValueKind.Number => given.TryGetDecimal(out number),
            JsonValueKind.String => decimal.TryParse(given.GetString(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }
}

using System.Globalization;
using System.Text.Json.Serialization;

namespace ZonaIntegritas.Api.Http;

/// <summary>
/// Marks a rupiah amount. It is written as a decimal string with exactly two decimals (<c>"669440000000.00"</c>), so that
/// no client parses it as a binary double: 125000000000000.37 is past 2^53 sen and would come back as …0.38. A string
/// with more decimals is read exactly and left to the validators to refuse; a JSON number is still accepted when its
/// literal is exact as a decimal (deprecated: send strings).
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field | AttributeTargets.Parameter)]
public sealed class MoneyAttribute : JsonConverterAttribute
{
    /// <summary>At most two decimals; what the document promises and what the service writes.</summary>
    public const string Pattern = "^-?(0|[1-9][0-9]*)(\\.[0-9]{1,2})?$";

    public override JsonConverter? CreateConverter(Type typeToConvert) =>
        typeToConvert == typeof(decimal) ? new MoneyConverter()
        : typeToConvert == typeof(decimal?) ? new NullableMoneyConverter()
        : throw new InvalidOperationException($"[Money] applies to decimal properties, not {typeToConvert.Name}.");

    internal static decimal Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = reader.GetString()!;
            if (text.Length is > 0 and <= 40 && IsPlainDecimal(text)
                && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed))
            {
                return parsed;
            }
            throw new JsonException($"'{text}' is not an amount: send rupiah as a decimal string with at most 2 decimals, e.g. \"1500000.50\".");
        }
        if (reader.TokenType == JsonTokenType.Number)
        {
            var literal = reader.HasValueSequence ? System.Buffers.BuffersExtensions.ToArray(reader.ValueSequence) : reader.ValueSpan.ToArray();
            if (SignificantDigits(literal) <= 28 && reader.TryGetDecimal(out var number))
            {
                return number;
            }
            throw new JsonException("The amount has more digits than can be kept exactly; send it as a decimal string, e.g. \"1500000.50\".");
        }
        throw new JsonException($"An amount must be a decimal string such as \"1500000.50\"; got {reader.TokenType}.");
    }

    internal static void Write(Utf8JsonWriter writer, decimal value) =>
        writer.WriteStringValue(value.ToString("0.00", CultureInfo.InvariantCulture));

    private static bool IsPlainDecimal(string text)
    {
        var i = text[0] == '-' ? 1 : 0;
        var digits = 0;
        var point = false;
        for (; i < text.Length; i++)
        {
            if (text[i] is >= '0' and <= '9')
            {
                digits++;
            }
            else if (text[i] == '.' && !point && digits > 0)
            {
                point = true;
            }
            else
            {
                return false;
            }
        }
        return digits > 0 && text[^1] != '.';
    }

    private static int SignificantDigits(byte[] literal)
    {
        var count = 0;
        var leading = true;
        foreach (var b in literal)
        {
            if (b is (byte)'e' or (byte)'E')
            {
                break;
            }
            if (b is >= (byte)'0' and <= (byte)'9')
            {
                if (leading && b == (byte)'0')
                {
                    continue;
                }
                leading = false;
                count++;
            }
        }
        return count;
    }
}

public sealed class MoneyConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) => MoneyAttribute.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => MoneyAttribute.Write(writer, value);
}

public sealed class NullableMoneyConverter : JsonConverter<decimal?>
{
    public override bool HandleNull => true;

    public override decimal? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Null ? null : MoneyAttribute.Read(ref reader);

    public override void Write(Utf8JsonWriter writer, decimal? value, JsonSerializerOptions options)
    {
        if (value is { } amount)
        {
            MoneyAttribute.Write(writer, amount);
        }
        else
        {
            writer.WriteNullValue();
        }
    }
}

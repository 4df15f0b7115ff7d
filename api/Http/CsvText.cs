using System.Globalization;
using System.Text;

namespace ZonaIntegritas.Api.Http;

/// <summary>CSV answers for spreadsheets: UTF-8, a header row, CRLF line ends, RFC 4180 quoting.</summary>
public static class CsvText
{
    public static bool Wanted(HttpRequest request) =>
        request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase));

    public static ContentHttpResult Result(IReadOnlyList<string> header, IEnumerable<object?[]> rows) =>
        TypedResults.Text(Text(header, rows), ContentType, Encoding.UTF8);

    public static FileContentHttpResult Bytes(IReadOnlyList<string> header, IEnumerable<object?[]> rows) =>
        TypedResults.Bytes(Encoding.UTF8.GetBytes(Text(header, rows)), ContentType);

    public const string ContentType = "text/csv; charset=utf-8";

    private static string Text(IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        var builder = new StringBuilder();
        builder.Append(string.Join(',', header)).Append("\r\n");
        foreach (var row in rows)
        {
            builder.Append(string.Join(',', row.Select(Field))).Append("\r\n");
        }
        return builder.ToString();
    }

    public static string Field(object? value)
    {
        var text = value switch
        {
            null => "",
            bool b => b ? "true" : "false",
            DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            DateTimeOffset t => t.ToString("O", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            _ => value.ToString() ?? "",
        };
        // OWASP CSV injection: a cell starting with = + - @ tab or CR is a formula to a spreadsheet; a leading quote keeps it
        // text. Only cells of numeric columns (numbers, not text that looks like one) may start with '-'.
        if (!IsNumber(value) && text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }
        return text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? $"\"{text.Replace("\"", "\"\"")}\"" : text;
    }

    private static bool IsNumber(object? value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or decimal or double or float;
}

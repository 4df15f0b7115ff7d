using System.Globalization;
using System.Text;
using CsvHelper;

namespace ZonaIntegritas.Api.Http;

/// <summary>
/// List exports for spreadsheets (compliance, absorption, audit): CSV (UTF-8 with a BOM so Excel reads it as UTF-8, a
/// header row, CRLF, RFC 4180 quoting by CsvHelper; <c>?delimiter=semicolon</c> for Indonesian-locale Excel, which splits
/// on ';') or, with <c>Accept: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet</c>, .xlsx with typed cells.
/// </summary>
public static class CsvText
{
    public const string ContentType = "text/csv; charset=utf-8";
    public const string DelimiterParameter = "delimiter";
    public static readonly string[] Delimiters = ["comma", "semicolon"];

    /// <summary>A CSV or .xlsx answer is wanted rather than JSON.</summary>
    public static bool Wanted(HttpRequest request) => Format(request) is not null;

    /// <summary>What the answer is, for cache keys: "csv,", "csv;", "xlsx"; null for JSON.</summary>
    public static string? Format(HttpRequest request)
    {
        var accept = request.GetTypedHeaders().Accept;
        if (accept.Any(a => a.MediaType.Equals(SpreadsheetTable.ContentType, StringComparison.OrdinalIgnoreCase)))
        {
            return "xlsx";
        }
        if (accept.Any(a => a.MediaType.Equals("text/csv", StringComparison.OrdinalIgnoreCase)))
        {
            return "csv" + Delimiter(request);
        }
        return null;
    }

    public static FileContentHttpResult Result(HttpRequest request, string sheetName, IReadOnlyList<string> header, IEnumerable<object?[]> rows) =>
        Bytes(request, sheetName, header, rows);

    public static FileContentHttpResult Bytes(HttpRequest request, string sheetName, IReadOnlyList<string> header, IEnumerable<object?[]> rows) =>
        Format(request) == "xlsx"
            ? SpreadsheetTable.Bytes(sheetName, header, rows)
            : TypedResults.Bytes(Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes(Text(header, rows, Delimiter(request)))).ToArray(), ContentType);

    /// <summary>';' when asked for (<c>?delimiter=semicolon</c>), else ','.</summary>
    public static string Delimiter(HttpRequest request) =>
        string.Equals(request.Query[DelimiterParameter], "semicolon", StringComparison.OrdinalIgnoreCase) ? ";" : ",";

    private static string Text(IReadOnlyList<string> header, IEnumerable<object?[]> rows, string delimiter)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        Write(text, header, rows, delimiter);
        return text.ToString();
    }

    /// <summary>Writes the CSV (without BOM) row by row, for exports streamed through a file.</summary>
    public static void Write(TextWriter text, IReadOnlyList<string> header, IEnumerable<object?[]> rows, string delimiter)
    {
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Separator = delimiter[0], NewLine = "\r\n", FormatProvider = CultureInfo.InvariantCulture }, true))
        {
            foreach (var name in header)
            {
                csv.WriteField(name);
            }
            csv.EndRecord();
            foreach (var row in rows)
            {
                foreach (var value in row)
                {
                    csv.WriteField(Field(value));
                }
                csv.EndRecord();
            }
        }
    }

    /// <summary>The text of one field before quoting.</summary>
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
        return text;
    }

    private static bool IsNumber(object? value) =>
        value is sbyte or byte or short or ushort or int or uint or long or ulong or decimal or double or float;
}

/// <summary>
/// Refuses an unknown <c>?delimiter=</c> (400 naming it) on every operation that answers CSV, instead of silently using ','.
/// Registered once on the /api/v1 group; operations without a CSV answer ignore the parameter.
/// </summary>
public sealed class CsvDelimiterFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (http.Request.Query.TryGetValue(CsvText.DelimiterParameter, out var given)
            && !CsvText.Delimiters.Contains(given.ToString(), StringComparer.OrdinalIgnoreCase)
            && http.GetEndpoint()?.Metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IProducesResponseTypeMetadata>().Any(p => p.ContentTypes.Contains("text/csv")) == true)
        {
            return ValueTask.FromResult<object?>(Problems.Invalid(CsvText.DelimiterParameter,
                $"delimiter must be one of: {string.Join(", ", CsvText.Delimiters)}; got '{given}'."));
        }
        return next(context);
    }
}

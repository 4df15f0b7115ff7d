using CsvHelper;

namespace ZonaIntegritas.Api.Features.IntegrityPacts;

/// <summary>
/// Reads CSV uploads with CsvHelper: the separator is detected (',' or ';', as Indonesian-locale Excel writes), a BOM and
/// Excel's <c>sep=;</c> line are skipped, double-quoted fields may hold separators, quotes and line breaks.
/// </summary>
public static class Csv
{
    public sealed record Row(int LineNumber, IReadOnlyList<string> Fields);

    public static IEnumerable<Row> Read(TextReader text)
    {
        using var reader = CsvReader.Create(text, new CsvReaderOptions { HasHeader = false, TrackLineNumbers = true, AllowLineBreaksInQuotes = true }, true);
        var line = 1;
        while (true)
        {
            bool more;
            try
            {
                more = reader.Read();
            }
            catch (CsvFormatException e)
            {
                throw new FormatException($"The CSV file cannot be read near line {line}: {e.Message}", e);
            }
            if (!more)
            {
                yield break;
            }
            var fields = new string[reader.FieldCount];
            for (var i = 0; i < fields.Length; i++)
            {
                fields[i] = reader[i].ToString();
            }
            yield return new Row(line, fields);
            line = (int)reader.LineNumber + 1;
        }
    }
}

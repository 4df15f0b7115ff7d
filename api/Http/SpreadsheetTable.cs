using MiniExcelLibs;
using MiniExcelLibs.Attributes;
using MiniExcelLibs.OpenXml;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ZonaIntegritas.Api.Http;

/// <summary>
/// List exports as .xlsx: one sheet, a frozen header row, column widths, typed cells (numbers as numbers, decimals such
/// as rupiah shown with 2 decimals, dates and times as dates, booleans as booleans, everything else as text: values are
/// written as cell values, never as formulas). MiniExcel writes rows into the zip as they come, so a 100,000-row export
/// is never held in memory (the OpenXML SDK buffers a whole part on .NET); only the first rows are looked at to pick
/// each column's number format.
/// </summary>
public static class SpreadsheetTable
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const int Lookahead = 100;

    public static void Write(Stream output, string sheetName, IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        using var enumerator = rows.GetEnumerator();
        var first = new List<object?[]>();
        while (first.Count < Lookahead && enumerator.MoveNext())
        {
            first.Add(enumerator.Current);
        }
        var columns = header.Select((name, i) =>
        {
            var sample = first.Select(r => i < r.Length ? r[i] : null).FirstOrDefault(v => v is not null);
            return new DynamicExcelColumn(name)
            {
                Width = Math.Clamp(name.Length + 4, 12, 40),
                Format = sample switch
                {
                    decimal or double or float => "0.00",
                    DateOnly => "yyyy-mm-dd",
                    DateTimeOffset or DateTime => "yyyy-mm-dd hh:mm:ss",
                    _ => null,
                },
            };
        }).ToArray();
        var configuration = new OpenXmlConfiguration
        {
            FreezeRowCount = 1,
            FreezeColumnCount = 0,
            TableStyles = TableStyles.None,
            AutoFilter = false,
            DynamicColumns = columns,
            EnableWriteNullValueCell = false,
        };
        output.SaveAs(Records(header, first, enumerator), sheetName: sheetName, excelType: ExcelType.XLSX, configuration: configuration);
    }

    public static FileContentHttpResult Bytes(string sheetName, IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        using var memory = new MemoryStream();
        Write(memory, sheetName, header, rows);
        return TypedResults.Bytes(memory.ToArray(), ContentType);
    }

    private static IEnumerable<IDictionary<string, object?>> Records(IReadOnlyList<string> header, List<object?[]> first, IEnumerator<object?[]> rest)
    {
        foreach (var row in first)
        {
            yield return Record(header, row);
        }
        while (rest.MoveNext())
        {
            yield return Record(header, rest.Current);
        }
    }

    private static Dictionary<string, object?> Record(IReadOnlyList<string> header, object?[] row)
    {
        var record = new Dictionary<string, object?>(header.Count);
        for (var i = 0; i < header.Count; i++)
        {
            record[header[i]] = (i < row.Length ? row[i] : null) switch
            {
                DateOnly date => date.ToDateTime(TimeOnly.MinValue),
                DateTimeOffset at => at.UtcDateTime,
                Guid id => id.ToString("D"),
                string text => text,
                null => null,
                IFormattable or bool => row[i],
                var other => other.ToString(),
            };
        }
        return record;
    }
}

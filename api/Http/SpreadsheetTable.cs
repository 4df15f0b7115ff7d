using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ZonaIntegritas.Api.Http;

/// <summary>
/// List exports as .xlsx: one sheet, a bold frozen header row, column widths, typed cells (numbers as numbers, money and
/// other decimals with 2 decimals shown, dates and times as dates, booleans as booleans, everything else as inline
/// text, so no cell can ever be a formula). Rows are written with OpenXmlWriter as they come, never held as a DOM.
/// </summary>
public static class SpreadsheetTable
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    private const uint Header = 1, Decimal = 2, Date = 3, DateTime = 4;
    private static readonly DateTime Epoch = new(1899, 12, 30);

    public static void Write(Stream output, string sheetName, IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        using var document = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        var workbookPart = document.AddWorkbookPart();
        workbookPart.AddNewPart<WorkbookStylesPart>().Stylesheet = Styles();
        var sheetPart = workbookPart.AddNewPart<WorksheetPart>();
        using (var writer = OpenXmlWriter.Create(sheetPart))
        {
            writer.WriteStartElement(new Worksheet());
            writer.WriteElement(new SheetViews(new SheetView(new Pane { VerticalSplit = 1D, TopLeftCell = "A2", ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen }) { WorkbookViewId = 0 }));
            writer.WriteElement(new Columns(header.Select((h, i) => new Column { Min = (uint)i + 1, Max = (uint)i + 1, Width = Math.Clamp(h.Length + 4, 12, 40), CustomWidth = true })));
            writer.WriteStartElement(new SheetData());
            WriteRow(writer, 1, header.Select(h => (object?)h).ToArray(), Header);
            var index = 2;
            foreach (var row in rows)
            {
                WriteRow(writer, index++, row, null);
            }
            writer.WriteEndElement();
            writer.WriteEndElement();
        }
        workbookPart.Workbook = new Workbook(new Sheets(new Sheet { Name = sheetName, SheetId = 1, Id = workbookPart.GetIdOfPart(sheetPart) }));
    }

    public static FileContentHttpResult Bytes(string sheetName, IReadOnlyList<string> header, IEnumerable<object?[]> rows)
    {
        using var memory = new MemoryStream();
        Write(memory, sheetName, header, rows);
        return TypedResults.Bytes(memory.ToArray(), ContentType);
    }

    private static void WriteRow(OpenXmlWriter writer, int index, object?[] values, uint? style)
    {
        writer.WriteStartElement(new Row(), [new OpenXmlAttribute("r", "", index.ToString(System.Globalization.CultureInfo.InvariantCulture))]);
        foreach (var value in values)
        {
            if (Cell(value, style) is { } cell)
            {
                writer.WriteElement(cell);
            }
            else
            {
                writer.WriteElement(new Cell());
            }
        }
        writer.WriteEndElement();
    }

    private static Cell? Cell(object? value, uint? style)
    {
        static string Invariant(IFormattable f) => f.ToString(null, System.Globalization.CultureInfo.InvariantCulture);
        return value switch
        {
            null => null,
            bool b => new Cell { DataType = CellValues.Boolean, CellValue = new CellValue(b ? "1" : "0") },
            decimal d => new Cell { CellValue = new CellValue(Invariant(d)), StyleIndex = Decimal },
            double or float => new Cell { CellValue = new CellValue(Invariant((IFormattable)value)), StyleIndex = Decimal },
            sbyte or byte or short or ushort or int or uint or long or ulong => new Cell { CellValue = new CellValue(Invariant((IFormattable)value)) },
            DateOnly date => new Cell { CellValue = new CellValue(Invariant((date.ToDateTime(TimeOnly.MinValue) - Epoch).TotalDays)), StyleIndex = Date },
            DateTimeOffset at => new Cell { CellValue = new CellValue(Invariant((at.UtcDateTime - Epoch).TotalDays)), StyleIndex = DateTime },
            _ => new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(value.ToString() ?? "") { Space = SpaceProcessingModeValues.Preserve }), StyleIndex = style },
        };
    }

    private static Stylesheet Styles() => new(
        new NumberingFormats(
            new NumberingFormat { NumberFormatId = 164, FormatCode = "yyyy-mm-dd" },
            new NumberingFormat { NumberFormatId = 165, FormatCode = "yyyy-mm-dd hh:mm:ss" }) { Count = 2 },
        new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
        new Borders(new Border()) { Count = 1 },
        new CellStyleFormats(new CellFormat()) { Count = 1 },
        new CellFormats(
            new CellFormat(),
            new CellFormat { FontId = 1, ApplyFont = true },
            new CellFormat { NumberFormatId = 4, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 164, ApplyNumberFormat = true },
            new CellFormat { NumberFormatId = 165, ApplyNumberFormat = true }) { Count = 5 });
}

using System.IO.Compression;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace ZonaIntegritas.Api.Features.Workbook;

public enum CellKind { Text, Number, Boolean, Error }

/// <summary>A cell as stored: its kind, its text (a formula's cached result, never evaluated) and whether it holds a formula.</summary>
public sealed record CellRead(CellKind Kind, string Text, bool IsFormula);

/// <summary>The cells of sheet Jawaban the import needs, with the merged ranges; or why the file cannot be read.</summary>
public sealed record SheetRead(IReadOnlyDictionary<string, CellRead>? Cells, IReadOnlyList<string> Merged, int Status, string? Problem)
{
    public static SheetRead Refused(int status, string problem) => new(null, [], status, problem);
}

/// <summary>
/// Reads an uploaded .xlsx without trusting it: the zip's declared sizes and entry count are checked before anything is
/// inflated (zip bombs), macro-enabled workbooks are refused, parts are read with a character limit, the sheet is read as a
/// stream of elements with a cell limit. Formulas are never evaluated and external links never followed: a formula cell
/// counts with the value its author's spreadsheet cached.
/// </summary>
public static class WorkbookReader
{
    public const long MaximumInflatedBytes = 64L * 1024 * 1024;
    public const int MaximumEntries = 1_000;
    public const int MaximumCells = 200_000;
    /// <summary>Per XML part (the sheet, the shared strings): far above an LKE workbook, far below what would strain memory.</summary>
    public const long MaximumCharactersInPart = 32L * 1024 * 1024;

    public static SheetRead Read(Stream file, string sheetName, ISet<string> columns)
    {
        Span<byte> signature = stackalloc byte[4];
        if (file.Length < 4 || file.Read(signature) < 4 || signature[0] != 'P' || signature[1] != 'K' || signature[2] != 3 || signature[3] != 4)
        {
            return NotXlsx("the file is not a zip package");
        }
        file.Position = 0;
        try
        {
            using (var zip = new ZipArchive(file, ZipArchiveMode.Read, leaveOpen: true))
            {
                if (zip.Entries.Count > MaximumEntries)
                {
                    return SheetRead.Refused(StatusCodes.Status413PayloadTooLarge, $"The workbook has {zip.Entries.Count} parts; at most {MaximumEntries} are accepted.");
                }
                var inflated = zip.Entries.Sum(e => e.Length);
                if (inflated > MaximumInflatedBytes)
                {
                    return SheetRead.Refused(StatusCodes.Status413PayloadTooLarge, $"The workbook inflates to {inflated} bytes; at most {MaximumInflatedBytes} are accepted.");
                }
                if (zip.Entries.Any(e => e.FullName.EndsWith("vbaProject.bin", StringComparison.OrdinalIgnoreCase)))
                {
                    return NotXlsx("it is a macro-enabled workbook (.xlsm); save it as an .xlsx workbook without macros");
                }
            }
            file.Position = 0;
            using var document = SpreadsheetDocument.Open(file, false, new OpenSettings { MaxCharactersInPart = MaximumCharactersInPart, AutoSave = false });
            var workbookPart = document.WorkbookPart;
            if (workbookPart?.Workbook.Sheets is not { } sheets)
            {
                return NotXlsx("it has no workbook part");
            }
            var sheet = sheets.Elements<Sheet>().FirstOrDefault(s => string.Equals(s.Name?.Value, sheetName, StringComparison.OrdinalIgnoreCase));
            if (sheet?.Id?.Value is not { } id || workbookPart.GetPartById(id) is not WorksheetPart worksheetPart)
            {
                return SheetRead.Refused(StatusCodes.Status400BadRequest,
                    $"This is not the LKE workbook layout: there is no sheet '{sheetName}' (sheets: {string.Join(", ", sheets.Elements<Sheet>().Select(s => s.Name?.Value))}).");
            }
            var strings = workbookPart.SharedStringTablePart?.SharedStringTable?.Elements<SharedStringItem>().Select(s => s.InnerText).ToList() ?? [];
            return ReadSheet(worksheetPart, strings, columns);
        }
        catch (Exception e) when (e is InvalidDataException or OpenXmlPackageException or System.IO.FileFormatException or System.Xml.XmlException or InvalidOperationException)
        {
            return NotXlsx("it could not be read as a spreadsheet package");
        }
    }

    private static SheetRead ReadSheet(WorksheetPart part, List<string> strings, ISet<string> columns)
    {
        var cells = new Dictionary<string, CellRead>(StringComparer.OrdinalIgnoreCase);
        var merged = new List<string>();
        var count = 0;
        uint row = 0;
        var column = 0;
        using var reader = OpenXmlReader.Create(part);
        while (reader.Read())
        {
            if (!reader.IsStartElement)
            {
                continue;
            }
            if (reader.ElementType == typeof(Row))
            {
                var r = reader.Attributes.FirstOrDefault(a => a.LocalName == "r").Value;
                row = r is not null && uint.TryParse(r, out var index) ? index : row + 1;
                column = 0;
            }
            else if (reader.ElementType == typeof(Cell))
            {
                if (++count > MaximumCells)
                {
                    return SheetRead.Refused(StatusCodes.Status413PayloadTooLarge, $"Sheet Jawaban has more than {MaximumCells} cells.");
                }
                var cell = (Cell)reader.LoadCurrentElement()!;
                var reference = cell.CellReference?.Value;
                column = reference is not null ? SheetCells.Split(reference).Column : column + 1;
                reference ??= $"{ColumnName(column)}{row}";
                var name = ColumnName(column);
                if (columns.Contains(name) && Value(cell, strings) is { } value)
                {
                    cells[reference] = value;
                }
            }
            else if (reader.ElementType == typeof(MergeCell))
            {
                if (((MergeCell)reader.LoadCurrentElement()!).Reference?.Value is { } range)
                {
                    merged.Add(range);
                }
            }
        }
        return new SheetRead(cells, merged, StatusCodes.Status200OK, null);
    }

    private static CellRead? Value(Cell cell, List<string> strings)
    {
        var isFormula = cell.CellFormula is not null;
        var raw = cell.CellValue?.Text;
        var type = cell.DataType?.Value;
        if (type == CellValues.InlineString)
        {
            return new CellRead(CellKind.Text, cell.InlineString?.InnerText ?? "", isFormula);
        }
        if (raw is null)
        {
            return isFormula ? new CellRead(CellKind.Error, "", true) : null;
        }
        if (type == CellValues.SharedString)
        {
            return int.TryParse(raw, out var index) && index >= 0 && index < strings.Count ? new CellRead(CellKind.Text, strings[index], isFormula) : new CellRead(CellKind.Error, raw, isFormula);
        }
        if (type == CellValues.String || type == CellValues.Date)
        {
            return new CellRead(CellKind.Text, raw, isFormula);
        }
        if (type == CellValues.Boolean)
        {
            return new CellRead(CellKind.Boolean, raw, isFormula);
        }
        if (type == CellValues.Error)
        {
            return new CellRead(CellKind.Error, raw, isFormula);
        }
        return new CellRead(CellKind.Number, raw, isFormula);
    }

    public static string ColumnName(int column)
    {
        var name = "";
        for (; column > 0; column = (column - 1) / 26)
        {
            name = (char)('A' + (column - 1) % 26) + name;
        }
        return name;
    }

    private static SheetRead NotXlsx(string why) =>
        SheetRead.Refused(StatusCodes.Status415UnsupportedMediaType, $"The body is not an .xlsx workbook: {why}.");
}

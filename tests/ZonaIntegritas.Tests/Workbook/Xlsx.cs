using System.Diagnostics;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;

namespace ZonaIntegritas.Tests.Workbook;

/// <summary>A cell as a test sees it: formula (or null) and the stored value as text.</summary>
public sealed record XCell(string? Formula, string? Value, string? Type);

/// <summary>Reads and writes .xlsx files in tests with the OpenXML SDK, and recalculates them with LibreOffice.</summary>
public static class Xlsx
{
    public static Dictionary<string, Dictionary<string, XCell>> Read(byte[] bytes)
    {
        using var stream = new MemoryStream(bytes);
        using var document = SpreadsheetDocument.Open(stream, false);
        var part = document.WorkbookPart!;
        var strings = part.SharedStringTablePart?.SharedStringTable.Elements<SharedStringItem>().Select(s => s.InnerText).ToList() ?? [];
        var sheets = new Dictionary<string, Dictionary<string, XCell>>();
        foreach (var sheet in part.Workbook.Sheets!.Elements<Sheet>())
        {
            var cells = new Dictionary<string, XCell>();
            var worksheet = ((WorksheetPart)part.GetPartById(sheet.Id!)).Worksheet;
            foreach (var cell in worksheet.Descendants<Cell>())
            {
                var type = cell.DataType?.Value;
                var value = type == CellValues.InlineString ? cell.InlineString?.InnerText
                    : type == CellValues.SharedString ? strings[int.Parse(cell.CellValue!.Text)]
                    : cell.CellValue?.Text;
                cells[cell.CellReference!] = new XCell(cell.CellFormula?.Text, value, type?.ToString());
            }
            sheets[sheet.Name!] = cells;
        }
        return sheets;
    }

    /// <summary>The row of sheet Ringkasan whose column A holds the key: the figure's row, or with <paramref name="rule"/> the rule's (both can be "total").</summary>
    public static int RowOf(Dictionary<string, XCell> sheet, string key, bool rule = false)
    {
        var rows = sheet.Where(c => c.Key.StartsWith('A') && char.IsDigit(c.Key[1]) && c.Value.Value == key).Select(c => int.Parse(c.Key[1..])).Order().ToList();
        return rule ? rows[^1] : rows[0];
    }

    /// <summary>Removes every cached formula result and puts a wrong total in, so only a real recalculation gets the numbers right.</summary>
    public static byte[] WithoutCachedValues(byte[] bytes, string wrongCell)
    {
        using var stream = new MemoryStream();
        stream.Write(bytes);
        using (var document = SpreadsheetDocument.Open(stream, true))
        {
            foreach (var worksheetPart in document.WorkbookPart!.WorksheetParts)
            {
                foreach (var cell in worksheetPart.Worksheet.Descendants<Cell>().Where(c => c.CellFormula is not null))
                {
                    cell.CellValue = new CellValue(cell.CellReference == wrongCell ? "999" : "0");
                    cell.DataType = null;
                }
                worksheetPart.Worksheet.Save();
            }
        }
        return stream.ToArray();
    }

    /// <summary>
    /// Recalculates files with headless LibreOffice Calc (one run, own profile so parallel tests do not collide): the
    /// profile sets Calc's OOXMLRecalcMode to 0, "always recalculate on load"; the default (1) keeps cached values.
    /// </summary>
    public static IReadOnlyList<byte[]> Recalculate(IReadOnlyList<byte[]> files)
    {
        var root = Path.Combine(Path.GetTempPath(), "zi-lo-" + Guid.NewGuid().ToString("N"));
        var profile = Path.Combine(root, "profile");
        Directory.CreateDirectory(Path.Combine(profile, "user"));
        File.WriteAllText(Path.Combine(profile, "user", "registrymodifications.xcu"), """
            <?xml version="1.0" encoding="UTF-8"?>
            <oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
            <item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
            </oor:items>
            """);
        var input = Path.Combine(root, "in");
        var output = Path.Combine(root, "out");
        Directory.CreateDirectory(input);
        Directory.CreateDirectory(output);
        var names = new List<string>();
        for (var i = 0; i < files.Count; i++)
        {
            var path = Path.Combine(input, $"w{i:D2}.xlsx");
            File.WriteAllBytes(path, files[i]);
            names.Add(path);
        }
        try
        {
            var start = new ProcessStartInfo("soffice") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in new[] { $"-env:UserInstallation=file://{profile}", "--headless", "--norestore", "--convert-to", "xlsx:Calc Office Open XML", "--outdir", output })
            {
                start.ArgumentList.Add(argument);
            }
            names.ForEach(start.ArgumentList.Add);
            using var process = Process.Start(start)!;
            var log = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            Assert.True(process.WaitForExit(TimeSpan.FromMinutes(4)), "LibreOffice did not finish within 4 minutes.");
            return names.Select(n => Path.Combine(output, Path.GetFileName(n)))
                .Select(p => File.Exists(p) ? File.ReadAllBytes(p) : throw new InvalidOperationException($"LibreOffice wrote no {p}: {log.Result} {errors.Result}"))
                .ToList();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    /// <summary>A workbook as another tool writes it: shared strings, numbers as numbers, the given cells on sheet Jawaban.</summary>
    public static byte[] Write(IReadOnlyDictionary<string, object> cells, string sheetName = "Jawaban", IEnumerable<string>? merged = null, bool macro = false)
    {
        using var stream = new MemoryStream();
        using (var document = SpreadsheetDocument.Create(stream, SpreadsheetDocumentType.Workbook))
        {
            var workbook = document.AddWorkbookPart();
            var sharedStrings = workbook.AddNewPart<SharedStringTablePart>();
            sharedStrings.SharedStringTable = new SharedStringTable();
            var index = new Dictionary<string, int>();
            var sheet = workbook.AddNewPart<WorksheetPart>();
            var data = new SheetData();
            foreach (var row in cells.GroupBy(c => DocumentRow(c.Key)).OrderBy(g => g.Key))
            {
                var r = new Row { RowIndex = (uint)row.Key };
                foreach (var (reference, value) in row.OrderBy(c => c.Key.Length).ThenBy(c => c.Key, StringComparer.Ordinal))
                {
                    r.Append(value switch
                    {
                        double or int or decimal => new Cell { CellReference = reference, CellValue = new CellValue(Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture)!) },
                        Formula f => new Cell { CellReference = reference, CellFormula = new CellFormula(f.Text), CellValue = f.Cached is null ? null : new CellValue(f.Cached), DataType = f.Type },
                        _ => SharedString(reference, (string)value),
                    });
                }
                data.Append(r);
            }
            Cell SharedString(string reference, string text)
            {
                if (!index.TryGetValue(text, out var i))
                {
                    index[text] = i = index.Count;
                    sharedStrings.SharedStringTable.Append(new SharedStringItem(new Text(text) { Space = SpaceProcessingModeValues.Preserve }));
                }
                return new Cell { CellReference = reference, DataType = CellValues.SharedString, CellValue = new CellValue(i.ToString()) };
            }
            var worksheet = new Worksheet(data);
            if (merged?.ToList() is { Count: > 0 } ranges)
            {
                worksheet.Append(new MergeCells(ranges.Select(m => new MergeCell { Reference = m })));
            }
            sheet.Worksheet = worksheet;
            workbook.Workbook = new DocumentFormat.OpenXml.Spreadsheet.Workbook(new Sheets(new Sheet { Name = sheetName, SheetId = 1, Id = workbook.GetIdOfPart(sheet) }));
            if (macro)
            {
                using var vba = document.WorkbookPart!.AddNewPart<VbaProjectPart>().GetStream();
                vba.Write([1, 2, 3]);
            }
        }
        return stream.ToArray();
    }

    public sealed record Formula(string Text, string? Cached, CellValues? Type = null);

    private static int DocumentRow(string reference) => int.Parse(string.Concat(reference.SkipWhile(char.IsAsciiLetter)));
}

using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Spreadsheet;

namespace ZonaIntegritas.Api.Features.Workbook;

/// <summary>
/// The cells of one worksheet, collected in any order and written in row and column order (as SpreadsheetML requires).
/// Text goes in as inline strings, so nothing written as text can ever become a formula.
/// </summary>
public sealed class SheetCells
{
    /// <summary>Style indexes of <see cref="Stylesheet"/>.</summary>
    public const uint Plain = 0, Bold = 1, Unlocked = 2, Decimal = 3, Wrapped = 4, UnlockedWrapped = 5;

    private readonly SortedDictionary<int, SortedDictionary<int, Cell>> _rows = [];

    public void Text(string reference, string? text, uint style = Plain)
    {
        if (text is null && style == Plain)
        {
            return;
        }
        Put(reference, text is null
            ? new Cell { StyleIndex = style }
            : new Cell { DataType = CellValues.InlineString, InlineString = new InlineString(new Text(text) { Space = SpaceProcessingModeValues.Preserve }), StyleIndex = style });
    }

    public void Number(string reference, decimal? value, uint style = Plain)
    {
        if (value is null)
        {
            Text(reference, null, style);
            return;
        }
        Put(reference, new Cell { CellValue = new CellValue(WorkbookFormulas.Number(value.Value)), StyleIndex = style });
    }

    public void Boolean(string reference, bool value) =>
        Put(reference, new Cell { DataType = CellValues.Boolean, CellValue = new CellValue(value ? "1" : "0") });

    /// <summary>A formula with the value it evaluates to now, for viewers that do not recalculate (null = "").</summary>
    public void Formula(string reference, string formula, object? cached, uint style = Plain)
    {
        var cell = new Cell { CellFormula = new CellFormula(formula), StyleIndex = style };
        switch (cached)
        {
            case decimal number:
                cell.CellValue = new CellValue(WorkbookFormulas.Number(number));
                break;
            case bool flag:
                cell.DataType = CellValues.Boolean;
                cell.CellValue = new CellValue(flag ? "1" : "0");
                break;
            default:
                cell.DataType = CellValues.String;
                cell.CellValue = new CellValue(cached?.ToString() ?? "");
                break;
        }
        Put(reference, cell);
    }

    public SheetData ToSheetData()
    {
        var data = new SheetData();
        foreach (var (index, cells) in _rows)
        {
            data.Append(new Row(cells.Values) { RowIndex = (uint)index });
        }
        return data;
    }

    private void Put(string reference, Cell cell)
    {
        var (column, row) = Split(reference);
        cell.CellReference = reference;
        if (!_rows.TryGetValue(row, out var cells))
        {
            _rows[row] = cells = [];
        }
        cells[column] = cell;
    }

    public static (int Column, int Row) Split(string reference)
    {
        var column = 0;
        var i = 0;
        for (; i < reference.Length && char.IsAsciiLetter(reference[i]); i++)
        {
            column = column * 26 + (char.ToUpperInvariant(reference[i]) - 'A' + 1);
        }
        return (column, int.Parse(reference.AsSpan(i), System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Plain, bold, unlocked (answer cells stay editable on a protected sheet), 2 decimals, wrapped text.</summary>
    public static Stylesheet Stylesheet() => new(
        new NumberingFormats(new NumberingFormat { NumberFormatId = 164, FormatCode = "0.00" }) { Count = 1 },
        new Fonts(new Font(), new Font(new Bold())) { Count = 2 },
        new Fills(new Fill(new PatternFill { PatternType = PatternValues.None }), new Fill(new PatternFill { PatternType = PatternValues.Gray125 })) { Count = 2 },
        new Borders(new Border()) { Count = 1 },
        new CellStyleFormats(new CellFormat()) { Count = 1 },
        new CellFormats(
            new CellFormat(),
            new CellFormat { FontId = 1, ApplyFont = true },
            new CellFormat(new Protection { Locked = false }) { ApplyProtection = true },
            new CellFormat { NumberFormatId = 164, ApplyNumberFormat = true },
            new CellFormat(new Alignment { WrapText = true, Vertical = VerticalAlignmentValues.Top }) { ApplyAlignment = true },
            new CellFormat(new Alignment { WrapText = true, Vertical = VerticalAlignmentValues.Top }, new Protection { Locked = false }) { ApplyAlignment = true, ApplyProtection = true })
        { Count = 6 });

    public static Columns Widths(params (uint Column, double Width)[] widths) =>
        new(widths.Select(w => new Column { Min = w.Column, Max = w.Column, Width = w.Width, CustomWidth = true }));

    public static SheetViews FrozenBelow(int row, string topLeft) => new(new SheetView(
        new Pane { VerticalSplit = row, TopLeftCell = topLeft, ActivePane = PaneValues.BottomLeft, State = PaneStateValues.Frozen })
    { WorkbookViewId = 0 });
}

using System.Globalization;
using System.Text.Json;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;

namespace ZonaIntegritas.Api.Features.Workbook;

/// <summary>An answer read from a cell, in the form the JSON endpoint stores.</summary>
public sealed record CellAnswer(string Cell, string ItemCode, string Value, string? Note);

/// <summary>
/// Turns the answer and note cells of one layer into answers, accepting what people type in Excel (lower-case letters,
/// ya/tidak, spaces, numbers stored as text, decimal commas, whole numbers with .0) and naming the cell of every refusal.
/// </summary>
public static class WorkbookImport
{
    public const int MaximumNoteLength = 2000;

    /// <summary>Rows whose code (column B) or question (column C) must be where the layout puts them: the first item of every part.</summary>
    public static IEnumerable<FrameworkItem> Anchors(WorkbookLayout layout) =>
        layout.Framework.Components.SelectMany(c => c.Areas).SelectMany(a => a.Parts).Select(p => p.SubIndicators[0].Items[0]);

    public static string? LayoutProblem(WorkbookLayout layout, SheetRead sheet, string answerColumn, string noteColumn)
    {
        foreach (var item in Anchors(layout))
        {
            var row = layout.ItemRows[item.Code];
            var code = Text(sheet, $"{WorkbookLayout.CodeColumn}{row}");
            var question = Text(sheet, $"{WorkbookLayout.TextColumn}{row}");
            if (!string.Equals(code, item.Code, StringComparison.OrdinalIgnoreCase) && !string.Equals(question, item.Question, StringComparison.OrdinalIgnoreCase))
            {
                return $"This is not the LKE workbook layout: {WorkbookLayout.Sheet}!{WorkbookLayout.CodeColumn}{row} should hold item code {item.Code} "
                    + $"(or {WorkbookLayout.TextColumn}{row} its question) but holds '{code ?? question ?? ""}'. Rows may have been inserted, deleted or moved; export a fresh workbook.";
            }
        }
        var answerRows = layout.AnswerItems.Select(i => layout.ItemRows[i.Code]).ToHashSet();
        foreach (var range in sheet.Merged)
        {
            var corners = range.Split(':');
            var (c1, r1) = SheetCells.Split(corners[0]);
            var (c2, r2) = corners.Length > 1 ? SheetCells.Split(corners[1]) : (c1, r1);
            var columns = new[] { answerColumn, noteColumn }.Select(c => SheetCells.Split(c + "1").Column);
            if (columns.Any(c => c >= Math.Min(c1, c2) && c <= Math.Max(c1, c2)) && answerRows.Any(r => r >= Math.Min(r1, r2) && r <= Math.Max(r1, r2)))
            {
                return $"This is not the LKE workbook layout: cells {range} are merged over answer rows; unmerge them or export a fresh workbook.";
            }
        }
        return null;
    }

    public static (List<CellAnswer> Answers, Dictionary<string, string[]> Errors) Answers(WorkbookLayout layout, SheetRead sheet, string answerColumn, string noteColumn)
    {
        var answers = new List<CellAnswer>();
        var errors = new Dictionary<string, string[]>();
        foreach (var item in layout.AnswerItems)
        {
            var row = layout.ItemRows[item.Code];
            var answerRef = $"{answerColumn}{row}";
            var noteRef = $"{noteColumn}{row}";
            var answerCell = sheet.Cells!.GetValueOrDefault(answerRef);
            var note = sheet.Cells!.GetValueOrDefault(noteRef) is { Kind: CellKind.Text or CellKind.Number } n && n.Text.Trim() is { Length: > 0 } t ? t : null;
            if (note is { Length: > MaximumNoteLength })
            {
                errors[Name(noteRef)] = [$"{Name(noteRef)}: the note has {note.Length} characters; at most {MaximumNoteLength} are accepted (item {item.Code})."];
            }
            if (answerCell is null || (answerCell.Kind == CellKind.Text && answerCell.Text.Trim().Length == 0))
            {
                if (note is not null)
                {
                    errors[Name(noteRef)] = [$"{Name(noteRef)}: a note needs an answer in {Name(answerRef)} (item {item.Code})."];
                }
                continue;
            }
            var (value, problem) = Interpret(item, answerCell);
            if (problem is null && AnswerRules.Normalize(layout.Framework, item.Code, JsonSerializer.SerializeToElement(value)) is { Error: { } rule })
            {
                problem = rule;
            }
            if (problem is not null)
            {
                errors[Name(answerRef)] = [$"{Name(answerRef)}: {problem}"];
                continue;
            }
            answers.Add(new CellAnswer(Name(answerRef), item.Code, value!, note));
        }
        return (answers, errors);
    }

    public static string Name(string reference) => $"{WorkbookLayout.Sheet}!{reference}";

    /// <summary>The cell's value in the stored form, or what is wrong with it.</summary>
    private static (string? Value, string? Problem) Interpret(FrameworkItem item, CellRead cell)
    {
        var shown = cell.Text.Trim();
        var formula = cell.IsFormula ? "the formula's value " : "";
        if (cell.Kind is CellKind.Error or CellKind.Boolean)
        {
            return (null, $"{formula}'{shown}' is not a valid answer; {item.Code} takes {AnswerRules.Allowed(item)} (item {item.Code}).");
        }
        switch (item.AnswerType)
        {
            case "JUMLAH":
                if (Decimal(shown, cell.Kind) is { } count && count >= 0 && count == decimal.Truncate(count) && count <= AnswerRules.MaximumCount)
                {
                    return (decimal.Truncate(count).ToString(CultureInfo.InvariantCulture), null);
                }
                return (null, $"{formula}'{shown}' is not a whole number from 0 to {AnswerRules.MaximumCount} (item {item.Code}).");
            case "NILAI_0_4":
                if (Decimal(shown, cell.Kind) is { } survey && survey is >= 0 and <= 4 && survey == Math.Round(survey, 2))
                {
                    return (Math.Round(survey, 2).ToString("0.##", CultureInfo.InvariantCulture), null);
                }
                return (null, $"{formula}'{shown}' is not a number from 0 to 4 with at most 2 decimals (item {item.Code}).");
            default:
                if (cell.Kind == CellKind.Text && item.Options!.FirstOrDefault(o => string.Equals(o.Value, shown, StringComparison.OrdinalIgnoreCase)) is { } option)
                {
                    return (option.Value, null);
                }
                return (null, $"{formula}'{shown}' is not one of {string.Join(", ", item.Options!.Select(o => o.Value))} (item {item.Code}).");
        }
    }

    /// <summary>
    /// A number cell as stored (binary doubles such as 3.6200000000000001 are settled at 10 decimals), or text with a
    /// decimal point or comma ("3,62", "12.0"); thousands separators are not guessed at.
    /// </summary>
    private static decimal? Decimal(string text, CellKind kind)
    {
        if (kind == CellKind.Number)
        {
            return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) ? Math.Round(number, 10) : null;
        }
        var normalized = text.Replace(',', '.');
        return normalized.Count(c => c == '.') <= 1 && decimal.TryParse(normalized, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var parsed) ? parsed : null;
    }

    private static string? Text(SheetRead sheet, string reference) =>
        sheet.Cells!.GetValueOrDefault(reference) is { } cell && cell.Text.Trim() is { Length: > 0 } text ? text : null;
}

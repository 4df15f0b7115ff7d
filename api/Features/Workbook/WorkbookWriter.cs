using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ZonaIntegritas.Api.Features.Scoring;

namespace ZonaIntegritas.Api.Features.Workbook;

public sealed record LayerAnswer(string Value, string? Note);

/// <summary>Everything one exported workbook shows.</summary>
public sealed record WorkbookData(
    Assessments.Assessment Assessment,
    string UnitCode,
    string UnitName,
    string AgencyName,
    IReadOnlyDictionary<string, IReadOnlyDictionary<string, LayerAnswer>> Layers,
    IReadOnlyDictionary<string, string> Evidence,
    IReadOnlyList<(string Label, DateTimeOffset? At)> Dates,
    bool? HoldsActiveWbk,
    DateTimeOffset GeneratedAt);

/// <summary>
/// Writes the LKE workbook: sheet Jawaban in PortalRB's layout (answers K/L/M and N/Q on each question's row, the catalogue
/// in A–J, live formulas with cached values in H/I and R/S) and sheet Ringkasan (areas, total, rule checks per layer).
/// </summary>
public static class WorkbookWriter
{
    public const string ContentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static void Write(WorkbookLayout layout, WorkbookData data, Stream output)
    {
        using var document = SpreadsheetDocument.Create(output, SpreadsheetDocumentType.Workbook);
        var workbookPart = document.AddWorkbookPart();
        workbookPart.AddNewPart<WorkbookStylesPart>().Stylesheet = SheetCells.Stylesheet();
        var values = new Dictionary<string, Dictionary<string, string>>();
        foreach (var layer in new[] { Assessments.Layers.Self, Assessments.Layers.Tpi })
        {
            values[layer] = data.Layers.TryGetValue(layer, out var answers) ? answers.ToDictionary(a => a.Key, a => a.Value.Value) : [];
        }

        var jawaban = workbookPart.AddNewPart<WorksheetPart>();
        jawaban.Worksheet = Jawaban(layout, data, values);
        var summary = workbookPart.AddNewPart<WorksheetPart>();
        summary.Worksheet = WorkbookSummary.Worksheet(layout, data, values);

        workbookPart.Workbook = new DocumentFormat.OpenXml.Spreadsheet.Workbook(
            new WorkbookProtection { LockStructure = true },
            new Sheets(
                new Sheet { Name = WorkbookLayout.Sheet, SheetId = 1, Id = workbookPart.GetIdOfPart(jawaban) },
                new Sheet { Name = WorkbookLayout.SummarySheet, SheetId = 2, Id = workbookPart.GetIdOfPart(summary) }),
            // Excel recalculates on open; the cached values serve viewers that never do.
            new CalculationProperties { CalculationId = 191029, FullCalculationOnLoad = true });
        document.PackageProperties.Title = $"LKE Zona Integritas {data.Assessment.Year} — {data.UnitName} ({data.Assessment.Target})";
        document.PackageProperties.Subject = $"{data.AgencyName}; assessment {data.Assessment.Id}";
        document.PackageProperties.Creator = "ZonaIntegritas";
    }

    private static Worksheet Jawaban(WorkbookLayout layout, WorkbookData data, Dictionary<string, Dictionary<string, string>> values)
    {
        var cells = new SheetCells();
        var a = data.Assessment;
        cells.Text("A1", $"LKE Zona Integritas {a.Year} — {data.UnitName} ({data.UnitCode}), {data.AgencyName} — target {a.Target}, status {a.Status}", SheetCells.Bold);
        string[] headers = ["Tingkat", "Kode", "Uraian", "Bobot", "Jenis jawaban", "Pilihan jawaban", "Data dukung", "Nilai unit", "Nilai TPI", "Keterangan",
            "Jawaban unit", "Catatan unit", "Bukti dukung unit", "Jawaban TPI", "", "", "Catatan TPI", "Nilai sub-indikator unit", "Nilai sub-indikator TPI"];
        for (var i = 0; i < headers.Length; i++)
        {
            cells.Text($"{(char)('A' + i)}{WorkbookLayout.HeaderRow}", headers[i], SheetCells.Bold);
        }
        var raw = values.ToDictionary(v => v.Key, v => ScoreCalculator.Raw(layout.Framework, v.Value));
        foreach (var row in layout.Rows)
        {
            var r = row.Row;
            cells.Text($"A{r}", row.Level, row.Item is null ? SheetCells.Bold : SheetCells.Plain);
            cells.Text($"B{r}", row.Code, row.Item is null ? SheetCells.Bold : SheetCells.Plain);
            cells.Text($"C{r}", row.Text, SheetCells.Wrapped);
            cells.Number($"D{r}", row.Weight);
            if (row.Item is { } item)
            {
                cells.Text($"E{r}", item.AnswerType);
                cells.Text($"F{r}", item.Options is { } options
                    ? string.Join("\n", options.Select(o => o.Text is null ? o.Value : $"{o.Value}: {o.Text}"))
                    : AnswerRules.Allowed(item), SheetCells.Wrapped);
                cells.Text($"G{r}", item.EvidenceHint, SheetCells.Wrapped);
                cells.Text($"J{r}", item.Formula?.Description ?? item.Derivation ?? item.Guidance, SheetCells.Wrapped);
                foreach (var layer in values.Keys)
                {
                    var (answerColumn, noteColumn, valueColumn, _) = WorkbookLayout.Columns(layer)!.Value;
                    if (WorkbookFormulas.ItemValue(item, answerColumn, layout) is { } formula)
                    {
                        cells.Formula($"{valueColumn}{r}", formula, ScoreCalculator.Fraction(item, values[layer]));
                    }
                    if (item.AnswerType != "PERSEN")
                    {
                        var answer = data.Layers.GetValueOrDefault(layer)?.GetValueOrDefault(item.Code);
                        if (item.AnswerType is "JUMLAH" or "NILAI_0_4" && answer is not null)
                        {
                            cells.Number($"{answerColumn}{r}", decimal.Parse(answer.Value, System.Globalization.CultureInfo.InvariantCulture), SheetCells.Unlocked);
                        }
                        else
                        {
                            cells.Text($"{answerColumn}{r}", answer?.Value, SheetCells.Unlocked);
                        }
                        cells.Text($"{noteColumn}{r}", answer?.Note, SheetCells.UnlockedWrapped);
                    }
                }
                if (item.AnswerType != "PERSEN")
                {
                    cells.Text($"{WorkbookLayout.SelfEvidence}{r}", data.Evidence.GetValueOrDefault(item.Code), SheetCells.UnlockedWrapped);
                }
            }
        }
        foreach (var (code, row) in layout.SubIndicatorRows)
        {
            var sub = layout.Rows.First(x => x.SubIndicator?.Code == code).SubIndicator!;
            foreach (var layer in values.Keys)
            {
                var (_, _, valueColumn, subColumn) = WorkbookLayout.Columns(layer)!.Value;
                cells.Formula($"{subColumn}{row}", WorkbookFormulas.SubIndicatorScore(sub, valueColumn, layout), raw[layer].SubIndicatorScores[code], SheetCells.Decimal);
            }
        }
        var worksheet = new Worksheet(
            SheetCells.FrozenBelow(WorkbookLayout.HeaderRow, "A3"),
            SheetCells.Widths((1, 13), (2, 14), (3, 60), (4, 8), (5, 12), (6, 30), (7, 30), (8, 9), (9, 9), (10, 30),
                (11, 12), (12, 30), (13, 40), (14, 12), (15, 4), (16, 4), (17, 30), (18, 12), (19, 12)),
            cells.ToSheetData(),
            // The structure and the formulas are protected, the answer columns are not (no password: a guard against slips).
            new SheetProtection { Sheet = true, Objects = true, Scenarios = true, FormatColumns = false, FormatRows = false, AutoFilter = false, Sort = false },
            AnswerValidations(layout));
        return worksheet;
    }

    /// <summary>Drop-down lists for the letter and Ya/Tidak answers, number ranges for counts and survey values, in both layers.</summary>
    private static DataValidations AnswerValidations(WorkbookLayout layout)
    {
        var validations = new DataValidations();
        foreach (var group in layout.AnswerItems.GroupBy(i => i.AnswerType))
        {
            var cells = string.Join(" ", group.SelectMany(i => new[] { $"{WorkbookLayout.SelfAnswer}{layout.ItemRows[i.Code]}", $"{WorkbookLayout.TpiAnswer}{layout.ItemRows[i.Code]}" }));
            var first = group.First();
            var validation = new DataValidation
            {
                SequenceOfReferences = new ListValue<StringValue> { InnerText = cells },
                AllowBlank = true,
                ShowErrorMessage = true,
                ErrorTitle = "Jawaban tidak sah",
                Error = $"{first.AnswerType}: {AnswerRules.Allowed(first)}",
            };
            switch (group.Key)
            {
                case "JUMLAH":
                    validation.Type = DataValidationValues.Whole;
                    validation.Operator = DataValidationOperatorValues.Between;
                    validation.Append(new Formula1("0"), new Formula2(AnswerRules.MaximumCount.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                    break;
                case "NILAI_0_4":
                    validation.Type = DataValidationValues.Decimal;
                    validation.Operator = DataValidationOperatorValues.Between;
                    validation.Append(new Formula1("0"), new Formula2("4"));
                    break;
                default:
                    validation.Type = DataValidationValues.List;
                    validation.Append(new Formula1($"\"{string.Join(",", first.Options!.Select(o => o.Value))}\""));
                    break;
            }
            validations.Append(validation);
        }
        validations.Count = (uint)validations.ChildElements.Count;
        return validations;
    }
}

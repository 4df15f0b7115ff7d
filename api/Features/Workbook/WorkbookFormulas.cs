using System.Globalization;
using System.Text.RegularExpressions;
using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Api.Features.Workbook;

/// <summary>
/// The Excel formulas of sheet Jawaban, written to reproduce ScoreCalculator (docs/scoring.md): an item's value 0–1 (blank
/// while unanswered), a percentage blank until all its counts are filled, a sub-indicator AVERAGE × weight over the answered
/// items (AVERAGE skips blank and "" cells exactly as the scoring engine leaves unanswered items out).
/// </summary>
public static partial class WorkbookFormulas
{
    public static string Number(decimal value) => value.ToString("0.############################", CultureInfo.InvariantCulture);

    /// <summary>The value formula of a scored item in one layer's answer column; null for count inputs.</summary>
    public static string? ItemValue(FrameworkItem item, string answerColumn, WorkbookLayout layout)
    {
        var cell = $"{answerColumn}{layout.ItemRows[item.Code]}";
        switch (item.AnswerType)
        {
            case "JUMLAH":
                return null;
            case "NILAI_0_4":
                return $"IF(TRIM({cell})=\"\",\"\",IF(ISNUMBER({cell}),MIN(MAX({cell},0),4)/4,\"\"))";
            case "PERSEN":
                return Percentage(item.Formula!, answerColumn, layout);
            default:
                var choice = "\"\"";
                foreach (var option in item.Options!.Reverse())
                {
                    choice = $"IF(TRIM({cell})=\"{option.Value}\",{Number(option.Score)},{choice})";
                }
                return $"IF(TRIM({cell})=\"\",\"\",{choice})";
        }
    }

    /// <summary>The workbook's IF(OR(K155="",…),"",…) with the all-zero rule and the expression clamped to [0, 1]; a zero denominator scores 0.</summary>
    private static string Percentage(PercentageFormula formula, string column, WorkbookLayout layout)
    {
        string Ref(string code) => $"{column}{layout.ItemRows[code]}";
        var blank = string.Join(",", formula.RequiredInputs.Select(c => $"{Ref(c)}=\"\""));
        var expression = ItemCode().Replace(formula.Expression, m => Ref(m.Value)).Replace(" ", "");
        var value = $"IFERROR(MIN(MAX({expression},0),1),0)";
        if (formula.AllZero is { } allZero)
        {
            value = $"IF(AND({string.Join(",", allZero.Inputs.Select(c => $"{Ref(c)}=0"))}),{Number(allZero.Value)},{value})";
        }
        return $"IF(OR({blank}),\"\",{value})";
    }

    /// <summary>AVERAGE of the answered items × weight; 0 when none is answered (the workbook shows #DIV/0!, the API 0).</summary>
    public static string SubIndicatorScore(SubIndicator sub, string valueColumn, WorkbookLayout layout)
    {
        var (first, last) = layout.ItemRange(sub);
        var range = $"{valueColumn}{first}:{valueColumn}{last}";
        return $"IF(COUNT({range})=0,0,AVERAGE({range})*{Number(sub.Weight)})";
    }

    /// <summary>One item's part of its sub-indicator score (value × weight ÷ answered items), as the IPAK, capaian kinerja and IPKP rules read it.</summary>
    public static string ItemShare(FrameworkItem item, string valueColumn, WorkbookLayout layout)
    {
        var sub = layout.Framework.Components.SelectMany(c => c.Areas).SelectMany(a => a.Parts).SelectMany(p => p.SubIndicators).First(s => s.Code == item.SubIndicatorCode);
        var (first, last) = layout.ItemRange(sub);
        var cell = $"{WorkbookLayout.Sheet}!{valueColumn}{layout.ItemRows[item.Code]}";
        return $"IF(ISNUMBER({cell}),{cell}*{Number(sub.Weight)}/COUNT({WorkbookLayout.Sheet}!{valueColumn}{first}:{valueColumn}{last}),0)";
    }

    [GeneratedRegex(@"[A-Z]+(\.[A-Za-z0-9]+)+")]
    private static partial Regex ItemCode();
}

using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Api.Features.Workbook;

/// <summary>One row of sheet Jawaban: a heading (section, part, sub-indicator) or an item.</summary>
public sealed record LayoutRow(int Row, string Level, string Code, string Text, decimal? Weight, FrameworkItem? Item, SubIndicator? SubIndicator);

/// <summary>
/// Where everything sits in PortalRB's "Jawaban" layout (the Lampiran III workbook): every asked question on the
/// <c>excelRow</c> of the year's soal map; items PortalRB does not ask (percentages, the LHKPN/LHKASN totals) on the free
/// rows just above the next asked one; headings on the free row above their first item. Pemenuhan halves of every area
/// come first, then the reform halves, then hasil, as in the workbook.
/// </summary>
public sealed class WorkbookLayout
{
    public const string Sheet = "Jawaban";
    public const string SummarySheet = "Ringkasan";
    public const int HeaderRow = 2;
    public const string LevelColumn = "A", CodeColumn = "B", TextColumn = "C", WeightColumn = "D", TypeColumn = "E", OptionsColumn = "F",
        EvidenceHintColumn = "G", SelfValueColumn = "H", TpiValueColumn = "I", RemarkColumn = "J",
        SelfAnswer = "K", SelfNote = "L", SelfEvidence = "M", TpiAnswer = "N", TpiNote = "Q", SelfSubScore = "R", TpiSubScore = "S";

    public Framework Framework { get; }
    public IReadOnlyList<LayoutRow> Rows { get; }
    public IReadOnlyDictionary<string, int> ItemRows { get; }
    /// <summary>The row holding each sub-indicator's score (its heading, or its first item when no row is free above it).</summary>
    public IReadOnlyDictionary<string, int> SubIndicatorRows { get; }
    /// <summary>Items whose answers the workbook carries: every item except the computed percentages.</summary>
    public IReadOnlyList<FrameworkItem> AnswerItems { get; }
    public int LastRow { get; }

    public WorkbookLayout(Framework framework, SoalMap map)
    {
        Framework = framework;
        var mapped = map.Soal.ToDictionary(s => s.ItemCode, s => s.ExcelRow, StringComparer.Ordinal);
        var itemRows = new Dictionary<string, int>(StringComparer.Ordinal);
        var pending = new List<FrameworkItem>();
        foreach (var item in framework.Items)
        {
            if (!mapped.TryGetValue(item.Code, out var row))
            {
                pending.Add(item);
                continue;
            }
            for (var i = 0; i < pending.Count; i++)
            {
                itemRows[pending[i].Code] = row - pending.Count + i;
            }
            pending.Clear();
            itemRows[item.Code] = row;
        }
        var next = itemRows.Values.Max() + 1;
        foreach (var item in pending)
        {
            itemRows[item.Code] = next++;
        }
        if (itemRows.Values.Distinct().Count() != itemRows.Count || itemRows.Values.Min() <= HeaderRow + 1)
        {
            throw new InvalidOperationException($"The {map.Year} soal map leaves no room for the unasked items of {framework.Code}.");
        }

        var taken = new HashSet<int>(itemRows.Values);
        var rows = new List<LayoutRow>();
        var subRows = new Dictionary<string, int>(StringComparer.Ordinal);
        void Heading(int row, string level, string code, string text, decimal? weight, SubIndicator? sub = null)
        {
            if (row > HeaderRow && taken.Add(row))
            {
                rows.Add(new LayoutRow(row, level, code, text, weight, null, sub));
            }
        }
        foreach (var component in framework.Components)
        {
            foreach (var area in component.Areas)
            {
                foreach (var part in area.Parts)
                {
                    var firstSub = part.SubIndicators[0];
                    var firstRow = itemRows[firstSub.Items[0].Code];
                    Heading(firstRow - 2, "Bagian", part.Code, $"{area.Name} ({part.Kind})", part.Weight);
                    foreach (var sub in part.SubIndicators)
                    {
                        var subFirst = itemRows[sub.Items[0].Code];
                        Heading(subFirst - 1, "Sub-indikator", sub.Code, sub.Name, sub.Weight, sub);
                        subRows[sub.Code] = rows.LastOrDefault(r => r.SubIndicator == sub)?.Row ?? subFirst;
                        foreach (var item in sub.Items)
                        {
                            rows.Add(new LayoutRow(itemRows[item.Code], item.Scored ? "Pertanyaan" : "Jumlah", item.Code, item.Question, item.Weight, item, sub));
                        }
                    }
                }
            }
        }
        Rows = rows.OrderBy(r => r.Row).ToList();
        ItemRows = itemRows;
        SubIndicatorRows = subRows;
        AnswerItems = framework.Items.Where(i => i.AnswerType != "PERSEN").ToList();
        LastRow = Rows[^1].Row;
    }

    /// <summary>The answer and note columns of a layer; only self and tpi live in the workbook.</summary>
    public static (string Answer, string Note, string Value, string SubScore)? Columns(string layer) => layer switch
    {
        "self" => (SelfAnswer, SelfNote, SelfValueColumn, SelfSubScore),
        "tpi" => (TpiAnswer, TpiNote, TpiValueColumn, TpiSubScore),
        _ => null,
    };

    /// <summary>The first and last rows of a sub-indicator's items (its AVERAGE range).</summary>
    public (int First, int Last) ItemRange(SubIndicator sub) => (ItemRows[sub.Items[0].Code], sub.Items.Max(i => ItemRows[i.Code]));
}

using System.Globalization;
using DocumentFormat.OpenXml.Spreadsheet;
using ZonaIntegritas.Api.Features.Scoring;

namespace ZonaIntegritas.Api.Features.Workbook;

/// <summary>
/// Sheet Ringkasan: the assessment's particulars, area scores, pengungkit, hasil and total per layer (formulas over
/// Jawaban) and the WBK and WBBM rule checks, each compared on figures rounded to 10 decimals as the API compares them.
/// Column A holds the API's names (area codes, rule names) so that programs can find the rows.
/// </summary>
public static class WorkbookSummary
{
    public const int AreaHeaderRow = 16;
    private static readonly string[] LayerColumns = ["D", "E"];

    public static Worksheet Worksheet(WorkbookLayout layout, WorkbookData data, Dictionary<string, Dictionary<string, string>> values)
    {
        var framework = layout.Framework;
        var cells = new SheetCells();
        var a = data.Assessment;
        cells.Text("A1", $"Ringkasan LKE Zona Integritas {a.Year} — {data.UnitName}", SheetCells.Bold);
        var info = new List<(string, string?)>
        {
            ("Unit kerja", $"{data.UnitName} ({data.UnitCode})"),
            ("Instansi", data.AgencyName),
            ("Tahun", a.Year.ToString(CultureInfo.InvariantCulture)),
            ("Target", a.Target),
            ("Status", a.Status),
            ("Kerangka", framework.Code),
            ("Id penilaian", a.Id.ToString()),
        };
        info.AddRange(data.Dates.Select(d => (d.Label, (string?)(d.At?.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd HH:mm 'WIB'", CultureInfo.InvariantCulture) ?? "—"))));
        info.Add(("Dibuat", data.GeneratedAt.ToOffset(TimeSpan.FromHours(7)).ToString("yyyy-MM-dd HH:mm 'WIB'", CultureInfo.InvariantCulture)));
        for (var i = 0; i < info.Count; i++)
        {
            cells.Text($"A{3 + i}", info[i].Item1, SheetCells.Bold);
            cells.Text($"B{3 + i}", info[i].Item2);
        }

        var layers = new[] { Assessments.Layers.Self, Assessments.Layers.Tpi };
        var raw = layers.ToDictionary(l => l, l => ScoreCalculator.Raw(framework, values[l]));
        var reports = layers.ToDictionary(l => l, l => ScoreCalculator.Calculate(framework, values[l], data.HoldsActiveWbk, l));
        var header = AreaHeaderRow;
        string[] titles = ["Kode", "Uraian", "Bobot", "Nilai unit", "Nilai TPI"];
        for (var i = 0; i < titles.Length; i++)
        {
            cells.Text($"{(char)('A' + i)}{header}", titles[i], SheetCells.Bold);
        }
        var metric = new Dictionary<string, int>(StringComparer.Ordinal);
        var row = header + 1;
        var pengungkitAreas = new List<int>();
        var hasilAreas = new List<int>();
        foreach (var component in framework.Components)
        {
            foreach (var area in component.Areas)
            {
                metric[area.Code] = row;
                (component.Code == "PENGUNGKIT" ? pengungkitAreas : hasilAreas).Add(row);
                cells.Text($"A{row}", area.Code);
                cells.Text($"B{row}", area.Name);
                cells.Number($"C{row}", area.Weight);
                var subs = area.Parts.SelectMany(p => p.SubIndicators).ToList();
                for (var l = 0; l < layers.Length; l++)
                {
                    var subColumn = WorkbookLayout.Columns(layers[l])!.Value.SubScore;
                    var refs = string.Join(",", subs.Select(s => $"{WorkbookLayout.Sheet}!{subColumn}{layout.SubIndicatorRows[s.Code]}"));
                    cells.Formula($"{LayerColumns[l]}{row}", $"SUM({refs})", raw[layers[l]].AreaScores[area.Code], SheetCells.Decimal);
                }
                row++;
            }
        }
        void Metric(string key, string label, decimal? weight, Func<int, string> formula, Func<string, object> cached)
        {
            metric[key] = row;
            cells.Text($"A{row}", key, SheetCells.Bold);
            cells.Text($"B{row}", label, SheetCells.Bold);
            cells.Number($"C{row}", weight);
            for (var l = 0; l < layers.Length; l++)
            {
                cells.Formula($"{LayerColumns[l]}{row}", formula(l), cached(layers[l]), SheetCells.Decimal);
            }
            row++;
        }
        string Sum(int l, List<int> rows) => $"SUM({LayerColumns[l]}{rows[0]}:{LayerColumns[l]}{rows[^1]})";
        Metric("pengungkit", "Komponen pengungkit", framework.Components.First(c => c.Code == "PENGUNGKIT").Weight, l => Sum(l, pengungkitAreas), l => raw[l].Pengungkit);
        Metric("hasil", "Komponen hasil", framework.Components.First(c => c.Code != "PENGUNGKIT").Weight, l => Sum(l, hasilAreas), l => raw[l].Total - raw[l].Pengungkit);
        Metric("total", "Nilai total", framework.MaxScore, l => $"{LayerColumns[l]}{metric["pengungkit"]}+{LayerColumns[l]}{metric["hasil"]}", l => raw[l].Total);
        var lastRow = layout.LastRow;
        Metric("answered", "Butir dinilai yang terjawab", raw[layers[0]].ScoredItems,
            l => $"COUNT({WorkbookLayout.Sheet}!{WorkbookLayout.Columns(layers[l])!.Value.Value}3:{WorkbookLayout.Columns(layers[l])!.Value.Value}{lastRow})",
            l => (decimal)(raw[l].ScoredItems - raw[l].Unanswered.Count));
        foreach (var (key, code, label) in new[] { ("ipak", ScoreCalculator.IpakItem, "IPAK"), ("capaianKinerja", ScoreCalculator.CapaianKinerjaItem, "Capaian kinerja"), ("ipkp", ScoreCalculator.IpkpItem, "IPKP") })
        {
            framework.TryGetItem(code, out var item);
            Metric(key, $"{label} ({code})", item.Weight, l => WorkbookFormulas.ItemShare(item, WorkbookLayout.Columns(layers[l])!.Value.Value, layout), l => raw[l].ItemScore(code));
        }
        WriteRules(cells, framework, reports, metric, row + 1, data.HoldsActiveWbk);
        return new Worksheet(
            SheetCells.FrozenBelow(2, "A3"),
            SheetCells.Widths((1, 18), (2, 40), (3, 12), (4, 12), (5, 12), (6, 12), (7, 12)),
            cells.ToSheetData(),
            new SheetProtection { Sheet = true, Objects = true, Scenarios = true });
    }

    /// <summary>Per predikat: the required figure and, per layer, whether the layer meets it (TRUE/FALSE), then the verdict.</summary>
    private static void WriteRules(SheetCells cells, Frameworks.Framework framework, Dictionary<string, ScoreReport> reports, Dictionary<string, int> metric, int start,
        bool? holdsWbk)
    {
        var predikats = framework.Thresholds.Keys.ToList();
        cells.Text($"A{start}", "Aturan", SheetCells.Bold);
        for (var p = 0; p < predikats.Count; p++)
        {
            var c = 1 + p * 3;
            cells.Text($"{Column(c)}{start}", $"Syarat {predikats[p]}", SheetCells.Bold);
            cells.Text($"{Column(c + 1)}{start}", $"Unit {predikats[p]}", SheetCells.Bold);
            cells.Text($"{Column(c + 2)}{start}", $"TPI {predikats[p]}", SheetCells.Bold);
        }
        var names = reports.Values.First().Eligibility.Values.SelectMany(e => e.Rules.Select(r => r.Rule)).Distinct().ToList();
        var row = start + 1;
        var first = row;
        int? priorRow = null;
        foreach (var name in names)
        {
            cells.Text($"A{row}", name);
            for (var p = 0; p < predikats.Count; p++)
            {
                var c = 1 + p * 3;
                var thresholds = framework.Thresholds[predikats[p]];
                var required = Required(framework, thresholds, name);
                var applies = reports.Values.First().Eligibility[predikats[p]].Rules.Any(r => r.Rule == name);
                if (!applies)
                {
                    continue;
                }
                if (name == "priorWbk")
                {
                    priorRow = row;
                    cells.Text($"{Column(c)}{row}", thresholds.RequiresPriorPredikat);
                    for (var l = 0; l < 2; l++)
                    {
                        if (holdsWbk is { } held)
                        {
                            cells.Boolean($"{Column(c + 1 + l)}{row}", held);
                        }
                        else
                        {
                            cells.Text($"{Column(c + 1 + l)}{row}", "unknown");
                        }
                    }
                    continue;
                }
                cells.Number($"{Column(c)}{row}", required);
                var source = name == ScoreCalculator.CompleteRule ? metric["answered"] : metric[name.StartsWith("area:", StringComparison.Ordinal) ? name[5..] : name == "bersihAkuntabel" ? "BERSIH" : name];
                var layers = reports.Keys.ToList();
                for (var l = 0; l < layers.Count; l++)
                {
                    var passed = reports[layers[l]].Eligibility[predikats[p]].Rules.First(r => r.Rule == name).Passed;
                    cells.Formula($"{Column(c + 1 + l)}{row}", $"ROUND({LayerColumns[l]}{source},10)>=ROUND({Column(c)}{row},10)", passed ?? false);
                }
            }
            row++;
        }
        cells.Text($"A{row}", "eligible", SheetCells.Bold);
        for (var p = 0; p < predikats.Count; p++)
        {
            var c = 1 + p * 3;
            var hasPrior = framework.Thresholds[predikats[p]].RequiresPriorPredikat is not null && priorRow is not null;
            var last = hasPrior ? priorRow!.Value - 1 : row - 1;
            for (var l = 0; l < 2; l++)
            {
                var column = Column(c + 1 + l);
                var all = $"AND({column}{first}:{column}{last})";
                var formula = hasPrior ? $"IF(NOT({all}),FALSE,IF(ISLOGICAL({column}{priorRow}),{column}{priorRow},\"unknown\"))" : all;
                var eligible = reports.Values.ElementAt(l).Eligibility[predikats[p]].Eligible;
                cells.Formula($"{column}{row}", formula, eligible is { } e ? e : "unknown");
            }
        }
    }

    private static decimal Required(Frameworks.Framework framework, Frameworks.Thresholds t, string rule) => rule switch
    {
        ScoreCalculator.CompleteRule => framework.Items.Count(i => i.Scored),
        "total" => t.Total,
        "pengungkit" => t.PengungkitTotal,
        "bersihAkuntabel" => t.BersihAkuntabel,
        "ipak" => t.Ipak,
        "capaianKinerja" => t.CapaianKinerja,
        "ipkp" => t.Ipkp,
        _ when rule.StartsWith("area:", StringComparison.Ordinal) =>
            framework.Components.SelectMany(c => c.Areas).First(a => a.Code == rule[5..]).Weight * t.AreaMinFraction,
        _ => 0,
    };

    private static string Column(int index) => ((char)('A' + index)).ToString();
}

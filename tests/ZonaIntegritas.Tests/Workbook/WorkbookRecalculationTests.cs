using System.Globalization;
using System.Net;
using System.Text.Json;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Tests.Infrastructure;
using static ZonaIntegritas.Tests.Scoring.Worksheets;

namespace ZonaIntegritas.Tests.Workbook;

/// <summary>
/// LibreOffice recalculates exported workbooks whose cached results were all removed (and one total set wrong), and its
/// totals, areas and rule checks must equal GET …/score for both layers: the formulas, not the cached values, carry the scores.
/// </summary>
public sealed class WorkbookRecalculationTests
{
    private static Dictionary<string, string> Random(int seed)
    {
        var random = new Random(seed);
        var answers = Build(Lke, _ => random.Next(5) / 4m);
        foreach (var code in answers.Keys.Where(_ => random.Next(10) == 0).ToList())
        {
            answers.Remove(code);
        }
        return answers;
    }

    private static IEnumerable<(string Name, Dictionary<string, string> Answers)> Cases()
    {
        var all = SubIndicatorsOf(Lke, _ => true).ToList();
        var zeros = Top(Lke);
        zeros["SDM.R.3.a.1"] = "0";
        zeros["SDM.R.3.a.2"] = "0";
        zeros["SDM.R.3.a.3"] = "0";
        var divided = new Dictionary<string, string>(zeros) { ["SDM.R.3.a.2"] = "2" };
        var blanks = Top(Lke);
        blanks.Remove("AK.P.1.b");
        blanks.Remove("MP.R.1.a.1");
        foreach (var item in Lke.Items.Where(i => i.SubIndicatorCode == "PW.PEMENUHAN.2"))
        {
            blanks.Remove(item.Code);
        }
        yield return ("all top", Top(Lke));
        yield return ("all lowest", Lowest(Lke));
        yield return ("total exactly 75", Exactly(all, 75)!);
        yield return ("total 74.995", Exactly(all, 74.995m)!);
        yield return ("total exactly 85", Exactly(all, 85)!);
        yield return ("SDM.R.3.a 0/0", zeros);
        yield return ("zero denominator", divided);
        yield return ("blanks", blanks);
        yield return ("empty", []);
        for (var seed = 1; seed <= 3; seed++)
        {
            yield return ($"random {seed}", Random(seed));
        }
    }

    [Fact]
    public async Task LibreOfficeRecalculatingTheWorkbookReproducesTheApiScoresOfBothLayersForADozenAssessments()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var cases = Cases().ToList();
        var assessments = new List<Guid>();
        var files = new List<byte[]>();
        for (var i = 0; i < cases.Count; i++)
        {
            var id = await WorkbookExportTests.AssessmentWith(admin, agency, cases[i].Answers, cases[(i + 1) % cases.Count].Answers, i % 2 == 0 ? "WBK" : "WBBM");
            assessments.Add(id);
            var exported = Xlsx.Read(await WorkbookExportTests.Export(admin, id))["Ringkasan"];
            files.Add(Xlsx.WithoutCachedValues(await WorkbookExportTests.Export(admin, id), $"D{Xlsx.RowOf(exported, "total")}"));
        }

        var recalculated = Xlsx.Recalculate(files);

        var mismatches = new List<string>();
        for (var i = 0; i < cases.Count; i++)
        {
            var sheet = Xlsx.Read(recalculated[i])["Ringkasan"];
            foreach (var (layer, column, ruleColumns) in new[] { ("self", "D", new[] { "C", "F" }), ("tpi", "E", new[] { "D", "G" }) })
            {
                var score = await (await admin.GetAsync($"/api/v1/assessments/{assessments[i]}/score?layer={layer}")).Json(HttpStatusCode.OK);
                void Figure(string key, decimal expected)
                {
                    var actual = decimal.Parse(sheet[$"{column}{Xlsx.RowOf(sheet, key)}"].Value ?? "NaN", NumberStyles.Float, CultureInfo.InvariantCulture);
                    if (Math.Abs(actual - expected) > 0.01m)
                    {
                        mismatches.Add($"{cases[i].Name} {layer} {key}: workbook {actual}, API {expected}");
                    }
                }
                Figure("total", score.GetProperty("total").GetDecimal());
                Figure("pengungkit", score.GetProperty("pengungkit").GetDecimal());
                Figure("hasil", score.GetProperty("hasil").GetDecimal());
                Figure("BERSIH", score.GetProperty("bersihAkuntabel").GetDecimal());
                foreach (var area in score.GetProperty("areas").EnumerateArray())
                {
                    Figure(area.GetProperty("code").GetString()!, area.GetProperty("score").GetDecimal());
                }
                var predikats = new[] { "WBK", "WBBM" };
                for (var p = 0; p < predikats.Length; p++)
                {
                    var eligibility = score.GetProperty("eligibility").GetProperty(predikats[p]);
                    foreach (var rule in eligibility.GetProperty("rules").EnumerateArray())
                    {
                        var name = rule.GetProperty("rule").GetString()!;
                        var expected = rule.GetProperty("passed").ValueKind == JsonValueKind.Null ? "unknown" : rule.GetProperty("passed").GetBoolean() ? "1" : "0";
                        var actual = sheet.GetValueOrDefault($"{ruleColumns[p]}{Xlsx.RowOf(sheet, name, rule: true)}")?.Value;
                        if (Normalize(actual) != expected)
                        {
                            mismatches.Add($"{cases[i].Name} {layer} {predikats[p]} {name}: workbook {actual}, API {expected}");
                        }
                    }
                    var verdict = eligibility.GetProperty("eligible");
                    var eligible = sheet.GetValueOrDefault($"{ruleColumns[p]}{Xlsx.RowOf(sheet, "eligible")}")?.Value;
                    var wanted = verdict.ValueKind == JsonValueKind.Null ? "unknown" : verdict.GetBoolean() ? "1" : "0";
                    if (Normalize(eligible) != wanted)
                    {
                        mismatches.Add($"{cases[i].Name} {layer} {predikats[p]} eligible: workbook {eligible}, API {wanted}");
                    }
                }
            }
        }
        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
    }

    private static string? Normalize(string? value) => value switch { "TRUE" or "true" => "1", "FALSE" or "false" => "0", _ => value };
}

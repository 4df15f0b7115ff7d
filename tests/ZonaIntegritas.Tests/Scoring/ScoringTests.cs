using System.Text.Json;
using CsCheck;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;
using static ZonaIntegritas.Tests.Scoring.Worksheets;

namespace ZonaIntegritas.Tests.Scoring;

public sealed class ScoringTests
{
    [Fact]
    public void TheCatalogueHas113ScoredItemsWhoseWeightsMatchTheFileAndAddUpToOneHundred()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "permenpanrb-90-2021.json")));
        var fileWeights = new Dictionary<string, decimal>();
        void Walk(JsonElement element)
        {
            if (element.ValueKind == JsonValueKind.Object)
            {
                if (element.TryGetProperty("answerType", out _) && element.GetProperty("scored").GetBoolean())
                {
                    fileWeights[element.GetProperty("code").GetString()!] = element.GetProperty("weight").GetDecimal();
                }
                foreach (var property in element.EnumerateObject()) Walk(property.Value);
            }
            else if (element.ValueKind == JsonValueKind.Array)
            {
                foreach (var child in element.EnumerateArray()) Walk(child);
            }
        }
        Walk(json.RootElement.GetProperty("components"));

        var scored = Scored(Lke).ToList();
        Assert.Equal(113, scored.Count);
        Assert.All(scored, item => Assert.True(Math.Abs(item.Weight!.Value - fileWeights[item.Code]) < 1e-12m, item.Code));
        Assert.Equal(100m, Math.Round(scored.Sum(i => i.Weight!.Value), 20));
    }

    [Fact]
    public void AllTopAnswersScoreExactlyOneHundredAndAreEligibleForBothTargets()
    {
        var report = ScoreCalculator.Calculate(Lke, Top(Lke), holdsActiveWbk: true);

        Assert.Equal(100.00m, report.Total);
        Assert.Equal(60.00m, report.Pengungkit);
        Assert.Equal(40.00m, report.Hasil);
        Assert.Empty(report.Unanswered);
        Assert.True(report.Eligibility["WBK"].Eligible);
        Assert.True(report.Eligibility["WBBM"].Eligible);
        Assert.All(report.Areas, a => Assert.Equal(1.0000m, a.Fraction));
    }

    [Fact]
    public void AllLowestAnswersScoreZeroAndEveryItemCountsAsAnswered()
    {
        var report = ScoreCalculator.Calculate(Lke, Lowest(Lke), holdsActiveWbk: true);

        Assert.Equal(0m, report.Total);
        Assert.Empty(report.Unanswered);
        Assert.False(report.Eligibility["WBK"].Eligible);
    }

    [Fact]
    public void UnansweredItemsScoreZeroAndAreListedInWorksheetOrder()
    {
        var answers = Top(Lke);
        answers.Remove("PT.P.1.a");
        answers.Remove("MP.R.1.a.1");

        var report = ScoreCalculator.Calculate(Lke, answers, holdsActiveWbk: null);

        Assert.Equal(["MP.R.1.a", "PT.P.1.a"], report.Unanswered);
        Assert.True(report.Total < 100m);
    }

    [Fact]
    public void TheWbbmPriorWbkRuleIsUnknownUntilDesignationsAreKnown()
    {
        var report = ScoreCalculator.Calculate(Lke, Top(Lke), holdsActiveWbk: null);

        var prior = Rule(report, "WBBM", "priorWbk");
        Assert.Null(prior.Passed);
        Assert.Equal("unknown", prior.Status);
        Assert.Null(report.Eligibility["WBBM"].Eligible);
        Assert.True(report.Eligibility["WBK"].Eligible);
        Assert.False(ScoreCalculator.Calculate(Lke, Top(Lke), holdsActiveWbk: false).Eligibility["WBBM"].Eligible);
    }

    public static TheoryData<string, long[], decimal> PercentCases() => new()
    {
        // MP.R.1.a = changes made / change agents, capped at 100%
        { "MP.R.1.a", [10, 4], 0.4m },
        { "MP.R.1.a", [4, 10], 1m },
        { "MP.R.1.b", [8, 6], 0.75m },
        // SDM.R.3.a = (previous - this year) / previous; more violations than last year scores 0
        { "SDM.R.3.a", [10, 4], 0.6m },
        { "SDM.R.3.a", [4, 10], 0m },
        { "AK.R.1.a", [20, 15], 0.75m },
        { "PW.R.2.a", [40, 0, 30], 0.75m },
        // PW.R.3.a = reported / (head + officials + others); the total row .1 is not read
        { "PW.R.3.a", [99, 1, 3, 6, 5], 0.5m },
        { "PW.R.3.b", [0, 10, 20, 10, 30], 0.75m },
        { "PL.R.1.b", [8, 2], 0.25m },
    };

    [Theory, MemberData(nameof(PercentCases))]
    public void EveryPercentageIsComputedFromItsCountInputs(string itemCode, long[] counts, decimal expectedFraction)
    {
        Assert.True(Lke.TryGetItem(itemCode, out var item));
        var answers = new Dictionary<string, string>();
        for (var i = 0; i < counts.Length; i++)
        {
            answers[$"{itemCode}.{i + 1}"] = counts[i].ToString();
        }

        var report = ScoreCalculator.Calculate(Lke, answers, holdsActiveWbk: null);

        Assert.Equal(expectedFraction, ScoreCalculator.Fraction(item, answers));
        Assert.DoesNotContain(itemCode, report.Unanswered);
        Assert.Empty(report.Warnings);
    }

    [Theory]
    [InlineData("MP.R.1.a", new long[] { 0, 3 })]
    [InlineData("SDM.R.3.a", new long[] { 0, 0 })]
    [InlineData("SDM.R.3.a", new long[] { 0, 2 })]
    [InlineData("PW.R.3.a", new long[] { 0, 0, 0, 0, 0 })]
    public void AZeroDenominatorScoresZeroWithAWarningNamingTheItem(string itemCode, long[] counts)
    {
        var answers = Top(Lke).Where(a => !a.Key.StartsWith(itemCode + ".")).ToDictionary();
        for (var i = 0; i < counts.Length; i++)
        {
            answers[$"{itemCode}.{i + 1}"] = counts[i].ToString();
        }
        Assert.True(Lke.TryGetItem(itemCode, out var item));

        var report = ScoreCalculator.Calculate(Lke, answers, holdsActiveWbk: true);

        Assert.Contains(report.Warnings, w => w.StartsWith(itemCode + ":"));
        Assert.Equal(ScoreCalculator.Round(100m - item.Weight!.Value), report.Total);
    }

    [Fact]
    public void APercentageWithAMissingInputIsUnanswered()
    {
        var answers = new Dictionary<string, string> { ["MP.R.1.a.1"] = "5" };

        var report = ScoreCalculator.Calculate(Lke, answers, holdsActiveWbk: null);

        Assert.Contains("MP.R.1.a", report.Unanswered);
    }

    [Fact]
    public void RaisingAnySingleAnswerNeverLowersTheTotalOrAnyArea()
    {
        var scored = Scored(Lke).ToList();
        var fractions = Gen.Select(Gen.Int[0, 4], Gen.Int[0, 100]).Array[scored.Count];
        Gen.Select(fractions, Gen.Int[0, scored.Count - 1], Gen.Int[0, 100]).Sample((levels, index, raise) =>
        {
            var before = new Dictionary<string, string>();
            for (var i = 0; i < scored.Count; i++)
            {
                Answer(before, scored[i], Level(scored[i], levels[i].Item1, levels[i].Item2));
            }
            var after = new Dictionary<string, string>(before);
            var item = scored[index];
            var current = ScoreCalculator.Fraction(item, before)!.Value;
            Answer(after, item, Math.Min(1m, current + (1m - current) * raise / 100m));
            if (ScoreCalculator.Fraction(item, after) < current)
            {
                Answer(after, item, current);
            }

            var low = ScoreCalculator.Calculate(Lke, before, true);
            var high = ScoreCalculator.Calculate(Lke, after, true);

            Assert.True(high.Total >= low.Total, $"{item.Code}: {low.Total} -> {high.Total}");
            Assert.All(high.Areas.Zip(low.Areas), pair => Assert.True(pair.First.Score >= pair.Second.Score, pair.First.Code));
        }, iter: 300);
    }

    private static decimal Level(FrameworkItem item, int option, int percent) => item.AnswerType switch
    {
        "PERSEN" or "NILAI_0_4" => percent / 100m,
        _ => item.Options!.OrderBy(o => o.Score).ElementAt(option % item.Options!.Count).Score,
    };

    public static TheoryData<string, string> AreaRules() => new()
    {
        { "WBK", "MP" }, { "WBK", "PT" }, { "WBK", "SDM" }, { "WBK", "AK" }, { "WBK", "PW" }, { "WBK", "PL" },
        { "WBBM", "MP" }, { "WBBM", "PT" }, { "WBBM", "SDM" }, { "WBBM", "AK" }, { "WBBM", "PW" }, { "WBBM", "PL" },
    };

    [Theory, MemberData(nameof(AreaRules))]
    public void AnAreaExactlyAtItsMinimumPassesAndOneHundredthBelowFails(string target, string area)
    {
        var minimum = Lke.Thresholds[target].AreaMinFraction * Lke.Components.SelectMany(c => c.Areas).Single(a => a.Code == area).Weight;
        var items = InArea(Lke, area).ToList();
        if (area == "PT")
        {
            // PT has no percentage item to tune with; find discrete answers that round to the figure.
            AssertDiscreteBoundary(target, area, items, minimum);
            return;
        }

        var at = ScoreCalculator.Calculate(Lke, Hitting(Lke, items, minimum), true);
        var below = ScoreCalculator.Calculate(Lke, Hitting(Lke, items, minimum - 0.01m), true);

        Assert.Equal(ScoreCalculator.Round(minimum), at.Areas.Single(a => a.Code == area).Score);
        Assert.True(Rule(at, target, $"area:{area}").Passed);
        Assert.Equal(ScoreCalculator.Round(minimum) - 0.01m, below.Areas.Single(a => a.Code == area).Score);
        Assert.False(Rule(below, target, $"area:{area}").Passed);
    }

    private static void AssertDiscreteBoundary(string target, string area, List<FrameworkItem> items, decimal minimum)
    {
        var at = DiscreteHitting(items, minimum);
        var below = DiscreteHitting(items, minimum, below: true);
        Assert.NotNull(at);
        Assert.NotNull(below);

        var atReport = ScoreCalculator.Calculate(Lke, at, true);
        var belowReport = ScoreCalculator.Calculate(Lke, below, true);

        Assert.Equal(ScoreCalculator.Round(minimum), atReport.Areas.Single(a => a.Code == area).Score);
        Assert.True(Rule(atReport, target, $"area:{area}").Passed);
        Assert.False(Rule(belowReport, target, $"area:{area}").Passed);
        // The options cannot always make exactly one hundredth less; the nearest figure below is close.
        Assert.InRange(ScoreCalculator.Round(minimum) - belowReport.Areas.Single(a => a.Code == area).Score, 0.01m, 0.05m);
    }

    [Theory]
    [InlineData("WBK")]
    [InlineData("WBBM")]
    public void TotalAndPengungkitExactlyAtTheirMinimumsPassAndOneHundredthBelowFails(string target)
    {
        var thresholds = Lke.Thresholds[target];
        var pengungkit = InComponent(Lke, "PENGUNGKIT").ToList();

        var pengungkitAt = ScoreCalculator.Calculate(Lke, Hitting(Lke, pengungkit, thresholds.PengungkitTotal), true);
        var pengungkitBelow = ScoreCalculator.Calculate(Lke, Hitting(Lke, pengungkit, thresholds.PengungkitTotal - 0.01m), true);
        var totalAt = ScoreCalculator.Calculate(Lke, Hitting(Lke, Scored(Lke), thresholds.Total), true);
        var totalBelow = ScoreCalculator.Calculate(Lke, Hitting(Lke, Scored(Lke), thresholds.Total - 0.01m), true);

        Assert.Equal(thresholds.PengungkitTotal, pengungkitAt.Pengungkit);
        Assert.True(Rule(pengungkitAt, target, "pengungkit").Passed);
        Assert.False(Rule(pengungkitBelow, target, "pengungkit").Passed);
        Assert.Equal(thresholds.Total, totalAt.Total);
        Assert.True(Rule(totalAt, target, "total").Passed);
        Assert.Equal(thresholds.Total - 0.01m, totalBelow.Total);
        Assert.False(Rule(totalBelow, target, "total").Passed);
    }

    [Theory]
    [InlineData("WBK", "3.6", "3.59", "ipak")]
    [InlineData("WBBM", "3.6", "3.59", "ipak")]
    [InlineData("WBK", "3.2", "3.19", "ipkp")]
    [InlineData("WBBM", "3.6", "3.59", "ipkp")]
    public void SurveyValuesAtTheirMinimumPassAndJustBelowFail(string target, string at, string below, string rule)
    {
        var item = rule == "ipak" ? "HB.1" : "HP.1";
        var passing = Top(Lke);
        passing[item] = at;
        var failing = Top(Lke);
        failing[item] = below;

        Assert.True(Rule(ScoreCalculator.Calculate(Lke, passing, true), target, rule).Passed);
        Assert.False(Rule(ScoreCalculator.Calculate(Lke, failing, true), target, rule).Passed);
    }

    [Theory]
    [InlineData("WBK", "C", "D")]
    [InlineData("WBBM", "B", "C")]
    public void TheCapaianKinerjaRuleFailsWhenItShould(string target, string passingAnswer, string failingAnswer)
    {
        var passing = Top(Lke);
        passing["HB.2"] = passingAnswer;
        var failing = Top(Lke);
        failing["HB.2"] = failingAnswer;

        var failed = ScoreCalculator.Calculate(Lke, failing, true);

        Assert.True(Rule(ScoreCalculator.Calculate(Lke, passing, true), target, "capaianKinerja").Passed);
        Assert.False(Rule(failed, target, "capaianKinerja").Passed);
        Assert.False(failed.Eligibility[target].Eligible);
        // Everything else is at the top: capaian kinerja alone decides.
        Assert.Single(failed.Eligibility[target].Rules, r => r.Passed == false);
    }

    [Fact]
    public void BersihDanAkuntabelAtExactly1825PassesForWbk()
    {
        var answers = Top(Lke);
        answers["HB.1"] = "3.6";
        answers["HB.2"] = "C";
        var below = new Dictionary<string, string>(answers) { ["HB.1"] = "3.59" };

        var report = ScoreCalculator.Calculate(Lke, answers, true);

        Assert.Equal(18.25m, report.BersihAkuntabel);
        Assert.True(Rule(report, "WBK", "bersihAkuntabel").Passed);
        Assert.False(Rule(ScoreCalculator.Calculate(Lke, below, true), "WBK", "bersihAkuntabel").Passed);
    }

    [Fact]
    public void TheAreaMinimumAppliesToTheWholeAreaNotToEachHalf()
    {
        // PW (15): reform (7.5) at the top, pemenuhan at 1.5, far below 60% of its own 7.5; the area as a whole reaches 9.0.
        var answers = Top(Lke);
        var pemenuhan = InArea(Lke, "PW").Where(i => i.Code.StartsWith("PW.P.")).ToList();
        foreach (var (code, value) in DiscreteHitting(pemenuhan, 1.5m)!)
        {
            answers[code] = value;
        }

        var report = ScoreCalculator.Calculate(Lke, answers, true);
        var pemenuhanScore = ScoreCalculator.Round(ScoreCalculator.Raw(Lke, answers).ItemScores.Where(s => s.Key.StartsWith("PW.P.")).Sum(s => s.Value));

        Assert.Equal(1.50m, pemenuhanScore);
        Assert.True(pemenuhanScore < 0.6m * 7.5m);
        Assert.Equal(9.00m, report.Areas.Single(a => a.Code == "PW").Score);
        Assert.True(Rule(report, "WBK", "area:PW").Passed);
        Assert.True(report.Eligibility["WBK"].Eligible);
    }

    [Fact]
    public void EveryRuleIsReportedEvenWhenPassing()
    {
        var report = ScoreCalculator.Calculate(Lke, Top(Lke), true);

        Assert.Equal(
            ["total", "pengungkit", "area:MP", "area:PT", "area:SDM", "area:AK", "area:PW", "area:PL", "bersihAkuntabel", "ipak", "capaianKinerja", "ipkp"],
            report.Eligibility["WBK"].Rules.Select(r => r.Rule));
        Assert.Equal("priorWbk", report.Eligibility["WBBM"].Rules[^1].Rule);
        Assert.All(report.Eligibility["WBK"].Rules, r => Assert.Equal("passed", r.Status));
    }
}

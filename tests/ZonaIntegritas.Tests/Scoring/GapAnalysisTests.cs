using CsCheck;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;
using static ZonaIntegritas.Tests.Scoring.Worksheets;

namespace ZonaIntegritas.Tests.Scoring;

public sealed class GapAnalysisTests
{
    private static Dictionary<string, string> Apply(IReadOnlyDictionary<string, string> answers, GapReport gap)
    {
        var result = new Dictionary<string, string>(answers);
        foreach (var step in gap.Steps)
        {
            Assert.True(Lke.TryGetItem(step.ItemCode, out var item));
            if (item.AnswerType == "PERSEN")
            {
                Assert.Equal("100%", step.To);
                Answer(result, item, 1m);
            }
            else
            {
                result[step.ItemCode] = step.To;
            }
        }
        return result;
    }

    [Fact]
    public void AnEligibleAssessmentNeedsNoSteps()
    {
        var gap = GapAnalysis.Find(Lke, Top(Lke), "WBK", holdsActiveWbk: null);

        Assert.True(gap.Reachable);
        Assert.Empty(gap.Steps);
        Assert.Equal(100m, gap.ProjectedTotal);
    }

    [Fact]
    public void AnAreaBelowItsMinimumIsFixedInThatAreaEvenWhenBiggerGainsLieElsewhere()
    {
        // PW loses a lot (big gains available there), PT drops just under its minimum with small gains only.
        var answers = Top(Lke);
        foreach (var item in InArea(Lke, "PW").Where(i => i.AnswerType != "PERSEN").Take(8))
        {
            Answer(answers, item, 0m);
        }
        foreach (var (code, value) in DiscreteHitting(InArea(Lke, "PT"), 4.19m, below: true)!)
        {
            answers[code] = value;
        }
        var before = ScoreCalculator.Calculate(Lke, answers, null);
        Assert.False(Rule(before, "WBK", "area:PT").Passed);
        Assert.True(Rule(before, "WBK", "total").Passed);

        var gap = GapAnalysis.Find(Lke, answers, "WBK", holdsActiveWbk: null);

        Assert.True(gap.Reachable);
        Assert.Single(gap.Steps);
        Assert.StartsWith("PT.", gap.Steps[0].ItemCode);
        Assert.True(ScoreCalculator.Calculate(Lke, Apply(answers, gap), null).Eligibility["WBK"].Eligible);
        Assert.All(gap.Rules, r => Assert.True(r.Passed));
    }

    [Fact]
    public void ThePlanIsMinimalInStepsAgainstBruteForce()
    {
        var scored = Scored(Lke).Where(i => i.AnswerType is not ("NILAI_0_4" or "PERSEN") && i.AreaCode != "BERSIH").ToList();
        Gen.Int[0, scored.Count - 1].Array[2, 6].Select(Gen.Int[0, 1].Array[6], (picks, lows) => (picks.Distinct().ToArray(), lows))
            .Sample(t =>
            {
                var (picks, lows) = t;
                var answers = Top(Lke);
                for (var i = 0; i < picks.Length; i++)
                {
                    Answer(answers, scored[picks[i]], lows[i] == 0 ? 0m : 0.5m);
                }
                foreach (var target in new[] { "WBK", "WBBM" })
                {
                    var gap = GapAnalysis.Find(Lke, answers, target, holdsActiveWbk: true);
                    var fewest = BruteForceFewestSteps(answers, picks.Select(p => scored[p]).ToList(), target);
                    Assert.Equal(fewest is not null, gap.Reachable);
                    if (fewest is { } count)
                    {
                        Assert.Equal(count, gap.Steps.Count);
                        Assert.True(ScoreCalculator.Calculate(Lke, Apply(answers, gap), true).Eligibility[target].Eligible, target);
                    }
                }
            }, iter: 60);
    }

    /// <summary>Tries every subset of the degraded items, smallest first, each raised to its best option.</summary>
    private static int? BruteForceFewestSteps(Dictionary<string, string> answers, List<FrameworkItem> degraded, string target)
    {
        var changed = degraded.Where(i => ScoreCalculator.Fraction(i, answers) < 1m).Distinct().ToList();
        for (var size = 0; size <= changed.Count; size++)
        {
            foreach (var subset in Subsets(changed, size))
            {
                var trial = new Dictionary<string, string>(answers);
                foreach (var item in subset)
                {
                    Answer(trial, item, 1m);
                }
                if (ScoreCalculator.Calculate(Lke, trial, true).Eligibility[target].Eligible == true)
                {
                    return size;
                }
            }
        }
        return null;
    }

    private static IEnumerable<List<T>> Subsets<T>(List<T> items, int size, int start = 0)
    {
        if (size == 0)
        {
            yield return [];
            yield break;
        }
        for (var i = start; i <= items.Count - size; i++)
        {
            foreach (var rest in Subsets(items, size - 1, i + 1))
            {
                rest.Insert(0, items[i]);
                yield return rest;
            }
        }
    }

    [Fact]
    public void ALowSurveyValueIsUnreachableByAnyAnswer()
    {
        var answers = Top(Lke);
        answers["HB.1"] = "3";

        var gap = GapAnalysis.Find(Lke, answers, "WBK", holdsActiveWbk: null);

        Assert.False(gap.Reachable);
        Assert.Contains("ipak", gap.UnreachableRules);
        Assert.Empty(gap.Steps);
    }

    [Fact]
    public void WbbmWithoutAWbkIsUnreachable()
    {
        var answers = Top(Lke);
        answers["PT.P.1.a"] = "C";

        var gap = GapAnalysis.Find(Lke, answers, "WBBM", holdsActiveWbk: false);

        Assert.False(gap.Reachable);
        Assert.Equal(["priorWbk"], gap.UnreachableRules);
    }

    [Fact]
    public void AnEmptyWorksheetWithGoodSurveysCanStillBeFixedByAnswering()
    {
        var answers = new Dictionary<string, string> { ["HB.1"] = "4", ["HP.1"] = "4" };

        var gap = GapAnalysis.Find(Lke, answers, "WBK", holdsActiveWbk: null);

        Assert.True(gap.Reachable);
        Assert.True(ScoreCalculator.Calculate(Lke, Apply(answers, gap), null).Eligibility["WBK"].Eligible);
        Assert.Contains(gap.Steps, s => s.ItemCode == "HB.2");
        Assert.True(gap.ProjectedTotal >= 75m);
    }

    [Fact]
    public void StepsAreLoweredToTheSmallestOptionThatStillPasses()
    {
        var answers = Top(Lke);
        answers["HB.2"] = "D";

        var gap = GapAnalysis.Find(Lke, answers, "WBK", holdsActiveWbk: null);

        var step = Assert.Single(gap.Steps);
        Assert.Equal(new GapStep("HB.2", "D", "C", 1.25m), step);
    }
}

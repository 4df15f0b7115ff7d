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
    public void ThePlanIsMinimalInStepsAgainstBruteForceWithBlanksAmongTheAnswers()
    {
        var scored = Scored(Lke).Where(i => i.AnswerType is not ("NILAI_0_4" or "PERSEN") && i.AreaCode != "BERSIH").ToList();
        Gen.Select(Gen.Int[0, scored.Count - 1].Array[2, 6], Gen.Int[0, 1].Array[6], Gen.Int[0, scored.Count - 1].Array[0, 2])
            .Select((picks, lows, blanks) => (picks.Distinct().ToArray(), lows, blanks.Distinct().Where(b => !picks.Contains(b)).ToArray()))
            .Sample(t =>
            {
                var (picks, lows, blanks) = t;
                var answers = Top(Lke);
                for (var i = 0; i < picks.Length; i++)
                {
                    Answer(answers, scored[picks[i]], lows[i] == 0 ? 0m : 0.5m);
                }
                foreach (var blank in blanks)
                {
                    answers.Remove(scored[blank].Code);
                }
                foreach (var target in new[] { "WBK", "WBBM" })
                {
                    var gap = GapAnalysis.Find(Lke, answers, target, holdsActiveWbk: true);
                    var fewest = BruteForceFewestSteps(answers, picks.Select(p => scored[p]).ToList(), blanks.Select(b => scored[b]).ToList(), target);
                    Assert.Equal(fewest is not null, gap.Reachable);
                    if (fewest is { } count)
                    {
                        Assert.Equal(count, gap.Steps.Count);
                        Assert.All(blanks, b => Assert.Contains(gap.Steps, s => s.ItemCode == scored[b].Code && s.From is null));
                        var applied = ScoreCalculator.Calculate(Lke, Apply(answers, gap), true);
                        Assert.True(applied.Eligibility[target].Eligible, target);
                        Assert.Equal(gap.ProjectedTotal, applied.Total);
                    }
                }
            }, iter: 60);
    }

    /// <summary>
    /// Every blank answered with every option in turn (any answer, not only the top: blanks can lower an average), and
    /// every subset of the degraded items raised to its best option, smallest first.
    /// </summary>
    private static int? BruteForceFewestSteps(Dictionary<string, string> answers, List<FrameworkItem> degraded, List<FrameworkItem> blanks, string target)
    {
        var changed = degraded.Where(i => ScoreCalculator.Fraction(i, answers) < 1m).Distinct().ToList();
        var fillings = blanks.Aggregate(new List<Dictionary<string, string>> { new() }, (partial, blank) =>
            partial.SelectMany(p => blank.Options!.Select(o => new Dictionary<string, string>(p) { [blank.Code] = o.Value })).ToList());
        for (var size = 0; size <= changed.Count; size++)
        {
            foreach (var subset in Subsets(changed, size))
            {
                foreach (var filling in fillings)
                {
                    var trial = new Dictionary<string, string>(answers);
                    foreach (var (code, value) in filling)
                    {
                        trial[code] = value;
                    }
                    foreach (var item in subset)
                    {
                        Answer(trial, item, 1m);
                    }
                    if (ScoreCalculator.Calculate(Lke, trial, true).Eligibility[target].Eligible == true)
                    {
                        return blanks.Count + size;
                    }
                }
            }
        }
        return null;
    }

    [Fact]
    public void ABlankItemIsAStepEvenWhenEveryFigureAlreadyPasses()
    {
        var answers = Top(Lke);
        answers.Remove("PT.P.1.a");
        var before = ScoreCalculator.Calculate(Lke, answers, null);
        Assert.Equal(100m, before.Total);
        Assert.False(Rule(before, "WBK", "complete").Passed);

        var gap = GapAnalysis.Find(Lke, answers, "WBK", holdsActiveWbk: null);

        var step = Assert.Single(gap.Steps);
        Assert.Equal("PT.P.1.a", step.ItemCode);
        Assert.Null(step.From);
        // Any answer keeps every figure above its minimum, so the lowest option is enough.
        Assert.Equal(Lke.Items.Single(i => i.Code == "PT.P.1.a").Options!.MinBy(o => o.Score)!.Value, step.To);
        Assert.True(ScoreCalculator.Calculate(Lke, Apply(answers, gap), null).Eligibility["WBK"].Eligible);
    }

    [Fact]
    public void ABlankWhoseLowAnswerWouldSinkAnAreaIsAnsweredHighEnoughToKeepIt()
    {
        // SDM answered at the top except for three blanks, then lowered until the area sits just above its minimum: a blank
        // answered at its lowest would pull the averages under it, so the plan must pick an answer that keeps the area.
        var answers = Top(Lke);
        var sdm = InArea(Lke, "SDM").Where(i => i.AnswerType != "PERSEN").ToList();
        foreach (var item in sdm.Take(3))
        {
            answers.Remove(item.Code);
        }
        foreach (var item in sdm.Skip(3))
        {
            if (ScoreCalculator.Calculate(Lke, new Dictionary<string, string>(answers) { [item.Code] = item.Options!.MinBy(o => o.Score)!.Value }, true)
                .Areas.Single(a => a.Code == "SDM").Score >= 6.2m)
            {
                Answer(answers, item, 0m);
            }
        }
        var before = ScoreCalculator.Raw(Lke, answers);
        Assert.InRange(before.AreaScores["SDM"], 6m, 6.5m);

        var gap = GapAnalysis.Find(Lke, answers, "WBK", holdsActiveWbk: true);

        Assert.True(gap.Reachable);
        Assert.Equal(3, gap.Steps.Count(s => s.From is null));
        var after = ScoreCalculator.Calculate(Lke, Apply(answers, gap), true);
        Assert.True(after.Eligibility["WBK"].Eligible);
        Assert.True(Rule(after, "WBK", "area:SDM").Exact >= 6m);
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

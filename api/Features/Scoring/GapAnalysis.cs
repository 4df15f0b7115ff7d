using System.Globalization;
using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Api.Features.Scoring;

/// <summary>One step of a plan: answer <c>itemCode</c> with <c>to</c>; <c>from</c> is null for a blank item.</summary>
public sealed record GapStep(string ItemCode, string? From, string To, decimal Gain);

public sealed record GapReport(
    string Target,
    bool Reachable,
    decimal CurrentTotal,
    decimal? ProjectedTotal,
    IReadOnlyList<GapStep> Steps,
    IReadOnlyList<RuleResult> Rules,
    IReadOnlyList<string> UnreachableRules);

/// <summary>
/// The fewest answer changes that make a layer eligible for a target (docs/scoring.md has the argument in full).
/// <para>
/// Every blank scored item must be answered (the <c>complete</c> rule), so each blank is a step of every plan. Answering a
/// blank with its top value never lowers an average (the mean of values ≤ 1 with a 1 added cannot fall), and once the
/// worksheet is complete every sub-indicator divides by a fixed count, so every figure is a sum of independent item terms
/// that only grow as an answer rises. Hence some fewest-step plan fills every blank at the top: the analysis starts from
/// that completed worksheet (the baseline), where the problem is the one without blanks.
/// </para>
/// <para>
/// On the baseline every rule is a lower bound on a sum of item terms. The pengungkit areas and the capaian-kinerja item
/// (HB.2) form independent groups, each with its own minimum. Within a group the most any k steps can add is the sum of
/// its k largest possible gains, so the fewest steps a group needs is the shortest prefix of its gains, sorted
/// descending, that covers its shortfall. The pengungkit and total minimums are then covered by the largest gains not
/// yet used (an exchange argument: any set of the same size adds no more). HB.2 is tried both raised to its best option
/// and left alone, and the smaller count wins. Comparisons use the exact figures, as the score does.
/// </para>
/// <para>
/// Ties are then broken towards the smallest total change: each step (blanks included) is lowered to the smallest option
/// that keeps every rule satisfied, largest steps first, and an improvement step is swapped for an unused cheaper one
/// while all rules still hold. This keeps the step count minimal; the total change it reaches is small but not proven
/// minimal. The plan is finally scored from scratch and judged like any worksheet.
/// </para>
/// Survey values (IPAK HB.1, IPKP HP.1) are external results and are never changed; nor is a missing WBK for WBBM.
/// </summary>
public static class GapAnalysis
{
    private const string HasilGroup = "HB.2";

    private sealed record Option(string To, decimal Fraction, decimal Gain);

    /// <summary>
    /// An item a plan may answer. Gains are measured on the baseline (blanks at the top), so a blank's best option gains 0
    /// and its lower options lose; <c>Blank</c> items are in every plan.
    /// </summary>
    // A class, not a record: plans key dictionaries by candidate, and identity is all a candidate needs (a record would hash
    // the whole catalogue item, question text included, on every lookup).
    private sealed class Candidate(FrameworkItem item, string group, bool pengungkit, string? from, bool blank, IReadOnlyList<Option> options)
    {
        public FrameworkItem Item { get; } = item;
        public string Group { get; } = group;
        public bool Pengungkit { get; } = pengungkit;
        public string? From { get; } = from;
        public bool Blank { get; } = blank;
        public IReadOnlyList<Option> Options { get; } = options;
        public Option Best => Options[^1];
    }

    /// <summary>The exact figures one group of rules reads, and their minimums; a gain adds to every figure of the group.</summary>
    private sealed record Bound(decimal Actual, decimal Required)
    {
        public bool Holds(decimal gain) => ScoreCalculator.Meets(Actual + gain, Required);
    }

    public static GapReport Find(Framework framework, IReadOnlyDictionary<string, string> answers, string target, bool? holdsActiveWbk)
    {
        var thresholds = framework.Thresholds[target];
        var raw = ScoreCalculator.Raw(framework, answers);
        var current = ScoreCalculator.Judge(framework, raw, thresholds, holdsActiveWbk);
        var currentTotal = ScoreCalculator.Round(raw.Total);
        if (current.Eligible is not false)
        {
            return new GapReport(target, true, currentTotal, currentTotal, [], current.Rules, []);
        }

        // Each scored item's current value by ordinal; null when blank.
        var values = new decimal?[framework.Items.Count];
        foreach (var item in framework.Items.Where(i => i.Scored))
        {
            values[item.Ordinal] = ScoreCalculator.Fraction(item, answers);
        }
        var unreachable = new List<string>();
        if (!ScoreCalculator.Meets(raw.ItemScore(ScoreCalculator.IpakItem), thresholds.Ipak)) unreachable.Add("ipak");
        if (!ScoreCalculator.Meets(raw.ItemScore(ScoreCalculator.IpkpItem), thresholds.Ipkp)) unreachable.Add("ipkp");
        // A blank survey value cannot be filled by answering: it comes from the survey.
        if (framework.Items.Any(i => i.Scored && values[i.Ordinal] is null && !Fillable(i))) unreachable.Add(ScoreCalculator.CompleteRule);
        if (holdsActiveWbk == false && thresholds.RequiresPriorPredikat is not null) unreachable.Add("priorWbk");

        var completed = (decimal?[])values.Clone();
        foreach (var item in framework.Items.Where(i => i.Scored && values[i.Ordinal] is null && Fillable(i)))
        {
            completed[item.Ordinal] = 1m;
        }
        var baseline = ScoreCalculator.Raw(framework, completed);
        var candidates = Candidates(framework, answers, values, baseline);
        var groups = framework.Components.Where(c => c.Code == "PENGUNGKIT").SelectMany(c => c.Areas)
            .ToDictionary(a => a.Code, a => new[] { new Bound(baseline.AreaScores[a.Code], a.Weight * thresholds.AreaMinFraction) });
        var hb2 = baseline.ItemScore(ScoreCalculator.CapaianKinerjaItem);
        groups[HasilGroup] =
        [
            new Bound(hb2, thresholds.CapaianKinerja),
            new Bound(baseline.ItemScore(ScoreCalculator.IpakItem) + hb2, thresholds.BersihAkuntabel),
        ];
        var pengungkit = new Bound(baseline.Pengungkit, thresholds.PengungkitTotal);
        var total = new Bound(baseline.Total, thresholds.Total);

        List<Candidate>? best = null;
        var failedRules = new List<string>();
        foreach (var raiseHasil in new[] { false, true })
        {
            var chosen = MinimumSteps(candidates, groups, pengungkit, total, raiseHasil, failedRules);
            if (chosen is not null && (best is null || chosen.Count < best.Count))
            {
                best = chosen;
            }
        }
        if (best is null)
        {
            unreachable.AddRange(failedRules);
        }
        if (unreachable.Count > 0)
        {
            return new GapReport(target, false, currentTotal, null, [], current.Rules, unreachable.Distinct().ToList());
        }

        var plan = best!.ToDictionary(c => c, c => c.Best);
        var unlowered = new Dictionary<Candidate, Option>(plan);
        Economize(plan, candidates, groups, pengungkit, total);
        var (projected, judged) = Judge(framework, values, plan, thresholds, holdsActiveWbk);
        if (judged.Rules.Any(r => r.Passed == false))
        {
            // Cannot happen by the argument above; should a settled trace disagree, the plan at its best options stands.
            plan = unlowered;
            (projected, judged) = Judge(framework, values, plan, thresholds, holdsActiveWbk);
        }
        var steps = plan.OrderByDescending(p => p.Key.Blank ? p.Value.Fraction * p.Key.Item.Weight!.Value : p.Value.Gain).ThenBy(p => p.Key.Item.Ordinal)
            .Select(p => new GapStep(p.Key.Item.Code, p.Key.From, p.Value.To, ScoreCalculator.Round(Gain(p.Key, p.Value, baseline)))).ToList();
        return new GapReport(target, true, currentTotal, ScoreCalculator.Round(projected.Total), steps, judged.Rules, []);
    }

    /// <summary>A blank item a plan can answer: everything but the survey values.</summary>
    private static bool Fillable(FrameworkItem item) => item.AnswerType != "NILAI_0_4";

    /// <summary>What a step adds on the completed worksheet: for a blank, the whole term it brings; otherwise the rise.</summary>
    private static decimal Gain(Candidate candidate, Option option, ScoreCalculator.RawScores baseline) =>
        candidate.Blank ? option.Fraction * Coefficient(candidate.Item, baseline) : option.Gain;

    /// <summary>On the baseline a sub-indicator divides by a fixed count, so each item adds value × this coefficient.</summary>
    private static decimal Coefficient(FrameworkItem item, ScoreCalculator.RawScores baseline) =>
        item.SubIndicatorWeight / baseline.AnsweredInSubIndicator[item.Ordinal];

    private static List<Candidate> Candidates(Framework framework, IReadOnlyDictionary<string, string> answers,
        decimal?[] values, ScoreCalculator.RawScores baseline)
    {
        var list = new List<Candidate>();
        foreach (var component in framework.Components)
        {
            foreach (var area in component.Areas)
            {
                foreach (var item in area.Parts.SelectMany(p => p.SubIndicators).SelectMany(s => s.Items).Where(i => i.Scored))
                {
                    var pengungkit = component.Code == "PENGUNGKIT";
                    if (!Fillable(item) || (!pengungkit && item.Code != HasilGroup))
                    {
                        continue;
                    }
                    var blank = values[item.Ordinal] is null;
                    var fraction = values[item.Ordinal] ?? 1m;
                    var coefficient = Coefficient(item, baseline);
                    var from = blank ? null : item.AnswerType == "PERSEN" ? Percent(fraction) : answers[item.Code];
                    // A blank may take any option (its gain against the top is ≤ 0); an answered item only a better one.
                    var options = item.AnswerType == "PERSEN"
                        ? [new Option("100%", 1m, (1m - fraction) * coefficient)]
                        : item.Options!.Where(o => blank || o.Score > fraction).OrderBy(o => o.Score)
                            .Select(o => new Option(o.Value, o.Score, (o.Score - fraction) * coefficient)).ToList();
                    if (blank || (options.Count > 0 && options[^1].Gain > 0))
                    {
                        list.Add(new Candidate(item, pengungkit ? area.Code : HasilGroup, pengungkit, from, blank, options));
                    }
                }
            }
        }
        return list;
    }

    private static List<Candidate>? MinimumSteps(List<Candidate> candidates, Dictionary<string, Bound[]> groups,
        Bound pengungkitBound, Bound totalBound, bool raiseHasil, List<string> failedRules)
    {
        // Every blank is a step of every plan, at its top option (gain 0 on the baseline).
        var chosen = candidates.Where(c => c.Blank).ToList();
        var gained = 0m;
        var pengungkitGained = 0m;
        foreach (var (group, bounds) in groups)
        {
            var byGain = candidates.Where(c => c.Group == group && !c.Blank).OrderByDescending(c => c.Best.Gain).ToList();
            var sum = 0m;
            var taken = 0;
            while (!bounds.All(b => b.Holds(sum)) && taken < byGain.Count)
            {
                sum += byGain[taken++].Best.Gain;
            }
            if (!bounds.All(b => b.Holds(sum)))
            {
                failedRules.Add(group == HasilGroup ? "capaianKinerja" : $"area:{group}");
                return null;
            }
            if (group == HasilGroup && raiseHasil)
            {
                // The other branch: HB.2 raised to its best option even though no hasil rule needs it, to help the total.
                if (taken > 0 || byGain.Count == 0)
                {
                    return null;
                }
                taken = 1;
            }
            chosen.AddRange(byGain.Take(taken));
            gained += byGain.Take(taken).Sum(c => c.Best.Gain);
            pengungkitGained += byGain.Take(taken).Where(c => c.Pengungkit).Sum(c => c.Best.Gain);
        }
        var rest = candidates.Except(chosen).Where(c => c.Pengungkit).OrderByDescending(c => c.Best.Gain).ToList();
        var next = 0;
        while ((!pengungkitBound.Holds(pengungkitGained) || !totalBound.Holds(gained)) && next < rest.Count)
        {
            chosen.Add(rest[next]);
            gained += rest[next].Best.Gain;
            pengungkitGained += rest[next].Best.Gain;
            next++;
        }
        if (!pengungkitBound.Holds(pengungkitGained))
        {
            failedRules.Add("pengungkit");
            return null;
        }
        if (!totalBound.Holds(gained))
        {
            failedRules.Add("total");
            return null;
        }
        return chosen;
    }

    /// <summary>Lowers steps to cheaper options and swaps in cheaper items while every rule still holds.</summary>
    private static void Economize(Dictionary<Candidate, Option> plan, List<Candidate> candidates, Dictionary<string, Bound[]> groups,
        Bound pengungkitBound, Bound totalBound)
    {
        bool Feasible() =>
            groups.All(g => g.Value.All(b => b.Holds(plan.Where(p => p.Key.Group == g.Key).Sum(p => p.Value.Gain))))
            && pengungkitBound.Holds(plan.Where(p => p.Key.Pengungkit).Sum(p => p.Value.Gain))
            && totalBound.Holds(plan.Sum(p => p.Value.Gain));

        bool improved;
        do
        {
            improved = false;
            foreach (var candidate in plan.Keys.OrderByDescending(c => plan[c].Gain).ToList())
            {
                var original = plan[candidate];
                foreach (var cheaper in candidate.Options.Where(o => o.Gain < original.Gain))
                {
                    plan[candidate] = cheaper;
                    if (Feasible())
                    {
                        improved = true;
                        break;
                    }
                    plan[candidate] = original;
                }
            }
            // A blank stays in the plan: only improvement steps are swapped for cheaper ones.
            foreach (var candidate in plan.Keys.Where(c => !c.Blank).ToList())
            {
                var option = plan[candidate];
                var replacement = candidates.Where(c => c.Group == candidate.Group && !c.Blank && !plan.ContainsKey(c))
                    .SelectMany(c => c.Options.Select(o => (c, o)))
                    .Where(x => x.o.Gain < option.Gain)
                    .OrderBy(x => x.o.Gain)
                    .FirstOrDefault(x =>
                    {
                        plan.Remove(candidate);
                        plan[x.c] = x.o;
                        var ok = Feasible();
                        plan.Remove(x.c);
                        plan[candidate] = option;
                        return ok;
                    });
                if (replacement.c is not null)
                {
                    plan.Remove(candidate);
                    plan[replacement.c] = replacement.o;
                    improved = true;
                }
            }
        }
        while (improved);
    }

    /// <summary>Scores the worksheet with the plan applied from scratch, and judges it like any other.</summary>
    private static (ScoreCalculator.RawScores, Eligibility) Judge(Framework framework, decimal?[] values,
        Dictionary<Candidate, Option> plan, Thresholds thresholds, bool? holdsActiveWbk)
    {
        var planned = (decimal?[])values.Clone();
        foreach (var (candidate, option) in plan)
        {
            planned[candidate.Item.Ordinal] = option.Fraction;
        }
        var projected = ScoreCalculator.Raw(framework, planned);
        return (projected, ScoreCalculator.Judge(framework, projected, thresholds, holdsActiveWbk));
    }

    private static string Percent(decimal fraction) => (fraction * 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}

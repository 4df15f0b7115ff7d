using System.Globalization;
using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Api.Features.Scoring;

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
/// The fewest answer improvements that make a layer eligible for a target (docs/scoring.md).
/// <para>
/// Every rule is a lower bound on a sum of item scores, compared after rounding to 2 decimals; since the scores are
/// non-negative, <c>round2(x) ≥ r</c> exactly when <c>x ≥ r − 0.005</c>. The pengungkit areas and the capaian-kinerja item
/// (HB.2) form independent groups, each with its own minimum. Within a group the most any k steps can add is the sum of
/// its k largest possible gains, so the fewest steps a group needs is the shortest prefix of its gains, sorted
/// descending, that covers its deficit. The pengungkit and total minimums are then covered by the largest gains not yet
/// used (an exchange argument: any solution with the same count adds no more). HB.2 is tried both raised to its best
/// option and left alone, and the smaller step count wins. This is exact for the step count, including the per-area
/// rules that a greedy on the total alone gets wrong.
/// </para>
/// <para>
/// Ties are then broken towards the smallest total change: each step is lowered to the smallest option that keeps every
/// rule satisfied (largest steps first), and a step is swapped for an unused cheaper one while all rules still hold.
/// This keeps the step count minimal; the total change it reaches is small but not proven minimal.
/// </para>
/// Survey values (IPAK HB.1, IPKP HP.1) are external results and are never changed; nor is a missing WBK for WBBM.
/// </summary>
public static class GapAnalysis
{
    private const decimal RoundingSlack = 0.005m;
    private const string HasilGroup = "HB.2";

    private sealed record Option(string To, decimal Fraction, decimal Gain);

    private sealed record Candidate(FrameworkItem Item, string Group, bool Pengungkit, string? From, decimal CurrentFraction, IReadOnlyList<Option> Options)
    {
        public Option Best => Options[^1];
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

        var unreachable = new List<string>();
        var ipak = raw.ItemScores[ScoreCalculator.IpakItem];
        if (!Meets(ipak, thresholds.Ipak)) unreachable.Add("ipak");
        if (!Meets(raw.ItemScores[ScoreCalculator.IpkpItem], thresholds.Ipkp)) unreachable.Add("ipkp");
        if (holdsActiveWbk == false && thresholds.RequiresPriorPredikat is not null) unreachable.Add("priorWbk");

        var candidates = Candidates(framework, answers);
        var pengungkitAreas = framework.Components.Where(c => c.Code == "PENGUNGKIT").SelectMany(c => c.Areas).ToList();
        var deficits = pengungkitAreas.ToDictionary(a => a.Code, a => Deficit(raw.AreaScores[a.Code], a.Weight * thresholds.AreaMinFraction));
        deficits[HasilGroup] = Math.Max(
            Deficit(raw.ItemScores[ScoreCalculator.CapaianKinerjaItem], thresholds.CapaianKinerja),
            Deficit(ipak + raw.ItemScores[ScoreCalculator.CapaianKinerjaItem], thresholds.BersihAkuntabel));
        var pengungkitDeficit = Deficit(raw.Pengungkit, thresholds.PengungkitTotal);
        var totalDeficit = Deficit(raw.Total, thresholds.Total);

        List<Candidate>? best = null;
        var failedRules = new List<string>();
        foreach (var raiseHasil in new[] { false, true })
        {
            var chosen = MinimumSteps(candidates, deficits, pengungkitDeficit, totalDeficit, raiseHasil, failedRules);
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
        Economize(plan, candidates, deficits, pengungkitDeficit, totalDeficit);
        var projected = Project(raw, plan);
        var judged = ScoreCalculator.Judge(framework, projected, thresholds, holdsActiveWbk);
        var steps = plan.OrderByDescending(p => p.Value.Gain).ThenBy(p => p.Key.Item.Ordinal)
            .Select(p => new GapStep(p.Key.Item.Code, p.Key.From, p.Value.To, ScoreCalculator.Round(p.Value.Gain))).ToList();
        return new GapReport(target, true, currentTotal, ScoreCalculator.Round(projected.Total), steps, judged.Rules, []);
    }

    private static bool Meets(decimal actual, decimal required) => ScoreCalculator.Round(actual) >= ScoreCalculator.Round(required);

    private static decimal Deficit(decimal actual, decimal required) => Meets(actual, required) ? 0 : ScoreCalculator.Round(required) - RoundingSlack - actual;

    private static List<Candidate> Candidates(Framework framework, IReadOnlyDictionary<string, string> answers)
    {
        var list = new List<Candidate>();
        foreach (var component in framework.Components)
        {
            foreach (var area in component.Areas)
            {
                foreach (var item in area.Parts.SelectMany(p => p.SubIndicators).SelectMany(s => s.Items).Where(i => i.Scored))
                {
                    var pengungkit = component.Code == "PENGUNGKIT";
                    if (item.AnswerType == "NILAI_0_4" || (!pengungkit && item.Code != HasilGroup))
                    {
                        continue;
                    }
                    var fraction = ScoreCalculator.Fraction(item, answers) ?? 0m;
                    var from = item.AnswerType == "PERSEN"
                        ? ScoreCalculator.Fraction(item, answers) is { } f ? Percent(f) : null
                        : answers.GetValueOrDefault(item.Code);
                    var options = item.AnswerType == "PERSEN"
                        ? [new Option("100%", 1m, (1m - fraction) * item.Weight!.Value)]
                        : item.Options!.Where(o => o.Score > fraction).OrderBy(o => o.Score)
                            .Select(o => new Option(o.Value, o.Score, (o.Score - fraction) * item.Weight!.Value)).ToList();
                    if (options.Count > 0 && options[^1].Gain > 0)
                    {
                        list.Add(new Candidate(item, pengungkit ? area.Code : HasilGroup, pengungkit, from, fraction, options));
                    }
                }
            }
        }
        return list;
    }

    private static List<Candidate>? MinimumSteps(List<Candidate> candidates, Dictionary<string, decimal> deficits,
        decimal pengungkitDeficit, decimal totalDeficit, bool raiseHasil, List<string> failedRules)
    {
        var chosen = new List<Candidate>();
        var gained = 0m;
        var pengungkitGained = 0m;
        foreach (var (group, deficit) in deficits)
        {
            var byGain = candidates.Where(c => c.Group == group).OrderByDescending(c => c.Best.Gain).ToList();
            var sum = 0m;
            var taken = 0;
            while (sum < deficit && taken < byGain.Count)
            {
                sum += byGain[taken++].Best.Gain;
            }
            if (sum < deficit)
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
        while ((pengungkitGained < pengungkitDeficit || gained < totalDeficit) && next < rest.Count)
        {
            chosen.Add(rest[next]);
            gained += rest[next].Best.Gain;
            pengungkitGained += rest[next].Best.Gain;
            next++;
        }
        if (pengungkitGained < pengungkitDeficit)
        {
            failedRules.Add("pengungkit");
            return null;
        }
        if (gained < totalDeficit)
        {
            failedRules.Add("total");
            return null;
        }
        return chosen;
    }

    /// <summary>Lowers steps to cheaper options and swaps in cheaper items while every rule still holds.</summary>
    private static void Economize(Dictionary<Candidate, Option> plan, List<Candidate> candidates, Dictionary<string, decimal> deficits,
        decimal pengungkitDeficit, decimal totalDeficit)
    {
        bool Feasible() =>
            deficits.All(d => plan.Where(p => p.Key.Group == d.Key).Sum(p => p.Value.Gain) >= d.Value)
            && plan.Where(p => p.Key.Pengungkit).Sum(p => p.Value.Gain) >= pengungkitDeficit
            && plan.Sum(p => p.Value.Gain) >= totalDeficit;

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
            foreach (var candidate in plan.Keys.ToList())
            {
                var option = plan[candidate];
                var replacement = candidates.Where(c => c.Group == candidate.Group && !plan.ContainsKey(c))
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

    private static ScoreCalculator.RawScores Project(ScoreCalculator.RawScores raw, Dictionary<Candidate, Option> plan)
    {
        var items = new Dictionary<string, decimal>(raw.ItemScores);
        var areas = new Dictionary<string, decimal>(raw.AreaScores);
        var pengungkit = raw.Pengungkit;
        var total = raw.Total;
        foreach (var (candidate, option) in plan)
        {
            items[candidate.Item.Code] += option.Gain;
            areas[candidate.Item.AreaCode] += option.Gain;
            total += option.Gain;
            if (candidate.Pengungkit)
            {
                pengungkit += option.Gain;
            }
        }
        return raw with { ItemScores = items, AreaScores = areas, Pengungkit = pengungkit, Total = total };
    }

    private static string Percent(decimal fraction) => (fraction * 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%";
}

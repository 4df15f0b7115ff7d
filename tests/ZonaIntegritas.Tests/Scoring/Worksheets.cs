using System.Globalization;
using System.Text.RegularExpressions;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;

namespace ZonaIntegritas.Tests.Scoring;

/// <summary>Builds answer sets from the catalogue itself, so the tests follow the data, not hand-copied numbers.</summary>
public static partial class Worksheets
{
    public static readonly Framework Lke = LoadLke();

    private static Framework LoadLke()
    {
        Assert.True(new FrameworkCatalogue().TryGet("PERMENPANRB-90-2021", out var framework));
        return framework;
    }

    public static IEnumerable<FrameworkItem> Scored(Framework framework) => framework.Items.Where(i => i.Scored);

    /// <summary>Every item at its best answer; percentages at 100%.</summary>
    public static Dictionary<string, string> Top(Framework framework) => Build(framework, item => 1m);

    /// <summary>Every item at its worst answer; percentages at 0%.</summary>
    public static Dictionary<string, string> Lowest(Framework framework) => Build(framework, item => 0m);

    public static Dictionary<string, string> Build(Framework framework, Func<FrameworkItem, decimal> fraction)
    {
        var answers = new Dictionary<string, string>();
        foreach (var item in Scored(framework))
        {
            Answer(answers, item, fraction(item));
        }
        return answers;
    }

    /// <summary>Answers one item with the option whose score is closest to the fraction (exactly, for percentages and survey values).</summary>
    public static void Answer(Dictionary<string, string> answers, FrameworkItem item, decimal fraction)
    {
        switch (item.AnswerType)
        {
            case "PERSEN":
                foreach (var (code, value) in PercentInputs(item, fraction))
                {
                    answers[code] = value.ToString(CultureInfo.InvariantCulture);
                }
                break;
            case "NILAI_0_4":
                answers[item.Code] = (fraction * 4m).ToString("0.##", CultureInfo.InvariantCulture);
                break;
            default:
                answers[item.Code] = item.Options!.OrderBy(o => Math.Abs(o.Score - fraction)).First().Value;
                break;
        }
    }

    /// <summary>
    /// JUMLAH inputs that make a percentage item's ratio equal the fraction (to 1e-8); every other required input the
    /// expression does not read (SDM.R.3.a.3, PW.R.2.a.2) is filled with 0, since the item is blank without it.
    /// </summary>
    public static IReadOnlyDictionary<string, long> PercentInputs(FrameworkItem item, decimal fraction)
    {
        var inputs = new Dictionary<string, long>(ReadInputs(item, fraction));
        foreach (var required in item.Formula!.RequiredInputs)
        {
            inputs.TryAdd(required, 0);
        }
        return inputs;
    }

    private static IReadOnlyDictionary<string, long> ReadInputs(FrameworkItem item, decimal fraction)
    {
        const long scale = 100_000_000;
        var part = (long)Math.Round(fraction * scale, MidpointRounding.AwayFromZero);
        var expression = item.Formula!.Expression;
        if (SimpleRatio().Match(expression) is { Success: true } simple)
        {
            return new Dictionary<string, long> { [simple.Groups[1].Value] = part, [simple.Groups[2].Value] = scale };
        }
        if (Decrease().Match(expression) is { Success: true } decrease)
        {
            // (previous - current) / previous
            return new Dictionary<string, long> { [decrease.Groups[1].Value] = scale, [decrease.Groups[2].Value] = scale - part };
        }
        if (OverSum().Match(expression) is { Success: true } overSum)
        {
            var inputs = new Dictionary<string, long> { [overSum.Groups[1].Value] = part };
            var addends = overSum.Groups[2].Value.Split('+', StringSplitOptions.TrimEntries);
            inputs[addends[0]] = scale;
            foreach (var other in addends.Skip(1))
            {
                inputs[other] = 0;
            }
            return inputs;
        }
        throw new InvalidOperationException($"No input builder for formula '{expression}'.");
    }

    /// <summary>
    /// Answers the given items so that their scores add up to <paramref name="target"/> (to 1e-7): items at the best
    /// option that still fits, largest first, then a percentage or survey item absorbs the remainder exactly.
    /// </summary>
    public static Dictionary<string, string> Hitting(Framework framework, IEnumerable<FrameworkItem> items, decimal target)
    {
        var pool = items.ToList();
        // A percentage tunes to 1e-8; a survey value only to its 2 decimals, so it is the last resort.
        var tuner = pool.Where(i => i.AnswerType == "PERSEN").OrderByDescending(i => i.Weight).FirstOrDefault()
            ?? pool.Where(i => i.AnswerType == "NILAI_0_4").OrderByDescending(i => i.Weight).First();
        var answers = new Dictionary<string, string>();
        var sum = 0m;
        foreach (var item in pool.Where(i => i != tuner).OrderByDescending(i => i.Weight))
        {
            var options = item.AnswerType switch
            {
                "PERSEN" or "NILAI_0_4" => [1m, 0.75m, 0.5m, 0.25m, 0m],
                _ => item.Options!.Select(o => o.Score).OrderDescending().ToArray(),
            };
            var fit = options.First(f => sum + f * item.Weight!.Value <= target);
            Answer(answers, item, fit);
            sum += ScoreCalculator.Fraction(item, answers)!.Value * item.Weight!.Value;
        }
        var remainder = target - sum;
        Assert.True(remainder >= 0 && remainder <= tuner.Weight, $"Cannot reach {target} with {tuner.Code} (remainder {remainder}).");
        Answer(answers, tuner, tuner.AnswerType == "NILAI_0_4"
            ? Math.Round(remainder / tuner.Weight!.Value * 4m, 2) / 4m
            : remainder / tuner.Weight!.Value);
        return answers;
    }

    /// <summary>
    /// Discrete answers (no percentages or survey values) whose scores add up to a figure that rounds to
    /// <paramref name="target"/> (exactly equal when the options allow), or null; a search over the distinct sums the
    /// options can make. <paramref name="below"/>: the largest figure rounding under it; <paramref name="atLeast"/>: the
    /// smallest exact figure not under it.
    /// </summary>
    public static Dictionary<string, string>? DiscreteHitting(IEnumerable<FrameworkItem> items, decimal target, bool below = false, bool atLeast = false)
    {
        // Keyed by the sum to 12 decimals (to merge equal sums), carrying the exact sum so rounding is judged on it.
        var sums = new Dictionary<decimal, (decimal Exact, Dictionary<string, string> Answers)> { [0m] = (0m, new()) };
        foreach (var item in items)
        {
            var next = new Dictionary<decimal, (decimal, Dictionary<string, string>)>();
            foreach (var (exact, answers) in sums.Values)
            {
                foreach (var option in item.Options!)
                {
                    var total = exact + option.Score * item.Weight!.Value;
                    if (total <= target + 0.01m)
                    {
                        next.TryAdd(Math.Round(total, 12), (total, new Dictionary<string, string>(answers) { [item.Code] = option.Value }));
                    }
                }
            }
            sums = next;
        }
        var rounded = ScoreCalculator.Round(target);
        if (atLeast)
        {
            return sums.Values.Where(s => ScoreCalculator.Settle(s.Exact) >= target).OrderBy(s => s.Exact).Select(s => s.Answers).FirstOrDefault();
        }
        return (below
            ? sums.Values.Where(s => ScoreCalculator.Round(s.Exact) < rounded).OrderByDescending(s => s.Exact)
            : sums.Values.Where(s => ScoreCalculator.Round(s.Exact) == rounded).OrderBy(s => ScoreCalculator.Settle(s.Exact) == target ? 0 : 1).ThenBy(s => s.Exact))
            .Select(s => s.Answers).FirstOrDefault();
    }

    /// <summary>
    /// Answers of the given sub-indicators whose scores add up to <paramref name="target"/> exactly: one item of each is
    /// answered and the rest left blank, so each scores exactly value × weight (the average of one value); one percentage
    /// takes the remainder as an exact ratio of counts. Null when the options cannot make the figure (no percentage and no
    /// combination of options equal to it). With <paramref name="below"/>, the largest figure strictly under the target.
    /// </summary>
    public static Dictionary<string, string>? Exactly(IEnumerable<SubIndicator> subIndicators, decimal target, bool below = false)
    {
        var subs = subIndicators.Where(s => s.ScoredItems > 0).ToList();
        var tuner = below ? null : subs.Where(s => s.Items.Any(i => i.AnswerType == "PERSEN")).MaxBy(s => s.Weight);
        var discrete = subs.Where(s => s != tuner).ToList();
        if (tuner is not null)
        {
            return Tuned(discrete, tuner, target);
        }
        // Distinct reachable sums, each with the choice that reached it (back-pointers per layer).
        var layers = new List<Dictionary<decimal, (decimal Previous, decimal Value)>>();
        var sums = new HashSet<decimal> { 0m };
        foreach (var sub in discrete)
        {
            var item = sub.Items.First(i => i.Scored);
            var values = item.AnswerType switch
            {
                "PERSEN" or "NILAI_0_4" => [0m, 0.25m, 0.5m, 0.75m, 1m],
                _ => item.Options!.Select(o => o.Score).ToArray(),
            };
            var layer = new Dictionary<decimal, (decimal, decimal)>();
            foreach (var sum in sums)
            {
                foreach (var value in values)
                {
                    var next = sum + value * sub.Weight;
                    if (next <= target)
                    {
                        layer.TryAdd(next, (sum, value));
                    }
                }
            }
            layers.Add(layer);
            sums = layer.Keys.ToHashSet();
        }
        decimal? chosen = below ? sums.Where(s => s < target).Select(s => (decimal?)s).Max() : sums.Contains(target) ? target : null;
        if (chosen is not { } reached)
        {
            return null;
        }
        var answers = new Dictionary<string, string>();
        for (var i = discrete.Count - 1; i >= 0; i--)
        {
            var (previous, value) = layers[i][reached];
            Answer(answers, discrete[i].Items.First(x => x.Scored), value);
            reached = previous;
        }
        return answers;
    }

    /// <summary>Largest weights first at the best value that still fits, then the percentage takes the exact remainder.</summary>
    private static Dictionary<string, string>? Tuned(List<SubIndicator> discrete, SubIndicator tuner, decimal target)
    {
        var answers = new Dictionary<string, string>();
        var sum = 0m;
        foreach (var sub in discrete.OrderByDescending(s => s.Weight))
        {
            var item = sub.Items.First(x => x.Scored);
            var values = item.AnswerType switch
            {
                "PERSEN" or "NILAI_0_4" => [1m, 0.75m, 0.5m, 0.25m, 0m],
                _ => item.Options!.Select(o => o.Score).OrderDescending().ToArray(),
            };
            var fit = values.First(v => sum + v * sub.Weight <= target);
            Answer(answers, item, fit);
            sum += fit * sub.Weight;
        }
        var remainder = target - sum;
        if (remainder > tuner.Weight)
        {
            return null;
        }
        // remainder ÷ weight as a ratio of whole counts, so the percentage is exact.
        var persen = tuner.Items.First(i => i.AnswerType == "PERSEN");
        var scale = 1m;
        while ((remainder * scale) % 1 != 0 || (tuner.Weight * scale) % 1 != 0)
        {
            scale *= 10;
        }
        foreach (var (code, count) in RatioInputs(persen, (long)(remainder * scale), (long)(tuner.Weight * scale)))
        {
            answers[code] = count.ToString(CultureInfo.InvariantCulture);
        }
        return answers;
    }

    /// <summary>Counts that make a percentage exactly numerator ÷ denominator (≤ 1), every required input filled.</summary>
    public static IReadOnlyDictionary<string, long> RatioInputs(FrameworkItem item, long numerator, long denominator)
    {
        var expression = item.Formula!.Expression;
        var inputs = new Dictionary<string, long>();
        if (SimpleRatio().Match(expression) is { Success: true } simple)
        {
            inputs[simple.Groups[1].Value] = numerator;
            inputs[simple.Groups[2].Value] = denominator;
        }
        else if (Decrease().Match(expression) is { Success: true } decrease)
        {
            inputs[decrease.Groups[1].Value] = denominator;
            inputs[decrease.Groups[2].Value] = denominator - numerator;
        }
        else if (OverSum().Match(expression) is { Success: true } overSum)
        {
            inputs[overSum.Groups[1].Value] = numerator;
            var addends = overSum.Groups[2].Value.Split('+', StringSplitOptions.TrimEntries);
            inputs[addends[0]] = denominator;
        }
        else
        {
            throw new InvalidOperationException($"No input builder for formula '{expression}'.");
        }
        foreach (var required in item.Formula.RequiredInputs)
        {
            inputs.TryAdd(required, 0);
        }
        return inputs;
    }

    public static IEnumerable<SubIndicator> SubIndicatorsOf(Framework framework, Func<Area, bool> areas) =>
        framework.Components.SelectMany(c => c.Areas).Where(areas).SelectMany(a => a.Parts).SelectMany(p => p.SubIndicators);

    public static IEnumerable<FrameworkItem> InArea(Framework framework, string areaCode) => Scored(framework).Where(i => i.AreaCode == areaCode);

    public static IEnumerable<FrameworkItem> InComponent(Framework framework, string componentCode) =>
        framework.Components.Where(c => c.Code == componentCode).SelectMany(c => c.Areas).SelectMany(a => InArea(framework, a.Code));

    public static RuleResult Rule(ScoreReport report, string target, string rule) =>
        report.Eligibility[target].Rules.Single(r => r.Rule == rule);

    [GeneratedRegex(@"^([\w.]+) / ([\w.]+)$")]
    private static partial Regex SimpleRatio();

    [GeneratedRegex(@"^\(([\w.]+) - ([\w.]+)\) / \1$")]
    private static partial Regex Decrease();

    [GeneratedRegex(@"^([\w.]+) / \(([\w.+ ]+)\)$")]
    private static partial Regex OverSum();
}

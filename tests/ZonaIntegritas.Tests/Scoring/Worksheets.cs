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

    /// <summary>JUMLAH inputs that make a percentage item's ratio equal the fraction (to 1e-8).</summary>
    public static IReadOnlyDictionary<string, long> PercentInputs(FrameworkItem item, decimal fraction)
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
    /// <paramref name="target"/>, or null; a search over the distinct sums the options can make.
    /// </summary>
    public static Dictionary<string, string>? DiscreteHitting(IEnumerable<FrameworkItem> items, decimal target, bool below = false)
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
        return (below
            ? sums.Values.Where(s => ScoreCalculator.Round(s.Exact) < rounded).OrderByDescending(s => s.Exact)
            : sums.Values.Where(s => ScoreCalculator.Round(s.Exact) == rounded).OrderBy(s => s.Exact))
            .Select(s => s.Answers).FirstOrDefault();
    }

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

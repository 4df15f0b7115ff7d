using System.Globalization;
using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Api.Features.Scoring;

public sealed record ScoreReport(
    string Layer,
    decimal Total,
    decimal Pengungkit,
    decimal Hasil,
    IReadOnlyList<AreaScore> Areas,
    IReadOnlyList<SubIndicatorScore> SubIndicators,
    HasilItems HasilItems,
    decimal BersihAkuntabel,
    decimal PelayananPrima,
    IReadOnlyList<string> Unanswered,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, Eligibility> Eligibility);

public sealed record AreaScore(string Code, string Name, decimal Score, decimal MaxScore, decimal Fraction);

public sealed record SubIndicatorScore(string Code, decimal Score, decimal MaxScore);

public sealed record HasilItems(decimal Ipak, decimal CapaianKinerja, decimal Ipkp);

/// <summary><c>eligible</c> is null when no rule failed but one is unknown (a WBK not yet on record).</summary>
public sealed record Eligibility(bool? Eligible, IReadOnlyList<RuleResult> Rules);

/// <summary>
/// One threshold rule. <c>passed</c> is true, false, or null when it cannot be judged yet; <c>status</c> says the same
/// in one word (passed, failed, unknown).
/// </summary>
public sealed record RuleResult(string Rule, object Required, object Actual, bool? Passed)
{
    public string Status => Passed switch { true => "passed", false => "failed", null => "unknown" };
}

/// <summary>
/// Scores one answer layer of an LKE. Exact decimal arithmetic up the tree; figures are rounded to 2 decimals (half
/// away from zero) only for presentation and threshold comparison.
/// </summary>
public static class ScoreCalculator
{
    public const string IpakItem = "HB.1";
    public const string CapaianKinerjaItem = "HB.2";
    public const string IpkpItem = "HP.1";
    private const string PengungkitComponent = "PENGUNGKIT";
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> AreaRuleNames = new();

    /// <summary>The raw (unrounded) scores, shared by the report and the gap analysis.</summary>
    public sealed record RawScores
    {
        private IReadOnlyDictionary<string, decimal>? _itemScores;

        internal Framework Framework { get; init; } = null!;

        /// <summary>Each scored item's earned share (0–1) by the item's ordinal in the worksheet.</summary>
        internal decimal[] Fractions { get; init; } = [];

        /// <summary>Per scored item: share × item weight. Built on first use; the report itself needs only sums.</summary>
        public IReadOnlyDictionary<string, decimal> ItemScores
        {
            get => _itemScores ??= Framework.Items.Where(i => i.Scored).ToDictionary(i => i.Code, i => Fractions[i.Ordinal] * i.Weight!.Value);
            init => _itemScores = value;
        }

        public required IReadOnlyDictionary<string, decimal> SubIndicatorScores { get; init; }
        public required IReadOnlyDictionary<string, decimal> AreaScores { get; init; }
        public required decimal Pengungkit { get; init; }
        public required decimal Total { get; init; }
        public required IReadOnlyList<string> Unanswered { get; init; }
        public required IReadOnlyList<string> Warnings { get; init; }

        public decimal ItemScore(string code) => _itemScores?[code]
            ?? (Framework.TryGetItem(code, out var item) ? Fractions[item.Ordinal] * item.Weight!.Value : throw new KeyNotFoundException(code));
    }

    public static ScoreReport Calculate(Framework framework, IReadOnlyDictionary<string, string> answers, bool? holdsActiveWbk, string layer = "tpi")
    {
        var raw = Raw(framework, answers);
        var areas = new List<AreaScore>(6);
        var subIndicators = new List<SubIndicatorScore>(raw.SubIndicatorScores.Count);
        decimal bersih = 0, pelayanan = 0;
        foreach (var component in framework.Components)
        {
            foreach (var area in component.Areas)
            {
                var score = raw.AreaScores[area.Code];
                if (component.Code == PengungkitComponent)
                {
                    areas.Add(new AreaScore(area.Code, area.Name, Round(score), area.Weight, Math.Round(score / area.Weight, 4, MidpointRounding.AwayFromZero)));
                }
                else if (area.Code == "BERSIH")
                {
                    bersih += score;
                }
                else if (area.Code == "PELAYANAN")
                {
                    pelayanan += score;
                }
                foreach (var part in area.Parts)
                {
                    foreach (var subIndicator in part.SubIndicators)
                    {
                        subIndicators.Add(new SubIndicatorScore(subIndicator.Code, Round(raw.SubIndicatorScores[subIndicator.Code]), subIndicator.Weight));
                    }
                }
            }
        }
        var eligibility = new Dictionary<string, Eligibility>(framework.Thresholds.Count);
        foreach (var (predikat, thresholds) in framework.Thresholds)
        {
            eligibility[predikat] = Judge(framework, raw, thresholds, holdsActiveWbk);
        }
        return new ScoreReport(
            layer,
            Round(raw.Total),
            Round(raw.Pengungkit),
            Round(raw.Total - raw.Pengungkit),
            areas,
            subIndicators,
            new HasilItems(Round(raw.ItemScore(IpakItem)), Round(raw.ItemScore(CapaianKinerjaItem)), Round(raw.ItemScore(IpkpItem))),
            Round(bersih),
            Round(pelayanan),
            raw.Unanswered,
            raw.Warnings,
            eligibility);
    }

    public static RawScores Raw(Framework framework, IReadOnlyDictionary<string, string> answers)
    {
        var fractions = new decimal[framework.Items.Count];
        var subIndicatorScores = new Dictionary<string, decimal>(64, StringComparer.Ordinal);
        var areaScores = new Dictionary<string, decimal>(8, StringComparer.Ordinal);
        var unanswered = new List<string>();
        var warnings = new List<string>();
        decimal pengungkit = 0, total = 0;
        foreach (var component in framework.Components)
        {
            foreach (var area in component.Areas)
            {
                decimal areaScore = 0;
                foreach (var part in area.Parts)
                {
                    foreach (var subIndicator in part.SubIndicators)
                    {
                        // Σ shares × weight ÷ n: one exact multiplication per sub-indicator instead of one per item.
                        decimal shares = 0;
                        var scoredItems = 0;
                        foreach (var item in subIndicator.Items)
                        {
                            if (!item.Scored)
                            {
                                continue;
                            }
                            scoredItems++;
                            var fraction = Fraction(item, answers, warnings);
                            if (fraction is null)
                            {
                                unanswered.Add(item.Code);
                                continue;
                            }
                            fractions[item.Ordinal] = fraction.Value;
                            shares += fraction.Value;
                        }
                        var subIndicatorScore = scoredItems == 0 ? 0m : shares * subIndicator.Weight / scoredItems;
                        subIndicatorScores[subIndicator.Code] = subIndicatorScore;
                        areaScore += subIndicatorScore;
                    }
                }
                areaScores[area.Code] = areaScore;
                total += areaScore;
                if (component.Code == PengungkitComponent)
                {
                    pengungkit += areaScore;
                }
            }
        }
        return new RawScores
        {
            Framework = framework,
            Fractions = fractions,
            SubIndicatorScores = subIndicatorScores,
            AreaScores = areaScores,
            Pengungkit = pengungkit,
            Total = total,
            Unanswered = unanswered,
            Warnings = warnings,
        };
    }

    /// <summary>The share (0–1) of an item's weight an answer earns; null when unanswered.</summary>
    public static decimal? Fraction(FrameworkItem item, IReadOnlyDictionary<string, string> answers, List<string>? warnings = null)
    {
        if (item.AnswerType == "PERSEN")
        {
            return Percentage(item, answers, warnings);
        }
        if (!answers.TryGetValue(item.Code, out var value))
        {
            return null;
        }
        if (item.AnswerType == "NILAI_0_4")
        {
            return Math.Clamp(decimal.Parse(value, CultureInfo.InvariantCulture), 0m, 4m) / 4m;
        }
        foreach (var option in item.Options!)
        {
            if (option.Value == value)
            {
                return option.Score;
            }
        }
        throw new InvalidOperationException($"Stored answer '{value}' is not an option of {item.Code}.");
    }

    private static decimal? Percentage(FrameworkItem item, IReadOnlyDictionary<string, string> answers, List<string>? warnings)
    {
        foreach (var input in item.Formula!.Inputs)
        {
            if (!answers.ContainsKey(input))
            {
                return null;
            }
        }
        var ratio = FormulaExpression.Evaluate(item.Formula.Expression, code => decimal.Parse(answers[code], CultureInfo.InvariantCulture));
        if (ratio is null)
        {
            warnings?.Add($"{item.Code}: the denominator of {item.Formula.Expression} is 0, so the item scores 0.");
            return 0m;
        }
        return Math.Clamp(ratio.Value, 0m, 1m);
    }

    internal static Eligibility Judge(Framework framework, RawScores raw, Thresholds thresholds, bool? holdsActiveWbk)
    {
        var rules = new List<RuleResult>
        {
            Minimum("total", thresholds.Total, raw.Total),
            Minimum("pengungkit", thresholds.PengungkitTotal, raw.Pengungkit),
        };
        foreach (var component in framework.Components)
        {
            if (component.Code != PengungkitComponent)
            {
                continue;
            }
            foreach (var area in component.Areas)
            {
                // The minimum applies to the whole area (pemenuhan + reform), never to each half.
                rules.Add(Minimum(AreaRuleNames.GetOrAdd(area.Code, code => $"area:{code}"), area.Weight * thresholds.AreaMinFraction, raw.AreaScores[area.Code]));
            }
        }
        rules.Add(Minimum("bersihAkuntabel", thresholds.BersihAkuntabel, raw.AreaScores.GetValueOrDefault("BERSIH")));
        rules.Add(Minimum("ipak", thresholds.Ipak, raw.ItemScore(IpakItem)));
        rules.Add(Minimum("capaianKinerja", thresholds.CapaianKinerja, raw.ItemScore(CapaianKinerjaItem)));
        rules.Add(Minimum("ipkp", thresholds.Ipkp, raw.ItemScore(IpkpItem)));
        if (thresholds.RequiresPriorPredikat is { } prior)
        {
            rules.Add(new RuleResult("priorWbk", prior, holdsActiveWbk switch { true => "held", false => "not held", null => "unknown" }, holdsActiveWbk));
        }
        bool? eligible = true;
        foreach (var rule in rules)
        {
            if (rule.Passed == false)
            {
                eligible = false;
                break;
            }
            if (rule.Passed is null)
            {
                eligible = null;
            }
        }
        return new Eligibility(eligible, rules);
    }

    private static RuleResult Minimum(string rule, decimal required, decimal actual) =>
        new(rule, Round(required), Round(actual), Round(actual) >= Round(required));

    /// <summary>
    /// 2 decimals, half away from zero. Weights such as 1/3 leave a trace in the 28th digit, which could tip a figure that is
    /// exactly on a half (4.195) either way depending on summation order; every score is a fraction with a small
    /// denominator, so settling to 10 decimals first removes that trace without touching any real difference.
    /// </summary>
    public static decimal Round(decimal value)
    {
        if (value.Scale > 10)
        {
            value = Math.Round(value, 10, MidpointRounding.AwayFromZero);
        }
        return value.Scale > 2 ? Math.Round(value, 2, MidpointRounding.AwayFromZero) : value;
    }
}

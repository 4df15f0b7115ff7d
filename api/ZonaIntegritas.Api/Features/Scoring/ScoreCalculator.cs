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

    /// <summary>The raw (unrounded) scores, shared by the report and the gap analysis.</summary>
    public sealed record RawScores(
        IReadOnlyDictionary<string, decimal> ItemScores,
        IReadOnlyDictionary<string, decimal> AreaScores,
        decimal Pengungkit,
        decimal Total,
        IReadOnlyList<string> Unanswered,
        IReadOnlyList<string> Warnings);

    public static ScoreReport Calculate(Framework framework, IReadOnlyDictionary<string, string> answers, bool? holdsActiveWbk, string layer = "tpi")
    {
        var raw = Raw(framework, answers);
        var areas = framework.Components.Where(c => c.Code == PengungkitComponent).SelectMany(c => c.Areas)
            .Select(a => new AreaScore(a.Code, a.Name, Round(raw.AreaScores[a.Code]), a.Weight, Math.Round(raw.AreaScores[a.Code] / a.Weight, 4, MidpointRounding.AwayFromZero)))
            .ToList();
        var subIndicators = framework.Components.SelectMany(c => c.Areas).SelectMany(a => a.Parts).SelectMany(p => p.SubIndicators)
            .Select(s => new SubIndicatorScore(s.Code, Round(s.Items.Where(i => i.Scored).Sum(i => raw.ItemScores[i.Code])), s.Weight))
            .ToList();
        var hasilAreas = framework.Components.Where(c => c.Code != PengungkitComponent).SelectMany(c => c.Areas).ToList();
        var bersih = hasilAreas.Where(a => a.Code == "BERSIH").Sum(a => raw.AreaScores[a.Code]);
        var pelayanan = hasilAreas.Where(a => a.Code == "PELAYANAN").Sum(a => raw.AreaScores[a.Code]);
        var eligibility = framework.Thresholds.ToDictionary(t => t.Key, t => Judge(framework, raw, t.Value, holdsActiveWbk));
        return new ScoreReport(
            layer,
            Round(raw.Total),
            Round(raw.Pengungkit),
            Round(raw.Total - raw.Pengungkit),
            areas,
            subIndicators,
            new HasilItems(Round(raw.ItemScores[IpakItem]), Round(raw.ItemScores[CapaianKinerjaItem]), Round(raw.ItemScores[IpkpItem])),
            Round(bersih),
            Round(pelayanan),
            raw.Unanswered,
            raw.Warnings,
            eligibility);
    }

    public static RawScores Raw(Framework framework, IReadOnlyDictionary<string, string> answers)
    {
        var itemScores = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var areaScores = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var unanswered = new List<string>();
        var warnings = new List<string>();
        decimal pengungkit = 0, total = 0;
        foreach (var component in framework.Components)
        {
            foreach (var area in component.Areas)
            {
                decimal areaScore = 0;
                foreach (var item in area.Parts.SelectMany(p => p.SubIndicators).SelectMany(s => s.Items).Where(i => i.Scored))
                {
                    var fraction = Fraction(item, answers, warnings);
                    if (fraction is null)
                    {
                        unanswered.Add(item.Code);
                    }
                    var score = (fraction ?? 0) * item.Weight!.Value;
                    itemScores[item.Code] = score;
                    areaScore += score;
                }
                areaScores[area.Code] = areaScore;
                total += areaScore;
                if (component.Code == PengungkitComponent)
                {
                    pengungkit += areaScore;
                }
            }
        }
        return new RawScores(itemScores, areaScores, pengungkit, total, unanswered, warnings);
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
        return item.Options!.First(o => o.Value == value).Score;
    }

    private static decimal? Percentage(FrameworkItem item, IReadOnlyDictionary<string, string> answers, List<string>? warnings)
    {
        var inputs = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var input in item.Formula!.Inputs)
        {
            if (!answers.TryGetValue(input, out var count))
            {
                return null;
            }
            inputs[input] = decimal.Parse(count, CultureInfo.InvariantCulture);
        }
        var ratio = FormulaExpression.Evaluate(item.Formula.Expression, inputs);
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
        foreach (var area in framework.Components.Where(c => c.Code == PengungkitComponent).SelectMany(c => c.Areas))
        {
            // The minimum applies to the whole area (pemenuhan + reform), never to each half.
            rules.Add(Minimum($"area:{area.Code}", area.Weight * thresholds.AreaMinFraction, raw.AreaScores[area.Code]));
        }
        rules.Add(Minimum("bersihAkuntabel", thresholds.BersihAkuntabel, raw.AreaScores.GetValueOrDefault("BERSIH")));
        rules.Add(Minimum("ipak", thresholds.Ipak, raw.ItemScores[IpakItem]));
        rules.Add(Minimum("capaianKinerja", thresholds.CapaianKinerja, raw.ItemScores[CapaianKinerjaItem]));
        rules.Add(Minimum("ipkp", thresholds.Ipkp, raw.ItemScores[IpkpItem]));
        if (thresholds.RequiresPriorPredikat is { } prior)
        {
            rules.Add(new RuleResult("priorWbk", prior, holdsActiveWbk switch { true => "held", false => "not held", null => "unknown" }, holdsActiveWbk));
        }
        bool? eligible = rules.Any(r => r.Passed == false) ? false : rules.Any(r => r.Passed is null) ? null : true;
        return new Eligibility(eligible, rules);
    }

    private static RuleResult Minimum(string rule, decimal required, decimal actual) =>
        new(rule, Round(required), Round(actual), Round(actual) >= Round(required));

    /// <summary>
    /// 2 decimals, half away from zero. Weights such as 1/3 leave a trace in the 28th digit, which could tip a figure that is
    /// exactly on a half (4.195) either way depending on summation order; every score is a fraction with a small
    /// denominator, so settling to 10 decimals first removes that trace without touching any real difference.
    /// </summary>
    public static decimal Round(decimal value) =>
        Math.Round(Math.Round(value, 10, MidpointRounding.AwayFromZero), 2, MidpointRounding.AwayFromZero);
}

using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Api.Features.Scoring;

/// <summary>The WBK/WBBM threshold rules over a layer's raw scores, compared exactly; rounding for presentation.</summary>
public static partial class ScoreCalculator
{
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string> AreaRuleNames = new();

    internal static Eligibility Judge(Framework framework, RawScores raw, Thresholds thresholds, bool? holdsActiveWbk)
    {
        var rules = new List<RuleResult>(15)
        {
            // Our own rule, not the workbook's: an average over answered items says nothing about the blank ones.
            new(CompleteRule, raw.ScoredItems, raw.ScoredItems - raw.Unanswered.Count, raw.Unanswered.Count == 0) { Blank = raw.Unanswered },
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

    /// <summary>A threshold check on the exact figures: 74.995 is not ≥ 75, even though it shows as 75.00.</summary>
    public static bool Meets(decimal actual, decimal required) => Settle(actual) >= Settle(required);

    private static RuleResult Minimum(string rule, decimal required, decimal actual)
    {
        var exact = Settle(actual);
        return new(rule, Round(required), Round(actual), exact >= Settle(required)) { Exact = exact };
    }

    /// <summary>
    /// Removes the trace that weights such as 1/3 leave in the 28th digit, so that sums taken in different orders compare
    /// equal: every score is a fraction with a small denominator, and 10 decimals keep every real difference.
    /// </summary>
    public static decimal Settle(decimal value) => value.Scale > 10 ? Math.Round(value, 10, MidpointRounding.AwayFromZero) : value;

    /// <summary>
    /// 2 decimals, half away from zero, for presentation only. The figure is settled at 10 decimals first, so that one
    /// lying exactly on a half (4.195) does not tip either way depending on summation order.
    /// </summary>
    public static decimal Round(decimal value)
    {
        value = Settle(value);
        return value.Scale > 2 ? Math.Round(value, 2, MidpointRounding.AwayFromZero) : value;
    }
}

using System.Text.Json.Serialization;

namespace ZonaIntegritas.Api.Features.Scoring;

/// <summary>One layer's score as the API shows it (docs/scoring.md).</summary>
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
    IReadOnlyList<string> BlankSubIndicators,
    IReadOnlyList<string> Warnings,
    IReadOnlyDictionary<string, Eligibility> Eligibility);

/// <summary>A pengungkit area: its score, and how many of its scored items are answered.</summary>
public sealed record AreaScore(string Code, string Name, decimal Score, decimal MaxScore, decimal Fraction, int Answered, int Scored);

/// <summary>A sub-indicator: the average of its answered items × its weight; 0 when none is answered.</summary>
public sealed record SubIndicatorScore(string Code, decimal Score, decimal MaxScore, int Answered, int Scored);

public sealed record HasilItems(decimal Ipak, decimal CapaianKinerja, decimal Ipkp);

/// <summary><c>eligible</c> is null when no rule failed but one is unknown (a WBK not yet on record).</summary>
public sealed record Eligibility(bool? Eligible, IReadOnlyList<RuleResult> Rules);

/// <summary>
/// One threshold rule. <c>passed</c> is true, false, or null when it cannot be judged yet; <c>status</c> says the same
/// in one word (passed, failed, unknown). <c>required</c> and <c>actual</c> are shown to 2 decimals; <c>exact</c> is the
/// value the comparison used (traces settled at 10 decimals). <c>blank</c> lists the unanswered items of the
/// <c>complete</c> rule.
/// </summary>
public sealed record RuleResult(string Rule, object Required, object Actual, bool? Passed)
{
    public string Status => Passed switch { true => "passed", false => "failed", null => "unknown" };

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public decimal? Exact { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<string>? Blank { get; init; }
}

using System.Globalization;
using BenchmarkDotNet.Attributes;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;

namespace ZonaIntegritas.Benchmarks;

/// <summary>Scoring a fully answered 113-item LKE, and the gap analysis on a realistic, partly weak one.</summary>
[MemoryDiagnoser]
public class ScoringBenchmarks
{
    private Framework _framework = null!;
    private Dictionary<string, string> _complete = null!;
    private Dictionary<string, string> _weak = null!;

    [GlobalSetup]
    public void Setup()
    {
        new FrameworkCatalogue().TryGet("PERMENPANRB-90-2021", out _framework);
        _complete = new Dictionary<string, string>();
        _weak = new Dictionary<string, string>();
        var random = new Random(2021);
        foreach (var item in _framework.Items)
        {
            switch (item.AnswerType)
            {
                case "JUMLAH":
                    _complete[item.Code] = "10";
                    _weak[item.Code] = random.Next(1, 12).ToString(CultureInfo.InvariantCulture);
                    break;
                case "NILAI_0_4":
                    _complete[item.Code] = "3.7";
                    _weak[item.Code] = "3.65";
                    break;
                case "PERSEN":
                    break;
                default:
                    var options = item.Options!;
                    _complete[item.Code] = options[0].Value;
                    // A unit that is mostly there: three in four answers at the top, the rest anywhere.
                    _weak[item.Code] = random.Next(4) == 0 ? options[random.Next(options.Count)].Value : options[0].Value;
                    break;
            }
        }
    }

    [Benchmark]
    public ScoreReport ScoreCompleteAssessment() => ScoreCalculator.Calculate(_framework, _complete, holdsActiveWbk: true);

    [Benchmark]
    public ScoreCalculator.RawScores RawScoresOnly() => ScoreCalculator.Raw(_framework, _complete);

    [Benchmark]
    public GapReport GapAnalysisForWbbm() => GapAnalysis.Find(_framework, _weak, "WBBM", holdsActiveWbk: true);

    [Benchmark]
    public GapReport GapAnalysisForWbk() => GapAnalysis.Find(_framework, _weak, "WBK", holdsActiveWbk: true);
}

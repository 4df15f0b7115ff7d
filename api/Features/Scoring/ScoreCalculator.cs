using System.Globalization;
using ZonaIntegritas.Api.Features.Frameworks;

namespace ZonaIntegritas.Api.Features.Scoring;

/// <summary>
/// Scores one answer layer of an LKE as the Lampiran III workbook does (docs/scoring.md): a sub-indicator is the average
/// of its answered items × its weight, blank items left out. Exact decimal arithmetic up the tree; thresholds are
/// compared on the exact figures (traces settled at 10 decimals); figures are rounded to 2 decimals (half away from zero)
/// only for presentation.
/// </summary>
public static partial class ScoreCalculator
{
    public const string IpakItem = "HB.1";
    public const string CapaianKinerjaItem = "HB.2";
    public const string IpkpItem = "HP.1";
    public const string CompleteRule = "complete";
    private const string PengungkitComponent = "PENGUNGKIT";

    /// <summary>The raw (unrounded) scores, shared by the report and the gap analysis.</summary>
    public sealed record RawScores
    {
        private IReadOnlyDictionary<string, decimal>? _itemScores;

        internal Framework Framework { get; init; } = null!;

        /// <summary>Each scored item's value (0–1) by the item's ordinal in the worksheet; 0 when blank.</summary>
        internal decimal[] Fractions { get; init; } = [];

        /// <summary>Whether each scored item is answered, by ordinal.</summary>
        internal bool[] Answered { get; init; } = [];

        /// <summary>By ordinal: how many items of the item's sub-indicator are answered (the average's divisor).</summary>
        internal int[] AnsweredInSubIndicator { get; init; } = [];

        /// <summary>
        /// Per scored item: its part of the sub-indicator score, value × sub-indicator weight ÷ answered items (0 when
        /// blank). Built on first use; the report itself needs only sums.
        /// </summary>
        public IReadOnlyDictionary<string, decimal> ItemScores
        {
            get => _itemScores ??= Framework.Items.Where(i => i.Scored).ToDictionary(i => i.Code, Share);
            init => _itemScores = value;
        }

        public required IReadOnlyDictionary<string, decimal> SubIndicatorScores { get; init; }
        public required IReadOnlyDictionary<string, decimal> AreaScores { get; init; }
        /// <summary>Per area: answered and scored items.</summary>
        public required IReadOnlyDictionary<string, (int Answered, int Scored)> AreaCounts { get; init; }
        public required decimal Pengungkit { get; init; }
        public required decimal Total { get; init; }
        public required IReadOnlyList<string> Unanswered { get; init; }
        public required IReadOnlyList<string> BlankSubIndicators { get; init; }
        public required IReadOnlyList<string> Warnings { get; init; }
        public required int ScoredItems { get; init; }

        public decimal ItemScore(string code) => _itemScores?[code]
            ?? (Framework.TryGetItem(code, out var item) ? Share(item) : throw new KeyNotFoundException(code));

        private decimal Share(FrameworkItem item) =>
            Answered[item.Ordinal] ? Fractions[item.Ordinal] * item.SubIndicatorWeight / AnsweredInSubIndicator[item.Ordinal] : 0m;
    }

    public static ScoreReport Calculate(Framework framework, IReadOnlyDictionary<string, string> answers, bool? holdsActiveWbk, string layer = "tpi")
    {
        var raw = Raw(framework, answers);
        var areas = new List<AreaScore>(6);
        var subIndicators = new List<SubIndicatorScore>(raw.SubIndicatorScores.Count);
        decimal bersih = 0, pelayanan = 0;
        // Indexed loops: foreach over IReadOnlyList<T> allocates an enumerator per list, ~150 per score.
        for (var c = 0; c < framework.Components.Count; c++)
        {
            var component = framework.Components[c];
            for (var a = 0; a < component.Areas.Count; a++)
            {
                var area = component.Areas[a];
                var score = raw.AreaScores[area.Code];
                if (component.Code == PengungkitComponent)
                {
                    var (answered, scored) = raw.AreaCounts[area.Code];
                    areas.Add(new AreaScore(area.Code, area.Name, Round(score), area.Weight, Math.Round(score / area.Weight, 4, MidpointRounding.AwayFromZero),
                        answered, scored));
                }
                else if (area.Code == "BERSIH")
                {
                    bersih += score;
                }
                else if (area.Code == "PELAYANAN")
                {
                    pelayanan += score;
                }
                for (var p = 0; p < area.Parts.Count; p++)
                {
                    var part = area.Parts[p];
                    for (var s = 0; s < part.SubIndicators.Count; s++)
                    {
                        var subIndicator = part.SubIndicators[s];
                        subIndicators.Add(new SubIndicatorScore(subIndicator.Code, Round(raw.SubIndicatorScores[subIndicator.Code]), subIndicator.Weight,
                            raw.AnsweredInSubIndicator[subIndicator.Items[0].Ordinal], subIndicator.ScoredItems));
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
            raw.BlankSubIndicators,
            raw.Warnings,
            eligibility);
    }

    public static RawScores Raw(Framework framework, IReadOnlyDictionary<string, string> answers)
    {
        var warnings = new List<string>();
        return Raw(framework, new AnswerValues(answers, warnings), warnings);
    }

    /// <summary>The sums for any assignment of values to scored items (by ordinal; null = blank): the gap analysis projects with it.</summary>
    internal static RawScores Raw(Framework framework, decimal?[] values) => Raw(framework, new GivenValues(values), []);

    /// <summary>Where an item's value comes from; a struct type parameter, so the hot path makes no indirect call.</summary>
    private interface IValues
    {
        decimal? Of(FrameworkItem item);
    }

    private readonly struct AnswerValues(IReadOnlyDictionary<string, string> answers, List<string> warnings) : IValues
    {
        public decimal? Of(FrameworkItem item) => Fraction(item, answers, warnings);
    }

    private readonly struct GivenValues(decimal?[] values) : IValues
    {
        public decimal? Of(FrameworkItem item) => values[item.Ordinal];
    }

    private static RawScores Raw<TValues>(Framework framework, TValues value, List<string> warnings) where TValues : struct, IValues
    {
        var fractions = new decimal[framework.Items.Count];
        var answeredItems = new bool[framework.Items.Count];
        var answeredInSubIndicator = new int[framework.Items.Count];
        var subIndicatorScores = new Dictionary<string, decimal>(64, StringComparer.Ordinal);
        var areaScores = new Dictionary<string, decimal>(8, StringComparer.Ordinal);
        var areaCounts = new Dictionary<string, (int, int)>(8, StringComparer.Ordinal);
        var unanswered = new List<string>();
        var blankSubIndicators = new List<string>();
        decimal pengungkit = 0, total = 0;
        var allScored = 0;
        for (var c = 0; c < framework.Components.Count; c++)
        {
            var component = framework.Components[c];
            for (var a = 0; a < component.Areas.Count; a++)
            {
                var area = component.Areas[a];
                decimal areaScore = 0;
                int areaAnswered = 0, areaScored = 0;
                for (var p = 0; p < area.Parts.Count; p++)
                {
                    var part = area.Parts[p];
                    for (var s = 0; s < part.SubIndicators.Count; s++)
                    {
                        var subIndicator = part.SubIndicators[s];
                        var items = subIndicator.Items;
                        // AVERAGE(answered values) × weight, as the workbook's =AVERAGE(L8:L9)*H7, which skips blank cells:
                        // one exact multiplication and one division per sub-indicator.
                        decimal shares = 0;
                        var answered = 0;
                        var scored = 0;
                        for (var i = 0; i < items.Count; i++)
                        {
                            var item = items[i];
                            if (!item.Scored)
                            {
                                continue;
                            }
                            scored++;
                            var fraction = value.Of(item);
                            if (fraction is null)
                            {
                                unanswered.Add(item.Code);
                                continue;
                            }
                            answered++;
                            answeredItems[item.Ordinal] = true;
                            fractions[item.Ordinal] = fraction.Value;
                            shares += fraction.Value;
                        }
                        for (var i = 0; i < items.Count; i++)
                        {
                            answeredInSubIndicator[items[i].Ordinal] = answered;
                        }
                        if (answered == 0 && scored > 0)
                        {
                            // The workbook shows #DIV/0! here; we score it 0 and list it.
                            blankSubIndicators.Add(subIndicator.Code);
                        }
                        var subIndicatorScore = answered == 0 ? 0m : answered == 1 ? shares * subIndicator.Weight : shares * subIndicator.Weight / answered;
                        subIndicatorScores[subIndicator.Code] = subIndicatorScore;
                        areaScore += subIndicatorScore;
                        areaAnswered += answered;
                        areaScored += scored;
                    }
                }
                areaScores[area.Code] = areaScore;
                areaCounts[area.Code] = (areaAnswered, areaScored);
                allScored += areaScored;
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
            Answered = answeredItems,
            AnsweredInSubIndicator = answeredInSubIndicator,
            SubIndicatorScores = subIndicatorScores,
            AreaScores = areaScores,
            AreaCounts = areaCounts,
            Pengungkit = pengungkit,
            Total = total,
            Unanswered = unanswered,
            BlankSubIndicators = blankSubIndicators,
            Warnings = warnings,
            ScoredItems = allScored,
        };
    }

    /// <summary>The value (0–1) an answer earns; null when unanswered (blank).</summary>
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
        var options = item.Options!;
        for (var i = 0; i < options.Count; i++)
        {
            if (options[i].Value == value)
            {
                return options[i].Score;
            }
        }
        throw new InvalidOperationException($"Stored answer '{value}' is not an option of {item.Code}.");
    }

    /// <summary>
    /// Blank until every required input is filled (the workbook's <c>IF(OR(K155="",K156="",K157=""),"Blm Diisi",…)</c>);
    /// then the catalogue's all-zero value if it has one and applies (SDM.R.3.a: <c>IF(AND(K155=0,K156=0),1,…)</c>), else
    /// the expression clamped to [0, 1]. Any other zero denominator gives 0 and a warning.
    /// </summary>
    private static decimal? Percentage(FrameworkItem item, IReadOnlyDictionary<string, string> answers, List<string>? warnings)
    {
        var formula = item.Formula!;
        for (var i = 0; i < formula.RequiredInputs.Count; i++)
        {
            if (!answers.ContainsKey(formula.RequiredInputs[i]))
            {
                return null;
            }
        }
        if (formula.AllZero is { } allZero && AllZero(allZero.Inputs, answers))
        {
            return allZero.Value;
        }
        var ratio = FormulaExpression.Evaluate(formula.Expression, code => decimal.Parse(answers[code], CultureInfo.InvariantCulture));
        if (ratio is null)
        {
            warnings?.Add($"{item.Code}: the denominator of {formula.Expression} is 0, so the item scores 0.");
            return 0m;
        }
        return Math.Clamp(ratio.Value, 0m, 1m);
    }

    private static bool AllZero(IReadOnlyList<string> inputs, IReadOnlyDictionary<string, string> answers)
    {
        for (var i = 0; i < inputs.Count; i++)
        {
            if (decimal.Parse(answers[inputs[i]], CultureInfo.InvariantCulture) != 0m)
            {
                return false;
            }
        }
        return true;
    }
}

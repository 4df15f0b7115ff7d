using System.Security.Cryptography;
using System.Text.RegularExpressions;

namespace ZonaIntegritas.Api.Features.Frameworks;

/// <summary>
/// Every framework shipped in db/frameworks/*.json (embedded as <c>frameworks.&lt;file&gt;.json</c>), parsed once.
/// A new regulation is a new file with a new code; no code changes.
/// </summary>
public sealed partial class FrameworkCatalogue
{
    private const string ResourcePrefix = "frameworks.";
    private readonly Dictionary<string, (Framework Framework, string Sha256)> _frameworks;

    public FrameworkCatalogue() : this(LoadEmbedded(), PortalRbSoalMaps.LoadEmbedded())
    {
    }

    internal FrameworkCatalogue(IEnumerable<(string Name, byte[] Json)> sources, IEnumerable<(string Name, byte[] Json)>? soalMapSources = null)
    {
        _frameworks = new Dictionary<string, (Framework, string)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, json) in sources)
        {
            var framework = Parse(name, json);
            if (!_frameworks.TryAdd(framework.Code, (framework, Convert.ToHexStringLower(SHA256.HashData(json)))))
            {
                throw new InvalidOperationException($"Framework code '{framework.Code}' appears in more than one file under db/frameworks.");
            }
        }
        SoalMaps = new PortalRbSoalMaps(soalMapSources ?? [], _frameworks.Values.Select(f => f.Framework).ToList());
        foreach (var (code, (framework, sha)) in _frameworks.ToList())
        {
            _frameworks[code] = (WithSoalIds(framework, SoalMaps), sha);
        }
    }

    /// <summary>PortalRB's question lists per evaluation year, checked against these frameworks.</summary>
    public PortalRbSoalMaps SoalMaps { get; }

    /// <summary>The framework with each item's PortalRB soal_id per year whose list maps onto it.</summary>
    private static Framework WithSoalIds(Framework framework, PortalRbSoalMaps maps)
    {
        var byItem = maps.All.Where(m => m.FrameworkCodes.Contains(framework.Code))
            .SelectMany(m => m.Soal.Select(s => (m.Year, s.ItemCode, s.SoalId)))
            .GroupBy(s => s.ItemCode)
            .ToDictionary(g => g.Key, g => (IReadOnlyDictionary<string, int>)g.ToDictionary(s => s.Year.ToString(System.Globalization.CultureInfo.InvariantCulture), s => s.SoalId));
        if (byItem.Count == 0)
        {
            return framework;
        }
        var components = framework.Components.Select(c => c with
        {
            Areas = c.Areas.Select(a => a with
            {
                Parts = a.Parts.Select(p => p with
                {
                    SubIndicators = p.SubIndicators.Select(s => s with
                    {
                        Items = s.Items.Select(i => i with { PortalRbSoalIds = byItem.GetValueOrDefault(i.Code) }).ToList(),
                    }).ToList(),
                }).ToList(),
            }).ToList(),
        }).ToList();
        // A new record, not `with`: Items is computed from the components when a framework is constructed.
        return new Framework(framework.Code, framework.Title, framework.LegalBasis, framework.MaxScore, framework.AnswerTypes, components, framework.Thresholds);
    }

    public IReadOnlyList<Framework> All => _frameworks.Values.Select(f => f.Framework).OrderBy(f => f.Code, StringComparer.Ordinal).ToList();

    public bool TryGet(string code, out Framework framework)
    {
        var found = _frameworks.TryGetValue(code, out var entry);
        framework = entry.Framework;
        return found;
    }

    /// <summary>SHA-256 of the source file, so the database can tell whether it holds this exact catalogue.</summary>
    public string Sha256Of(string code) => _frameworks[code].Sha256;

    private static IEnumerable<(string, byte[])> LoadEmbedded()
    {
        var assembly = typeof(FrameworkCatalogue).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order())
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            yield return (name, memory.ToArray());
        }
    }

    private static Framework Parse(string source, byte[] json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var header = root.GetProperty("framework");
        var answerTypes = root.GetProperty("answerTypes").EnumerateArray().Select(t => new AnswerType(
            t.GetProperty("code").GetString()!,
            t.GetProperty("sourceLabel").GetString()!,
            t.TryGetProperty("rule", out var rule) ? rule.GetString() : null,
            t.TryGetProperty("options", out var options)
                ? options.EnumerateArray().Select(o => new AnswerOption(o.GetProperty("value").GetString()!, o.GetProperty("score").GetDecimal())).ToList()
                : [])).ToList();
        var optionsByType = answerTypes.ToDictionary(t => t.Code, t => t.Options);
        var formulas = root.GetProperty("percentageFormulas").EnumerateArray().ToDictionary(
            f => f.GetProperty("item").GetString()!,
            f => new PercentageFormula(
                f.GetProperty("expression").GetString()!,
                f.GetProperty("formula").GetString()!,
                ItemCodePattern().Matches(f.GetProperty("expression").GetString()!).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal).ToList(),
                f.TryGetProperty("requiredInputs", out var required) ? required.EnumerateArray().Select(r => r.GetString()!).ToList() : [],
                f.TryGetProperty("allZero", out var allZero)
                    ? new AllZeroRule(allZero.GetProperty("inputs").EnumerateArray().Select(r => r.GetString()!).ToList(), allZero.GetProperty("value").GetDecimal())
                    : null));

        var ordinal = 0;
        var components = root.GetProperty("components").EnumerateArray().Select(c => new Component(
            c.GetProperty("code").GetString()!,
            c.GetProperty("name").GetString()!,
            c.GetProperty("weight").GetDecimal(),
            c.GetProperty("areas").EnumerateArray().Select(a => new Area(
                a.GetProperty("code").GetString()!,
                a.GetProperty("name").GetString()!,
                a.GetProperty("weight").GetDecimal(),
                a.GetProperty("parts").EnumerateArray().Select(p => new Part(
                    p.GetProperty("code").GetString()!,
                    p.GetProperty("kind").GetString()!,
                    p.GetProperty("weight").GetDecimal(),
                    p.GetProperty("subIndicators").EnumerateArray().Select(s =>
                    {
                        var weight = s.GetProperty("weight").GetDecimal();
                        var rawItems = s.GetProperty("items").EnumerateArray().ToList();
                        var scoredCount = rawItems.Count(i => i.GetProperty("scored").GetBoolean());
                        var items = rawItems.Select(i => ParseItem(i, a.GetProperty("code").GetString()!, s.GetProperty("code").GetString()!,
                            weight, scoredCount, optionsByType, formulas, ordinal++)).ToList();
                        return new SubIndicator(s.GetProperty("code").GetString()!, s.GetProperty("name").GetString()!, weight, items);
                    }).ToList())).ToList())).ToList())).ToList();

        var thresholds = root.GetProperty("thresholds").EnumerateObject().ToDictionary(t => t.Name, t => new Thresholds(
            t.Value.GetProperty("total").GetDecimal(),
            t.Value.GetProperty("pengungkitTotal").GetDecimal(),
            t.Value.GetProperty("eachPengungkitAreaMinFraction").GetDecimal(),
            t.Value.GetProperty("bersihAkuntabel").GetDecimal(),
            t.Value.GetProperty("ipak").GetDecimal(),
            t.Value.GetProperty("capaianKinerja").GetDecimal(),
            t.Value.GetProperty("ipkp").GetDecimal(),
            t.Value.GetProperty("requiresPriorPredikat").ValueKind == JsonValueKind.String ? t.Value.GetProperty("requiresPriorPredikat").GetString() : null));

        var framework = new Framework(
            header.GetProperty("code").GetString()!,
            header.GetProperty("title").GetString()!,
            header.GetProperty("legalBasis").GetString()!,
            header.GetProperty("maxScore").GetDecimal(),
            answerTypes,
            components,
            thresholds);
        Validate(source, framework);
        return framework;
    }

    private static FrameworkItem ParseItem(JsonElement item, string areaCode, string subIndicatorCode, decimal subIndicatorWeight, int scoredCount,
        Dictionary<string, IReadOnlyList<AnswerOption>> optionsByType, Dictionary<string, PercentageFormula> formulas, int ordinal)
    {
        var code = item.GetProperty("code").GetString()!;
        var answerType = item.GetProperty("answerType").GetString()!;
        var scored = item.GetProperty("scored").GetBoolean();
        var texts = item.TryGetProperty("optionTexts", out var optionTexts)
            ? optionTexts.EnumerateObject().ToDictionary(o => o.Name, o => o.Value.GetString())
            : [];
        string? Text(string name) => item.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return new FrameworkItem
        {
            Code = code,
            Question = item.GetProperty("question").GetString()!,
            AnswerType = answerType,
            Scored = scored,
            // Exact division: the JSON weights are float renderings of the same quotient.
            Weight = scored ? subIndicatorWeight / scoredCount : null,
            Options = optionsByType.TryGetValue(answerType, out var options) && options.Count > 0
                ? options.Select(o => o with { Text = texts.GetValueOrDefault(o.Value) }).ToList()
                : null,
            EvidenceHint = Text("evidenceHint"),
            Guidance = Text("guidance"),
            ParentItem = Text("parentItem"),
            PartOf = Text("partOf"),
            Derivation = Text("derivation"),
            Formula = formulas.GetValueOrDefault(code),
            AreaCode = areaCode,
            SubIndicatorCode = subIndicatorCode,
            SubIndicatorWeight = subIndicatorWeight,
            Ordinal = ordinal,
        };
    }

    private static void Validate(string source, Framework framework)
    {
        void Fail(string message) => throw new InvalidOperationException($"Framework file {source}: {message}");
        var codes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in framework.Items)
        {
            if (!codes.Add(item.Code))
            {
                Fail($"item code '{item.Code}' appears twice.");
            }
        }
        foreach (var item in framework.Items)
        {
            if (item.AnswerType == "PERSEN")
            {
                if (item.Formula is null)
                {
                    Fail($"PERSEN item '{item.Code}' has no percentage formula.");
                }
                foreach (var input in item.Formula!.Inputs.Concat(item.Formula.RequiredInputs).Concat(item.Formula.AllZero?.Inputs ?? []))
                {
                    if (!framework.TryGetItem(input, out var source2) || source2.AnswerType != "JUMLAH" || source2.ParentItem != item.Code)
                    {
                        Fail($"the formula of '{item.Code}' reads '{input}', which is not one of its JUMLAH inputs.");
                    }
                }
                // The rule that blanks a percentage is data; it must at least cover what the expression reads.
                if (item.Formula.Inputs.Except(item.Formula.RequiredInputs).FirstOrDefault() is { } unlisted)
                {
                    Fail($"the formula of '{item.Code}' reads '{unlisted}', which is missing from its requiredInputs.");
                }
            }
            if (item.Scored && item.AnswerType is not ("PERSEN" or "NILAI_0_4") && item.Options is null)
            {
                Fail($"item '{item.Code}' has answer type '{item.AnswerType}' without options.");
            }
        }
        var total = framework.Components.Sum(c => c.Weight);
        if (total != framework.MaxScore)
        {
            Fail($"component weights add up to {total}, not {framework.MaxScore}.");
        }
        foreach (var predikat in Predikat.All)
        {
            if (!framework.Thresholds.ContainsKey(predikat))
            {
                Fail($"no thresholds for {predikat}.");
            }
        }
    }

    [GeneratedRegex(@"[A-Z]+(\.[A-Za-z0-9]+)+")]
    private static partial Regex ItemCodePattern();
}

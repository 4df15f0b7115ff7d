using System.Text.Json.Serialization;

namespace ZonaIntegritas.Api.Features.Frameworks;

/// <summary>An LKE framework (evaluation worksheet) as published, with exact decimal weights.</summary>
public sealed record Framework(
    string Code,
    string Title,
    string LegalBasis,
    decimal MaxScore,
    IReadOnlyList<AnswerType> AnswerTypes,
    IReadOnlyList<Component> Components,
    IReadOnlyDictionary<string, Thresholds> Thresholds)
{
    private Dictionary<string, FrameworkItem>? _byCode;

    /// <summary>Every item (scored and count inputs) in worksheet order.</summary>
    [JsonIgnore]
    public IReadOnlyList<FrameworkItem> Items { get; } = Components
        .SelectMany(c => c.Areas).SelectMany(a => a.Parts).SelectMany(p => p.SubIndicators).SelectMany(s => s.Items).ToList();

    public bool TryGetItem(string code, out FrameworkItem item)
    {
        _byCode ??= Items.ToDictionary(i => i.Code, StringComparer.Ordinal);
        return _byCode.TryGetValue(code, out item!);
    }
}

public sealed record AnswerType(string Code, string Label, string? Rule, IReadOnlyList<AnswerOption> Options);

public sealed record AnswerOption(string Value, decimal Score, string? Text = null);

public sealed record Component(string Code, string Name, decimal Weight, IReadOnlyList<Area> Areas);

public sealed record Area(string Code, string Name, decimal Weight, IReadOnlyList<Part> Parts);

/// <summary>Half of a pengungkit area (pemenuhan or reform), or the single part of a hasil area.</summary>
public sealed record Part(string Code, string Kind, decimal Weight, IReadOnlyList<SubIndicator> SubIndicators);

public sealed record SubIndicator(string Code, string Name, decimal Weight, IReadOnlyList<FrameworkItem> Items)
{
    /// <summary>The items a weight is shared among (JUMLAH inputs are not).</summary>
    [JsonIgnore]
    public int ScoredItems { get; } = Items.Count(i => i.Scored);
}

/// <summary>
/// One question of the worksheet. Scored items carry <c>weight</c> = sub-indicator weight ÷ scored items in it (exact
/// decimal); JUMLAH items are unscored count inputs of a PERSEN item (<c>parentItem</c>).
/// </summary>
public sealed record FrameworkItem
{
    public required string Code { get; init; }
    public required string Question { get; init; }
    public required string AnswerType { get; init; }
    public required bool Scored { get; init; }
    public decimal? Weight { get; init; }
    public IReadOnlyList<AnswerOption>? Options { get; init; }
    public string? EvidenceHint { get; init; }
    public string? Guidance { get; init; }
    public string? ParentItem { get; init; }
    public string? PartOf { get; init; }
    public string? Derivation { get; init; }
    public PercentageFormula? Formula { get; init; }

    /// <summary>PortalRB's question id for this item per evaluation year (<c>{"2026": 1}</c>); null for items PortalRB does not ask.</summary>
    public IReadOnlyDictionary<string, int>? PortalRbSoalIds { get; init; }

    [JsonIgnore] public string AreaCode { get; init; } = "";
    [JsonIgnore] public string SubIndicatorCode { get; init; } = "";
    [JsonIgnore] public decimal SubIndicatorWeight { get; init; }
    [JsonIgnore] public int Ordinal { get; init; }
}

/// <summary>
/// How a PERSEN item is computed from its JUMLAH inputs. <c>inputs</c> are the codes the expression reads;
/// <c>requiredInputs</c> the counts that must all be filled before the item has a value (the workbook's
/// <c>IF(OR(K155="",…),"Blm Diisi",…)</c>), which may include counts the expression does not read. <c>allZero</c>, when
/// present, is the value the item takes when all of its listed inputs are 0 (SDM.R.3.a: 1).
/// </summary>
public sealed record PercentageFormula(string Expression, string Description, IReadOnlyList<string> Inputs, IReadOnlyList<string> RequiredInputs,
    AllZeroRule? AllZero);

/// <summary>The value a percentage takes when every one of <c>inputs</c> is 0, instead of evaluating its expression.</summary>
public sealed record AllZeroRule(IReadOnlyList<string> Inputs, decimal Value);

/// <summary>The minimums for one predikat (WBK or WBBM), all compared with ≥ on the exact figures (traces settled at 10 decimals).</summary>
public sealed record Thresholds(
    decimal Total,
    decimal PengungkitTotal,
    decimal AreaMinFraction,
    decimal BersihAkuntabel,
    decimal Ipak,
    decimal CapaianKinerja,
    decimal Ipkp,
    string? RequiresPriorPredikat);

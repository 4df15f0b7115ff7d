namespace ZonaIntegritas.Api.Features.Frameworks;

/// <summary>One PortalRB question (soal) of a year's master list, and the catalogue item it is.</summary>
public sealed record SoalMapping(int SoalId, string ItemCode, string AnswerType, string PortalRbAnswerType, int ExcelRow);

/// <summary>A year's PortalRB master question list, in soal order, and the frameworks whose items it maps onto.</summary>
public sealed record SoalMap(int Year, IReadOnlyList<SoalMapping> Soal, IReadOnlyList<string> FrameworkCodes);

/// <summary>
/// The PortalRB question lists shipped in db/frameworks/portalrb/*.json (embedded as <c>portalrb.&lt;file&gt;.json</c>), one
/// file per evaluation year. Each is checked at start: every soal names an item of a framework with the same answer
/// type, no soal or item twice, the count as declared. A year without a file uses the latest earlier list (PortalRB's
/// list has not changed since the 2021 worksheet); a year before every file uses the earliest.
/// </summary>
public sealed class PortalRbSoalMaps
{
    private const string ResourcePrefix = "portalrb.";
    private readonly SortedDictionary<int, SoalMap> _byYear = [];

    internal PortalRbSoalMaps(IEnumerable<(string Name, byte[] Json)> sources, IReadOnlyCollection<Framework> frameworks)
    {
        foreach (var (name, json) in sources)
        {
            var map = Parse(name, json, frameworks);
            if (!_byYear.TryAdd(map.Year, map))
            {
                throw new InvalidOperationException($"PortalRB soal map for {map.Year} appears in more than one file under db/frameworks/portalrb.");
            }
        }
    }

    public IReadOnlyList<SoalMap> All => _byYear.Values.ToList();

    /// <summary>The list PortalRB uses for the evaluation year; null only when no list is shipped at all.</summary>
    public SoalMap? ForYear(int year) =>
        _byYear.Values.LastOrDefault(m => m.Year <= year) ?? _byYear.Values.FirstOrDefault();

    internal static IEnumerable<(string, byte[])> LoadEmbedded()
    {
        var assembly = typeof(PortalRbSoalMaps).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)).Order())
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var memory = new MemoryStream();
            stream.CopyTo(memory);
            yield return (name, memory.ToArray());
        }
    }

    private static SoalMap Parse(string source, byte[] json, IReadOnlyCollection<Framework> frameworks)
    {
        void Fail(string message) => throw new InvalidOperationException($"PortalRB soal map {source}: {message}");
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        var year = root.GetProperty("year").GetInt32();
        var soal = root.GetProperty("soal").EnumerateArray().Select(s => new SoalMapping(
            s.GetProperty("soalId").GetInt32(),
            s.GetProperty("itemCode").GetString()!,
            s.GetProperty("answerType").GetString()!,
            s.GetProperty("portalRbAnswerType").GetString()!,
            s.GetProperty("excelRow").GetInt32())).OrderBy(s => s.SoalId).ToList();
        if (root.TryGetProperty("totalSoal", out var total) && total.GetInt32() != soal.Count)
        {
            Fail($"declares {total.GetInt32()} soal but lists {soal.Count}.");
        }
        if (soal.GroupBy(s => s.SoalId).FirstOrDefault(g => g.Count() > 1) is { } repeatedSoal)
        {
            Fail($"soal {repeatedSoal.Key} appears twice.");
        }
        if (soal.GroupBy(s => s.ItemCode).FirstOrDefault(g => g.Count() > 1) is { } repeatedItem)
        {
            Fail($"item {repeatedItem.Key} is mapped by more than one soal.");
        }
        var fitting = new List<string>();
        var reasons = new List<string>();
        foreach (var framework in frameworks)
        {
            var mismatch = soal.Select(s => !framework.TryGetItem(s.ItemCode, out var item) ? $"soal {s.SoalId}: no item {s.ItemCode}"
                    : item.AnswerType != s.AnswerType ? $"soal {s.SoalId}: {s.ItemCode} is {item.AnswerType}, the map says {s.AnswerType}"
                    : item.AnswerType == "PERSEN" ? $"soal {s.SoalId}: {s.ItemCode} is a computed percentage, which PortalRB does not ask"
                    : null)
                .FirstOrDefault(m => m is not null);
            if (mismatch is null)
            {
                fitting.Add(framework.Code);
            }
            else
            {
                reasons.Add($"{framework.Code} ({mismatch})");
            }
        }
        if (fitting.Count == 0)
        {
            Fail($"maps onto no framework: {string.Join("; ", reasons)}.");
        }
        return new SoalMap(year, soal, fitting);
    }
}

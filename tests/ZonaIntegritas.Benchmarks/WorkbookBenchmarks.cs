using BenchmarkDotNet.Attributes;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Workbook;

namespace ZonaIntegritas.Benchmarks;

/// <summary>
/// The LKE workbook without HTTP and database: writing one fully answered assessment (targets: export &lt; 200 ms) and
/// reading its self layer back (import &lt; 500 ms). The endpoints add one query round and the answer write on top.
/// </summary>
[MemoryDiagnoser]
public class WorkbookBenchmarks
{
    private WorkbookLayout _layout = null!;
    private WorkbookData _data = null!;
    private byte[] _file = [];

    [GlobalSetup]
    public void Setup()
    {
        var catalogue = new FrameworkCatalogue();
        catalogue.TryGet("PERMENPANRB-90-2021", out var framework);
        _layout = new WorkbookLayout(framework, catalogue.SoalMaps.ForYear(2026)!);
        var answers = _layout.AnswerItems.ToDictionary(i => i.Code, i => new LayerAnswer(i.AnswerType switch
        {
            "JUMLAH" => "10",
            "NILAI_0_4" => "3.62",
            _ => i.Options![0].Value,
        }, "catatan"));
        var assessment = new Assessment { Id = Guid.NewGuid(), UnitId = Guid.NewGuid(), AgencyId = Guid.NewGuid(), Year = 2026, Target = "WBK", FrameworkCode = framework.Code, Status = "draft" };
        _data = new WorkbookData(assessment, "BIRO-01", "Biro Umum", "Kementerian Uji",
            new Dictionary<string, IReadOnlyDictionary<string, LayerAnswer>> { ["self"] = answers, ["tpi"] = answers }, new Dictionary<string, string>(), [], true, DateTimeOffset.UtcNow);
        _file = Export().ToArray();
    }

    [Benchmark]
    public MemoryStream Export()
    {
        var output = new MemoryStream();
        WorkbookWriter.Write(_layout, _data, output);
        return output;
    }

    [Benchmark]
    public int Import()
    {
        using var input = new MemoryStream(_file);
        var sheet = WorkbookReader.Read(input, WorkbookLayout.Sheet, new HashSet<string> { "B", "C", "K", "L" });
        return WorkbookImport.Answers(_layout, sheet, "K", "L").Answers.Count;
    }
}

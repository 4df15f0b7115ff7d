using System.Diagnostics;
using ZonaIntegritas.Api.Http;

namespace ZonaIntegritas.Benchmarks;

/// <summary>Writes N rows of the compliance export's shape with SpreadsheetTable into a temporary file and reports the RSS growth.</summary>
public static class XlsxStream
{
    public static int Run(int rows)
    {
        GC.Collect();
        var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.WorkingSet64;
        long peak = before;
        var path = Path.GetTempFileName();
        var started = Stopwatch.StartNew();
        using (var file = File.Create(path))
        {
            var header = Enumerable.Range(0, 30).Select(i => $"column{i}").ToArray();
            SpreadsheetTable.Write(file, "Kepatuhan", header, Enumerable.Range(0, rows).Select(i =>
            {
                if (i % 5000 == 0)
                {
                    process.Refresh();
                    peak = Math.Max(peak, process.WorkingSet64);
                }
                return new object?[]
                {
                    "AG-01", Guid.NewGuid(), $"UNIT-{i:D6}", 2026, "assessment_in_progress", true, new DateOnly(2026, 3, 15), 120, 150, 0.8m, true,
                    Guid.NewGuid(), 2026, "WBK", "draft", 71.25m, 68.5m, null, false, 12, null, null, null, null, "evidence_missing",
                    55.5m, 60m, true, 4, 3,
                };
            }));
        }
        process.Refresh();
        peak = Math.Max(peak, process.WorkingSet64);
        Console.WriteLine($"rows {rows}, file {new FileInfo(path).Length / 1024 / 1024} MB, {started.ElapsedMilliseconds} ms, RSS growth {(peak - before) / 1024 / 1024} MB (target < 64 MB)");
        File.Delete(path);
        return peak - before < 64L * 1024 * 1024 ? 0 : 1;
    }
}

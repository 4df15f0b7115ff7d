using BenchmarkDotNet.Running;
using Microsoft.AspNetCore.Builder;
using ZonaIntegritas.Benchmarks;

// "upload": the end-to-end evidence upload measurement. "generate <db> <units>": fill a migrated database for the load
// test. "generate-absorption <db> <units>": one agency of that many units with budgets, for the absorption report. "bare <url>": the ceiling, a bare Kestrel app answering a fixed JSON document. Anything else: BenchmarkDotNet.
switch (args)
{
    case ["upload", ..]:
        return await UploadBenchmark.RunAsync();
    case ["xlsx-rss", var rows]:
        // The streamed .xlsx list writer with N compliance-like rows into a file: how much the process grows (tests/bench/xlsx-stream-rss.sh).
        return XlsxStream.Run(int.Parse(rows));
    case ["generate", var file, var units]:
        await ComplianceData.GenerateAsync(file, int.Parse(units));
        return 0;
    case ["generate-absorption", var file, var units]:
        await AbsorptionData.GenerateAsync(file, int.Parse(units));
        return 0;
    case ["scoring-cpu", var rounds]:
        // CPU time per call (not wall time), for a machine shared with other work: preemption does not count.
        var scoring = new ScoringBenchmarks();
        scoring.Setup();
        foreach (var (name, run) in new (string, Action)[] { ("ScoreCompleteAssessment", () => scoring.ScoreCompleteAssessment()), ("RawScoresOnly", () => scoring.RawScoresOnly()) })
        {
            var n = int.Parse(rounds);
            for (var i = 0; i < n / 10; i++) run();
            var best = double.MaxValue;
            for (var trial = 0; trial < 5; trial++)
            {
                var before = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
                for (var i = 0; i < n; i++) run();
                best = Math.Min(best, (System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds / n);
            }
            Console.WriteLine($"{name}: {best:0.0} µs CPU per call (best of 5 × {n})");
        }
        return 0;
    case ["bare", var url]:
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var document = System.Text.Encoding.UTF8.GetBytes("""{"unitId":"00000000-0000-4000-8000-000000000001","declared":true,"stage":"WBK","flags":[]}""");
        app.MapGet("/", () => Results.Bytes(document, "application/json"));
        app.Run(url);
        return 0;
    default:
        BenchmarkSwitcher.FromAssembly(typeof(ScoringBenchmarks).Assembly).Run(args);
        return 0;
}

using BenchmarkDotNet.Running;
using ZonaIntegritas.Benchmarks;

// "upload" runs the end-to-end evidence upload measurement; anything else goes to BenchmarkDotNet.
if (args is ["upload", ..])
{
    return await UploadBenchmark.RunAsync();
}
BenchmarkSwitcher.FromAssembly(typeof(ScoringBenchmarks).Assembly).Run(args);
return 0;

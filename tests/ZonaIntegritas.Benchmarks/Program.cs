using BenchmarkDotNet.Running;

BenchmarkSwitcher.FromAssembly(typeof(ZonaIntegritas.Benchmarks.ScoringBenchmarks).Assembly).Run(args);

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>
/// The resident-memory bound (Cache:MaxMegabytes + Memory:TrimHeadroomMegabytes). A test process holds far more than the
/// smallest bound the settings allow (17 MB), so a small bound is always passed here; whether it holds at 100k units
/// is the load script's question (docs/benchmarks.md).
/// </summary>
public sealed class MemoryTrimmerTests
{
    private static Dictionary<string, string?> Bound(string enabled = "true") => new()
    {
        ["Memory:TrimEnabled"] = enabled,
        ["Memory:TrimHeadroomMegabytes"] = "16",
        ["Memory:TrimIntervalSeconds"] = "1",
        ["Cache:MaxMegabytes"] = "1",
    };

    private static async Task<MemoryTrimmer> WaitForTrims(TestApp app, int trims, int seconds)
    {
        var trimmer = app.Services.GetRequiredService<MemoryTrimmer>();
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (trimmer.Trims < trims && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }
        return trimmer;
    }

    [Fact]
    public async Task AnInstanceAboveItsMemoryBoundCollectsAndSaysHowMuchItGaveBack()
    {
        await using var app = await TestApp.StartAsync(settings: Bound());

        var trimmer = await WaitForTrims(app, 1, 10);

        Assert.Equal(17L * 1024 * 1024, trimmer.BoundBytes);
        var trim = Assert.IsType<MemoryTrimmer.Trim>(trimmer.Last);
        Assert.True(trim.BeforeBytes > trimmer.BoundBytes);
        Assert.True(trim.AfterBytes > 0);
        Assert.Contains($"passed the bound of 17 MB; a full collection brought it to {trim.AfterBytes >> 20} MB", app.Logs.Text);
    }

    [Fact]
    public async Task AnInstanceWhoseLiveMemoryStaysAboveTheBoundTrimsLessAndLessOften()
    {
        await using var app = await TestApp.StartAsync(settings: Bound());
        var trimmer = await WaitForTrims(app, 1, 10);
        var first = trimmer.Trims;

        // Still above the bound after each trim: the waits double (2 s, 4 s, …) instead of collecting every second.
        await Task.Delay(TimeSpan.FromSeconds(5.5));

        Assert.InRange(trimmer.Trims - first, 1, 2);
    }

    [Fact]
    public async Task TrimmingSwitchedOffNeverCollects()
    {
        await using var app = await TestApp.StartAsync(settings: Bound(enabled: "false"));

        await Task.Delay(2500);

        Assert.Equal(0, app.Services.GetRequiredService<MemoryTrimmer>().Trims);
    }

    [Fact]
    public async Task AnIntervalOutsideItsRangeStopsTheStartNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            TestApp.StartAsync(settings: new() { ["Memory:TrimIntervalSeconds"] = "0" }));

        Assert.Contains("Memory:TrimIntervalSeconds must be between 1 and 3600", error.Message);
    }
}

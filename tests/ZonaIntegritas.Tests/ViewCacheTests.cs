using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>The one view cache: typed keys, freshness by change stamps and day, one build per view, an LRU byte bound.</summary>
public sealed class ViewCacheTests
{
    private sealed record Text(string Value);

    // Each test view costs one megabyte, so a bound of N megabytes holds N of them.
    private sealed record TextKey(string Name) : IViewKey<Text>
    {
        public long SizeOf(Text value) => 1024 * 1024;
    }

    private static readonly DateOnly Today = new(2026, 11, 20);
    private static readonly Guid Agency = Guid.NewGuid();

    private static (ViewCache Cache, ChangeStamps Stamps) NewCache(int megabytes = 16)
    {
        var stamps = new ChangeStamps();
        return (new ViewCache(stamps, Options.Create(new CacheOptions { MaxMegabytes = megabytes })), stamps);
    }

    [Fact]
    public async Task AViewIsBuiltOnceAndServedUntilAWriteInItsScope()
    {
        var (cache, stamps) = NewCache();
        var builds = 0;
        Task<Text?> Build() => Task.FromResult<Text?>(new Text($"build {++builds}"));

        var first = await cache.GetOrBuildAsync(new TextKey("a"), ViewScope.OfAgency(Agency), Today, Build);
        var second = await cache.GetOrBuildAsync(new TextKey("a"), ViewScope.OfAgency(Agency), Today, Build);
        stamps.Record("unit", Guid.NewGuid(), Guid.NewGuid()); // another agency: still fresh
        var third = await cache.GetOrBuildAsync(new TextKey("a"), ViewScope.OfAgency(Agency), Today, Build);
        stamps.Record("unit", Agency, Guid.NewGuid());
        var fourth = await cache.GetOrBuildAsync(new TextKey("a"), ViewScope.OfAgency(Agency), Today, Build);

        Assert.Equal(["build 1", "build 1", "build 1", "build 2"], new[] { first, second, third, fourth }.Select(t => t!.Value));
    }

    [Fact]
    public async Task AWriteDuringTheBuildMakesItsResultStale()
    {
        var (cache, stamps) = NewCache();
        var builds = 0;

        await cache.GetOrBuildAsync(new TextKey("a"), ViewScope.Everything, Today, () =>
        {
            builds++;
            stamps.Record("agency", Agency, null); // lands after the reading was taken, while the data is being read
            return Task.FromResult<Text?>(new Text("old"));
        });
        var again = await cache.GetOrBuildAsync(new TextKey("a"), ViewScope.Everything, Today, () =>
        {
            builds++;
            return Task.FromResult<Text?>(new Text("new"));
        });

        Assert.Equal("new", again!.Value);
        Assert.Equal(2, builds);
    }

    [Fact]
    public async Task ConcurrentRequestsForTheSameViewShareOneBuild()
    {
        var (cache, _) = NewCache();
        var builds = 0;
        var release = new TaskCompletionSource();
        async Task<Text?> Build()
        {
            Interlocked.Increment(ref builds);
            await release.Task;
            return new Text("shared");
        }

        var requests = Enumerable.Range(0, 20).Select(_ => cache.GetOrBuildAsync(new TextKey("a"), ViewScope.Everything, Today, Build)).ToList();
        release.SetResult();
        var results = await Task.WhenAll(requests);

        Assert.Equal(1, builds);
        Assert.All(results, r => Assert.Equal("shared", r!.Value));
    }

    [Fact]
    public async Task RequestsRacingInOnManyThreadsAtOnceStillShareOneBuild()
    {
        // The requests above start one after another; these start together, so a check-then-register gap would show.
        var (cache, _) = NewCache();
        var builds = 0;
        var release = new TaskCompletionSource();
        using var start = new Barrier(8);
        async Task<Text?> Build()
        {
            Interlocked.Increment(ref builds);
            await release.Task;
            return new Text("shared");
        }

        // Own threads, not pool threads: on two cores the pool adds threads slowly, and the barrier must not wait for them.
        var requests = Enumerable.Range(0, 8).Select(_ => Task.Factory.StartNew(() =>
        {
            start.SignalAndWait();
            return cache.GetOrBuildAsync(new TextKey("race"), ViewScope.Everything, Today, Build);
        }, TaskCreationOptions.LongRunning).Unwrap()).ToList();
        await Task.Delay(200);
        release.SetResult();
        var results = await Task.WhenAll(requests);

        Assert.Equal(1, builds);
        Assert.All(results, r => Assert.Equal("shared", r!.Value));
    }

    [Fact]
    public async Task RequestsRacingForAViewThatBuildsAtOnceStillShareOneBuild()
    {
        // A build that finishes between another request's look-up and its registration must not be repeated; builds that
        // complete at once make that gap likely, so try it many times.
        var (cache, _) = NewCache(megabytes: 1024);
        var builds = 0;
        for (var round = 0; round < 300; round++)
        {
            using var start = new Barrier(4);
            var key = new TextKey($"instant {round}");
            var requests = Enumerable.Range(0, 4).Select(_ => Task.Factory.StartNew(() =>
            {
                start.SignalAndWait();
                return cache.GetOrBuildAsync(key, ViewScope.Everything, Today, () =>
                {
                    Interlocked.Increment(ref builds);
                    return Task.FromResult<Text?>(new Text("instant"));
                });
            }, TaskCreationOptions.LongRunning).Unwrap());
            await Task.WhenAll(requests);
        }

        Assert.Equal(300, builds);
    }

    [Fact]
    public async Task TheByteBoundEvictsTheLeastRecentlyUsedViewNotEverything()
    {
        var (cache, _) = NewCache(megabytes: 3);
        foreach (var name in new[] { "a", "b", "c" })
        {
            await cache.GetOrBuildAsync(new TextKey(name), ViewScope.Everything, Today, () => Task.FromResult<Text?>(new Text(name)));
        }
        Assert.NotNull(cache.Find(new TextKey("a"), Today)); // "a" is now the most recently used, "b" the least

        await cache.GetOrBuildAsync(new TextKey("d"), ViewScope.Everything, Today, () => Task.FromResult<Text?>(new Text("d")));

        Assert.Null(cache.Find(new TextKey("b"), Today));
        Assert.Equal(["a", "c", "d"], new[] { "a", "c", "d" }.Select(n => cache.Find(new TextKey(n), Today)!.Value));
        Assert.Equal(3L * 1024 * 1024, cache.Bytes);
    }

    [Fact]
    public async Task ANewDayRebuildsAView()
    {
        var (cache, _) = NewCache();
        await cache.GetOrBuildAsync(new TextKey("a"), ViewScope.Everything, Today, () => Task.FromResult<Text?>(new Text("yesterday")));

        var tomorrow = await cache.GetOrBuildAsync(new TextKey("a"), ViewScope.Everything, Today.AddDays(1), () => Task.FromResult<Text?>(new Text("today")));

        Assert.Equal("today", tomorrow!.Value);
        Assert.Null(cache.Find(new TextKey("a"), Today));
    }

    [Fact]
    public async Task TheNationalSummaryIsCachedAndFollowsAWriteInAnyAgency()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var cache = app.Services.GetRequiredService<ViewCache>();
        var bytesBefore = cache.Bytes;
        var before = await (await admin.GetAsync("/api/v1/compliance-summary")).As<NationalComplianceSummaryResource>(HttpStatusCode.OK);
        var bytesAfter = cache.Bytes;

        var again = await (await admin.GetAsync("/api/v1/compliance-summary")).As<NationalComplianceSummaryResource>(HttpStatusCode.OK);
        await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit]))).Json(HttpStatusCode.Created);
        var after = await (await admin.GetAsync("/api/v1/compliance-summary")).As<NationalComplianceSummaryResource>(HttpStatusCode.OK);

        Assert.True(bytesAfter > bytesBefore, $"{bytesBefore} -> {bytesAfter}");
        Assert.Equal(before.Totals.Declared, again.Totals.Declared);
        Assert.Equal(before.Totals.Declared + 1, after.Totals.Declared);
        Assert.Equal(1, after.Agencies.Single(a => a.AgencyId == agency).ByStage["declared"]);
    }
}

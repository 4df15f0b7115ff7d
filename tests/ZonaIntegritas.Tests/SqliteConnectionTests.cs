using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>The per-connection SQLite settings are set once per pooled handle; every connection handed out has them.</summary>
public sealed class SqliteConnectionTests
{
    [Fact]
    public async Task EveryConnectionNewOrPooledHasTheConfiguredPageCacheBusyTimeoutAndForeignKeys()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["Database:SqliteCacheKibibytes"] = "256", ["Database:BusyTimeoutMilliseconds"] = "4000" });
        var factory = app.Services.GetRequiredService<DbConnectionFactory>();

        // Three at once need three handles; opened again, they come back from the pool already configured.
        for (var round = 0; round < 2; round++)
        {
            var connections = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => factory.OpenAsync()));
            foreach (var connection in connections)
            {
                Assert.Equal(-256, await connection.ExecuteScalarAsync<long>("PRAGMA cache_size"));
                Assert.Equal(4000, await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
                Assert.Equal(1, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
            }
            foreach (var connection in connections)
            {
                await connection.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task APageCacheOutsideItsRangeStopsTheStartNamingTheSetting()
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => TestApp.StartAsync(settings: new() { ["Database:SqliteCacheKibibytes"] = "8" }));

        Assert.Contains("Database:SqliteCacheKibibytes must be between 64 and 1048576", error.Message);
    }
}

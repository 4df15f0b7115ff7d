using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Dapper;
using Microsoft.Data.Sqlite;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests.Webhooks;

/// <summary>
/// The crash test for the outbox: the real server process is killed with SIGKILL while pact batches stream in and a
/// slow receiver is still being sent earlier events, so writes are committed but not yet projected or delivered at each
/// kill. After the restarts every committed write's event arrives, none is lost and none is invented.
/// </summary>
public sealed class WebhookCrashTests : IAsyncLifetime
{
    private const int Kills = 4;
    private const string Key = "zi_crash_admin_key_0123456789_abcdefghijklmnop";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zi-tests", $"webhook-crash-{Guid.NewGuid():N}");
    private readonly int _port = RealServer.FreePort();
    private Process? _server;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        RealServer.Stop(_server);
        await RealServer.RemoveFolderAsync(_folder);
    }

    [Fact]
    public async Task EventsOfWritesCommittedBeforeASigkillAreDeliveredAfterTheRestart()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.Answer = async (_, _) =>
        {
            await Task.Delay(40);
            return 200;
        };
        var random = new Random(20261202);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", Key);
        _server = await RealServer.StartAsync(_folder, _port, Settings());
        var agency = await http.CreateAgency();
        var unit = await http.CreateUnit(agency, employeeCount: 100_000);
        (await http.PostJson("/api/v1/webhooks", new { url = receiver.Url, events = new[] { "pacts.recorded" }, agencyId = agency })).EnsureStatus(HttpStatusCode.Created);

        var nextNip = 0;
        var acknowledged = 0;
        var undeliveredAtAKill = 0;
        for (var kill = 0; kill < Kills; kill++)
        {
            using var stop = new CancellationTokenSource();
            var writers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    var nips = Enumerable.Range(Interlocked.Add(ref nextNip, 5) - 5, 5).Select(n => Fixtures.Nip(n)).ToArray();
                    try
                    {
                        var response = await http.PostAsJsonAsync($"/api/v1/units/{unit}/integrity-pacts", new { pacts = nips.Select(n => Fixtures.Pact(n)).ToArray() });
                        if (response.IsSuccessStatusCode)
                        {
                            Interlocked.Increment(ref acknowledged);
                        }
                    }
                    catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
                    {
                        await Task.Delay(20);
                    }
                }
            })).ToArray();
            await Task.Delay(400 + random.Next(800));
            _server!.Kill(); // SIGKILL: no shutdown, no flushing
            await _server.WaitForExitAsync();
            stop.Cancel();
            await Task.WhenAll(writers);
            var committed = await CommittedBatches();
            if (committed > receiver.OfType("pacts.recorded").Select(r => r.Id).Distinct().Count())
            {
                undeliveredAtAKill++;
            }
            _server = await RealServer.StartAsync(_folder, _port, Settings());
        }

        var total = await CommittedBatches();
        Assert.True(acknowledged >= Kills && total >= acknowledged, $"{acknowledged} acknowledged, {total} committed batches.");
        Assert.True(undeliveredAtAKill > 0, "No kill came between a commit and its delivery, so the test proved nothing.");
        var received = await receiver.WaitFor(r => r.Where(x => x.Type == "pacts.recorded").Select(x => x.Id).Distinct().Count() >= total, seconds: 90);
        await Task.Delay(500);
        var events = received.Where(r => r.Type == "pacts.recorded").ToList();
        // At least once: a delivery cut off by a kill may be sent again, with the same Webhook-Id; never a new event for it.
        Assert.Equal(total, events.Select(r => r.Id).Distinct().Count());
        Assert.All(events, e => Assert.Equal(5, e.Json.GetProperty("data").GetProperty("recorded").GetInt32()));
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "zi.db")}");
        Assert.Equal(total, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM events WHERE type = 'pacts.recorded'"));
    }

    private async Task<int> CommittedBatches()
    {
        await using var connection = new SqliteConnection($"Data Source={Path.Combine(_folder, "zi.db")};Pooling=False");
        return await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM audit_entries WHERE action = 'integrity_pacts.recorded'");
    }

    private Dictionary<string, string?> Settings()
    {
        var settings = RealServer.Settings(_folder, Key);
        // Testing allows a receiver on loopback; everything else is as in production.
        settings["ASPNETCORE_ENVIRONMENT"] = "Testing";
        settings["RateLimits:RequestsPerKey"] = "1000000";
        settings["Webhooks:PollMilliseconds"] = "50";
        // A delivery claimed by a killed instance waits out its lease (2 × timeout + 10 s) and the projection lease (30 s)
        // of the killed projector before anything moves again; a short timeout keeps the claims short.
        settings["Webhooks:TimeoutSeconds"] = "2";
        return settings;
    }
}

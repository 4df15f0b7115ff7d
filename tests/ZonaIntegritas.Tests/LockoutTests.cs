using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>
/// The failed-authentication limit against the real server process on loopback, where every client shares 127.0.0.1 the way
/// an office behind one NAT (or every client behind a proxy without forwarded headers) does.
/// </summary>
public sealed class LockoutTests : IAsyncLifetime
{
    private const string Key = "zi_lockout_admin_key_0123456789_abcdefghijklmn";

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "zi-tests", $"lockout-{Guid.NewGuid():N}");
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
    public async Task AProvenKeyKeepsWorkingFromAnAddressOverTheFailureLimitAlsoAfterAKeyIsCreated()
    {
        using var admin = Client(Key);
        var settings = RealServer.Settings(_folder, Key);
        settings["RateLimits:FailedAuthenticationsPerIp"] = "30";
        settings["RateLimits:WindowSeconds"] = "600";
        _server = await RealServer.StartAsync(_folder, _port, settings);
        await (await admin.GetAsync("/api/v1/agencies")).Json(HttpStatusCode.OK);

        using var guesser = Client("zi_wrong_guess_0123456789_abcdefghijklmnopqrstu");
        for (var i = 0; i < 30; i++)
        {
            await (await guesser.GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);
        }
        await (await guesser.GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.TooManyRequests);

        await (await admin.GetAsync("/api/v1/agencies")).Json(HttpStatusCode.OK);
        // Creating a key empties the key cache; the proven admin key must still get through.
        var created = await (await admin.PostJson("/api/v1/api-keys", new { name = "after the burst", role = "reader" })).Json(HttpStatusCode.Created);
        for (var i = 0; i < 5; i++)
        {
            await (await admin.GetAsync("/api/v1/agencies")).Json(HttpStatusCode.OK);
        }
        await (await admin.PostJson("/api/v1/agencies", new { code = Fixtures.UniqueCode("AG"), name = "Badan Uji", kind = "lembaga" })).Json(HttpStatusCode.Created);
        // A key never proven from here is still held back until the window ends, and guesses still are.
        using var fresh = Client(created.GetProperty("key").GetString()!);
        await (await fresh.GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.TooManyRequests);
        await (await guesser.GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.TooManyRequests);
    }

    private HttpClient Client(string key)
    {
        var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_port}"), Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

}

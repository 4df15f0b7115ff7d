using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Data.Sqlite;
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
    private readonly int _port = FreePort();
    private Process? _server;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_server is { HasExited: false })
        {
            _server.Kill();
            _server.WaitForExit();
        }
        SqliteConnection.ClearAllPools();
        await Task.Delay(100);
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans the temp folder; a file still held open must not fail the test.
        }
    }

    [Fact]
    public async Task AProvenKeyKeepsWorkingFromAnAddressOverTheFailureLimitAlsoAfterAKeyIsCreated()
    {
        using var admin = Client(Key);
        await StartAsync(admin);
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

    private async Task StartAsync(HttpClient http)
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ZonaIntegritas.Api.dll"), "--urls", $"http://127.0.0.1:{_port}"])
        {
            WorkingDirectory = _folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            Environment =
            {
                ["ASPNETCORE_ENVIRONMENT"] = "Production",
                ["ASPNETCORE_CONTENTROOT"] = _folder,
                ["ConnectionStrings__ZonaIntegritas"] = $"Data Source={Path.Combine(_folder, "zi.db")}",
                ["Auth__BootstrapAdminKey"] = Key,
                ["Evidence__StoragePath"] = Path.Combine(_folder, "evidence"),
                ["RateLimits__FailedAuthenticationsPerIp"] = "30",
                ["RateLimits__WindowSeconds"] = "600",
                ["Logging__LogLevel__Default"] = "Warning",
                ["PortalRb__LinkSecret"] = TestApp.LinkSecret,
            },
        };
        _server = Process.Start(start)!;
        _server.OutputDataReceived += (_, _) => { };
        _server.ErrorDataReceived += (_, _) => { };
        _server.BeginOutputReadLine();
        _server.BeginErrorReadLine();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await http.GetAsync("/health/ready")).IsSuccessStatusCode) return;
            }
            catch (HttpRequestException)
            {
            }
            Assert.False(_server.HasExited, $"The server exited with code {(_server.HasExited ? _server.ExitCode : 0)} while starting.");
            await Task.Delay(100);
        }
        Assert.Fail("The server did not become ready within 60 s.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

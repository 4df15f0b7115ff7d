using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ZonaIntegritas.Tests.Infrastructure;

/// <summary>
/// The API as a real process on loopback (built next to the tests), for what the in-process test server cannot show:
/// SIGKILL, client addresses, several instances on one database.
/// </summary>
internal static class RealServer
{
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Production settings over <paramref name="folder"/>: its own database file and evidence, the bootstrap admin key, quiet logs.</summary>
    public static Dictionary<string, string?> Settings(string folder, string adminKey) => new()
    {
        ["ASPNETCORE_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_CONTENTROOT"] = folder,
        ["ConnectionStrings:ZonaIntegritas"] = $"Data Source={Path.Combine(folder, "zi.db")}",
        ["Auth:BootstrapAdminKey"] = adminKey,
        ["Evidence:StoragePath"] = Path.Combine(folder, "evidence"),
        ["PortalRb:LinkSecret"] = TestApp.LinkSecret,
        ["Logging:LogLevel:Default"] = "Warning",
    };

    /// <summary>Starts the server on <paramref name="port"/> and returns once /health/ready answers (60 s at most).</summary>
    public static async Task<Process> StartAsync(string folder, int port, IReadOnlyDictionary<string, string?> settings, string name = "The server")
    {
        var start = new ProcessStartInfo("dotnet", [Path.Combine(AppContext.BaseDirectory, "ZonaIntegritas.Api.dll"), "--urls", $"http://127.0.0.1:{port}"])
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (setting, value) in settings)
        {
            start.Environment[setting.Replace(":", "__", StringComparison.Ordinal)] = value;
        }
        var server = Process.Start(start)!;
        var errors = new StringBuilder();
        server.OutputDataReceived += (_, _) => { };
        server.ErrorDataReceived += (_, e) => { lock (errors) errors.AppendLine(e.Data); };
        server.BeginOutputReadLine();
        server.BeginErrorReadLine();
        using var probe = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                if ((await probe.GetAsync("/health/ready")).IsSuccessStatusCode) return server;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }
            if (server.HasExited)
            {
                lock (errors) Assert.Fail($"{name} exited with code {server.ExitCode} while starting: {errors}");
            }
            await Task.Delay(100);
        }
        Stop(server);
        Assert.Fail($"{name} did not become ready within 60 s.");
        return server;
    }

    /// <summary>Deletes a test's server folder once its processes are gone (pooled SQLite handles released first).</summary>
    public static async Task RemoveFolderAsync(string folder)
    {
        SqliteConnection.ClearAllPools();
        await Task.Delay(100);
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans the temp folder; a file still held open must not fail the test.
        }
    }

    public static void Stop(Process? server)
    {
        if (server is { HasExited: false })
        {
            server.Kill();
            server.WaitForExit();
        }
    }
}

using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ZonaIntegritas.Tests.Infrastructure;

/// <summary>The real application over a fresh database of the given provider, with a test clock.</summary>
public sealed class TestApp : WebApplicationFactory<Program>
{
    public const string AdminKey = "zi_test_admin_key_0123456789_abcdefghijklmnop";
    public const string LinkSecret = "zi_test_portalrb_link_secret_0123456789_abcdef";

    private readonly TestDatabase _database;
    private readonly Dictionary<string, string?> _settings;

    private TestApp(TestDatabase database, Dictionary<string, string?> settings, TestClock? clock = null)
    {
        _database = database;
        _settings = settings;
        Clock = clock ?? new(new DateTimeOffset(2026, 11, 22, 3, 0, 0, TimeSpan.Zero));
    }

    public TestClock Clock { get; }

    public TestDatabase Database => _database;

    /// <summary>The settings this app was started with, beyond the defaults every test app gets.</summary>
    public IReadOnlyDictionary<string, string?> Settings => _settings;

    /// <summary>Every log line the app wrote, at every level (Trace up).</summary>
    public CapturedLogs Logs { get; } = new();

    /// <summary>This app's own evidence folder, removed on dispose.</summary>
    public string EvidencePath { get; } = Path.Combine(Path.GetTempPath(), "zi-tests", $"evidence-{Guid.NewGuid():N}");

    public static async Task<TestApp> StartAsync(string provider = Providers.Sqlite, Dictionary<string, string?>? settings = null)
    {
        var app = new TestApp(await TestDatabase.CreateAsync(provider), settings ?? []);
        _ = app.Server; // start now, so migrations run before the first request
        return app;
    }

    /// <summary>
    /// A second instance on <paramref name="first"/>'s database, as another process of a deployment would be (its own
    /// caches and background services; the same clock, as synchronised servers have); the database stays
    /// <paramref name="first"/>'s to remove.
    /// </summary>
    public static Task<TestApp> StartSharingAsync(TestApp first, Dictionary<string, string?>? settings = null)
    {
        var app = new TestApp(new SharedDatabase(first.Database), settings ?? [], first.Clock);
        _ = app.Server;
        return Task.FromResult(app);
    }

    private sealed class SharedDatabase(TestDatabase owner) : TestDatabase
    {
        public override string Provider => owner.Provider;

        public override string ConnectionString => owner.ConnectionString;

        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    /// <summary>The same app on a real socket (127.0.0.1, a free port), for clients outside the process such as a browser.</summary>
    public static async Task<(TestApp App, Uri Address)> StartOnLoopbackAsync(Dictionary<string, string?>? settings = null)
    {
        var app = new TestApp(await TestDatabase.CreateAsync(Providers.Sqlite), settings ?? []);
        app.UseKestrel(kestrel => kestrel.Listen(System.Net.IPAddress.Loopback, 0));
        app.StartServer();
        var addresses = app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>().Features
            .Get<Microsoft.AspNetCore.Hosting.Server.Features.IServerAddressesFeature>()!;
        return (app, new Uri(addresses.Addresses.First()));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("Database:Provider", _database.Provider);
        builder.UseSetting("ConnectionStrings:ZonaIntegritas", _database.ConnectionString);
        builder.UseSetting("Auth:BootstrapAdminKey", AdminKey);
        builder.UseSetting("Evidence:StoragePath", EvidencePath);
        builder.UseSetting("PortalRb:LinkSecret", LinkSecret);
        // Many apps share one test process, whose resident set is far above any one instance's bound: a trim in each
        // would be a full collection of all of them. MemoryTrimmerTests switch it on.
        builder.UseSetting("Memory:TrimEnabled", "false");
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureLogging(logging =>
        {
            logging.SetMinimumLevel(LogLevel.Warning);
            // The capture sees everything, so that a test can prove what is never logged at any level.
            logging.AddProvider(Logs);
            logging.AddFilter<CapturedLogs>(null, LogLevel.Trace);
        });
        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>An HTTP client that sends the given API key (none when null).</summary>
    public HttpClient ClientWithKey(string? key)
    {
        var client = CreateClient();
        if (key is not null)
        {
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
        }
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return client;
    }

    public HttpClient Admin() => ClientWithKey(AdminKey);

    /// <summary>Reads the audit trail's new entries into this instance's change stamps now, as its change feed does every few seconds.</summary>
    public Task ReadChangeFeedAsync() =>
        Services.GetServices<Microsoft.Extensions.Hosting.IHostedService>().OfType<ZonaIntegritas.Api.Data.ChangeFeed>().Single().PollAsync(CancellationToken.None);

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _database.DisposeAsync();
        if (Directory.Exists(EvidencePath))
        {
            Directory.Delete(EvidencePath, recursive: true);
        }
    }
}

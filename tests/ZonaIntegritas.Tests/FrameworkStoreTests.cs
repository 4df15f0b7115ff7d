using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class FrameworkStoreTests
{
    private static readonly byte[] Lke = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "permenpanrb-90-2021.json"));

    private static async Task<long> Count(TestApp app, string sql)
    {
        await using var connection = new SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task LoadingTheCatalogueAgainChangesNothing()
    {
        await using var app = await TestApp.StartAsync();

        await app.Services.GetRequiredService<FrameworkStore>().SynchronizeAsync();

        Assert.Equal(1, await Count(app, "SELECT COUNT(*) FROM frameworks"));
        Assert.Equal(137, await Count(app, "SELECT COUNT(*) FROM framework_items"));
        Assert.Equal(113, await Count(app, "SELECT COUNT(*) FROM framework_items WHERE scored = 1"));
    }

    [Fact]
    public async Task ACatalogueWhoseItemsChangedUnderTheSameCodeIsRefusedAtStart()
    {
        await using var app = await TestApp.StartAsync();
        // PT.P.1.a becomes a Ya/Tidak item: answers given as A/B/C would no longer mean anything.
        var text = Encoding.UTF8.GetString(Lke);
        var at = text.IndexOf("\"code\": \"PT.P.1.a\"", StringComparison.Ordinal);
        var type = text.IndexOf("\"answerType\": \"", at, StringComparison.Ordinal);
        var end = text.IndexOf('"', type + 15);
        var changed = Encoding.UTF8.GetBytes(text[..(type + 15)] + "YA_TIDAK" + text[end..]);
        var store = new FrameworkStore(app.Services.GetRequiredService<DbConnectionFactory>(), new FrameworkCatalogue([("frameworks.changed.json", changed)]), TimeProvider.System);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => store.SynchronizeAsync());

        Assert.Contains("new framework code", error.Message);
        Assert.Contains("PT.P.1.a", error.Message);
    }

    [Fact]
    public async Task ACatalogueRevisedOnlyInTextsAndScoringDataIsAcceptedAndTheRevisionAudited()
    {
        await using var app = await TestApp.StartAsync();
        var revised = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Lke)
            .Replace("Penyusunan Tim Kerja", "Penyusunan Tim")
            .Replace("\"requiredInputs\": [\n        \"SDM.R.3.a.1\",\n        \"SDM.R.3.a.2\",\n        \"SDM.R.3.a.3\"\n      ]",
                "\"requiredInputs\": [\n        \"SDM.R.3.a.1\",\n        \"SDM.R.3.a.2\"\n      ]"));
        Assert.NotEqual(Lke, revised);
        var catalogue = new FrameworkCatalogue([("frameworks.revised.json", revised)]);
        Assert.True(catalogue.TryGet("PERMENPANRB-90-2021", out var framework));
        Assert.True(framework.TryGetItem("SDM.R.3.a", out var item));
        Assert.Equal(["SDM.R.3.a.1", "SDM.R.3.a.2"], item.Formula!.RequiredInputs);
        var store = new FrameworkStore(app.Services.GetRequiredService<DbConnectionFactory>(), catalogue, TimeProvider.System);

        await store.SynchronizeAsync();
        await store.SynchronizeAsync();

        Assert.Equal(1, await Count(app, $"SELECT COUNT(*) FROM frameworks WHERE source_sha256 = '{catalogue.Sha256Of("PERMENPANRB-90-2021")}'"));
        Assert.Equal(137, await Count(app, "SELECT COUNT(*) FROM framework_items"));
        Assert.Equal(1, await Count(app, "SELECT COUNT(*) FROM audit_entries WHERE action = 'framework.revised'"));
    }

    [Fact]
    public async Task ANewFrameworkFileIsLoadedBesideTheFirst()
    {
        await using var app = await TestApp.StartAsync();
        var next = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Lke).Replace("\"PERMENPANRB-90-2021\"", "\"PERMENPANRB-5-2024\""));
        var catalogue = new FrameworkCatalogue([("frameworks.a.json", Lke), ("frameworks.b.json", next)]);
        var store = new FrameworkStore(app.Services.GetRequiredService<DbConnectionFactory>(), catalogue, TimeProvider.System);

        await store.SynchronizeAsync();

        Assert.Equal(2, catalogue.All.Count);
        Assert.Equal(2, await Count(app, "SELECT COUNT(*) FROM frameworks"));
        Assert.Equal(137, await Count(app, "SELECT COUNT(*) FROM framework_items WHERE framework_code = 'PERMENPANRB-5-2024'"));
    }

    [Fact]
    public void AFormulaThatReadsAnUnknownInputIsRejectedWhenLoading()
    {
        var broken = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Lke).Replace("\"expression\": \"MP.R.1.a.2 / MP.R.1.a.1\"", "\"expression\": \"MP.R.1.a.9 / MP.R.1.a.1\""));

        var error = Assert.Throws<InvalidOperationException>(() => new FrameworkCatalogue([("frameworks.broken.json", broken)]));

        Assert.Contains("MP.R.1.a.9", error.Message);
    }
}

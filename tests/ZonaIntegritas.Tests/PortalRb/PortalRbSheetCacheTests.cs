using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Tests.Infrastructure;
using static ZonaIntegritas.Tests.PortalRb.PortalRbWorld;

namespace ZonaIntegritas.Tests.PortalRb;

/// <summary>
/// jawaban-unit serves each unit's answer sheet from memory: PortalRB's own fetches (on the fetch log, against the unit)
/// leave it cached, every write to the unit's answers, notes, evidence or status replaces it, here at once and on
/// another instance once its change feed is read.
/// </summary>
/// <remarks>
/// A test sees whether a sheet is cached by changing a self answer straight in the database, with no audit entry, as no
/// request of this API does: a cached sheet still shows the old value, a sheet read again shows the new one.
/// </remarks>
public sealed class PortalRbSheetCacheTests
{
    private const string Sneaked = "MP.P.2.a";

    private static readonly List<string> Items = SoalMap.GetProperty("soal").EnumerateArray().Select(s => s.GetProperty("itemCode").GetString()!).ToList();

    /// <summary>The answers jawaban-unit sends, by item code.</summary>
    private static async Task<Dictionary<string, JsonElement>> Fetch(HttpClient portalRb, Guid unit)
    {
        var body = await (await portalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{unit}")).Json(HttpStatusCode.OK);
        return body.GetProperty("answers").EnumerateArray().Select((a, i) => (Items[i], a)).ToDictionary(p => p.Item1, p => p.a);
    }

    private static string? SelfAnswer(Dictionary<string, JsonElement> answers, string item) => answers[item].GetProperty("jawaban_unit").GetString();

    /// <summary>A self answer changed in the database behind the API's back: no audit entry, so no stamp moves.</summary>
    private static async Task SneakSelfAnswer(string connectionString, Guid assessment, string value)
    {
        await using var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "UPDATE answers SET value = $value WHERE assessment_id = $assessment AND layer = 'self' AND item_code = $item";
        command.Parameters.AddWithValue("$value", value);
        command.Parameters.AddWithValue("$assessment", assessment.ToString());
        command.Parameters.AddWithValue("$item", Sneaked);
        Assert.Equal(1, await command.ExecuteNonQueryAsync());
    }

    [Fact]
    public async Task FetchesLeaveTheSheetCachedWhileTheComplianceDocumentStillSeesThem()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var before = await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance?year=2026")).Json(HttpStatusCode.OK);
        // The change feed also reads this instance's own entries (invalidating twice, harmlessly). Had it not yet read
        // the setup's, it would do so after the first fetch and drop the sheet for a reason other than a fetch.
        await app.ReadChangeFeedAsync();
        var first = await Fetch(w.PortalRb, w.Unit);
        await w.FetchesLogged();
        await SneakSelfAnswer(app.Database.ConnectionString, w.Assessment, "Tidak");
        app.Clock.Advance(TimeSpan.FromMinutes(1));

        var again = await Fetch(w.PortalRb, w.Unit);
        await Fetch(w.PortalRb, w.Unit);
        await w.FetchesLogged();
        var afterFetches = await Fetch(w.PortalRb, w.Unit);
        var document = await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance?year=2026")).Json(HttpStatusCode.OK);

        Assert.NotEqual("Tidak", SelfAnswer(first, Sneaked));
        Assert.Equal(SelfAnswer(first, Sneaked), SelfAnswer(again, Sneaked));
        Assert.Equal(SelfAnswer(first, Sneaked), SelfAnswer(afterFetches, Sneaked));
        Assert.Equal(JsonValueKind.Null, before.GetProperty("portalRb").GetProperty("lastFetchedAt").ValueKind);
        Assert.Equal(April2026.AddMinutes(1), document.GetProperty("portalRb").GetProperty("lastFetchedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task AnAnswerOrNoteWrittenAfterAFetchIsInTheNextFetch()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        await Fetch(w.PortalRb, w.Unit);
        await w.FetchesLogged();

        await Answer(w.Admin, w.Assessment, "tpi", new Dictionary<string, string> { ["MP.P.1.b"] = "B" }, new Dictionary<string, string> { ["MP.P.1.b"] = "turun" });
        var afterTpi = await Fetch(w.PortalRb, w.Unit);
        await w.FetchesLogged();
        (await w.Admin.DeleteAsync($"/api/v1/assessments/{w.Assessment}/answers/self/MP.P.1.a")).EnsureSuccessStatusCode();
        var afterClear = await Fetch(w.PortalRb, w.Unit);

        Assert.Equal("B", afterTpi["MP.P.1.b"].GetProperty("jawaban_tpi").GetString());
        Assert.Equal("turun", afterTpi["MP.P.1.b"].GetProperty("catatan_tpi").GetString());
        Assert.Equal("Ya", SelfAnswer(afterTpi, "MP.P.1.a"));
        Assert.Equal(JsonValueKind.Null, afterClear["MP.P.1.a"].GetProperty("jawaban_unit").ValueKind);
        Assert.Equal("B", afterClear["MP.P.1.b"].GetProperty("jawaban_tpi").GetString());
    }

    [Fact]
    public async Task EvidenceUploadedReviewedOrWithdrawnAfterAFetchIsInTheNextFetch()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var none = await Fetch(w.PortalRb, w.Unit);
        await w.FetchesLogged();

        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", "sk-tim-zi.pdf");
        var evidence = (await (await w.Admin.PostAsync($"/api/v1/assessments/{w.Assessment}/items/MP.P.1.a/evidence", form)).Json(HttpStatusCode.Created)).Id();
        var uploaded = await Fetch(w.PortalRb, w.Unit);
        await w.FetchesLogged();
        var link = (await (await w.Admin.PostJson($"/api/v1/assessments/{w.Assessment}/items/MP.P.1.b/evidence",
            new { url = "https://drive.example.go.id/sk.pdf", title = "SK" })).Json(HttpStatusCode.Created)).Id();
        var linked = await Fetch(w.PortalRb, w.Unit);
        await w.FetchesLogged();
        (await w.Admin.DeleteAsync($"/api/v1/evidence/{link}")).EnsureSuccessStatusCode();
        var withdrawn = await Fetch(w.PortalRb, w.Unit);
        await w.FetchesLogged();
        // A review changes nothing jawaban-unit shows but the evidence page, so the sneaked answer is what proves the sheet was read again.
        await SneakSelfAnswer(app.Database.ConnectionString, w.Assessment, "Tidak");
        await (await w.Admin.PostJson($"/api/v1/evidence/{evidence}/review", new { decision = "accepted" })).Json(HttpStatusCode.OK);
        var reviewed = await Fetch(w.PortalRb, w.Unit);

        Assert.Equal(JsonValueKind.Null, none["MP.P.1.a"].GetProperty("bukti_dukung_unit").ValueKind);
        Assert.StartsWith("http://localhost/portalrb/v1/bukti/", uploaded["MP.P.1.a"].GetProperty("bukti_dukung_unit").GetString());
        Assert.StartsWith("http://localhost/portalrb/v1/bukti/", linked["MP.P.1.b"].GetProperty("bukti_dukung_unit").GetString());
        Assert.Equal(JsonValueKind.Null, withdrawn["MP.P.1.b"].GetProperty("bukti_dukung_unit").ValueKind);
        Assert.NotEqual("Tidak", SelfAnswer(withdrawn, Sneaked));
        Assert.Equal("Tidak", SelfAnswer(reviewed, Sneaked));
        Assert.Equal(uploaded["MP.P.1.a"].GetProperty("bukti_dukung_unit").GetString(), reviewed["MP.P.1.a"].GetProperty("bukti_dukung_unit").GetString());
    }

    [Fact]
    public async Task AnotherInstancesWriteIsSeenOnceTheChangeFeedIsReadButItsFetchesAreNotAWrite()
    {
        // Feeds read only when the test says so (the first read of each happens at start and only sets its cursor).
        var quiet = new Dictionary<string, string?> { ["Cache:ChangeFeedSeconds"] = "60" };
        await using var a = await TestApp.StartAsync(settings: quiet);
        var w = await BuildAsync(a);
        await using var b = await TestApp.StartAsync(settings: new(quiet) { ["ConnectionStrings:ZonaIntegritas"] = a.Database.ConnectionString });
        b.Clock.Set(April2026);
        var portalRbOnB = Bearer(b, w.PortalRbKey);
        await b.ReadChangeFeedAsync();

        var first = await Fetch(portalRbOnB, w.Unit);
        await SneakSelfAnswer(a.Database.ConnectionString, w.Assessment, "Tidak");
        await Fetch(w.PortalRb, w.Unit);
        await w.FetchesLogged();
        await b.ReadChangeFeedAsync();
        var afterFetchOnA = await Fetch(portalRbOnB, w.Unit);
        await Answer(w.Admin, w.Assessment, "tpi", new Dictionary<string, string> { ["MP.P.1.b"] = "B" });
        var beforeFeed = await Fetch(portalRbOnB, w.Unit);
        await b.ReadChangeFeedAsync();
        var afterFeed = await Fetch(portalRbOnB, w.Unit);

        Assert.Equal(SelfAnswer(first, Sneaked), SelfAnswer(afterFetchOnA, Sneaked));
        Assert.NotEqual("Tidak", SelfAnswer(first, Sneaked));
        Assert.NotEqual("B", first["MP.P.1.b"].GetProperty("jawaban_tpi").GetString());
        Assert.Equal(first["MP.P.1.b"].GetProperty("jawaban_tpi").GetString(), beforeFeed["MP.P.1.b"].GetProperty("jawaban_tpi").GetString()); // served from memory until the feed is read
        Assert.Equal("B", afterFeed["MP.P.1.b"].GetProperty("jawaban_tpi").GetString());
        Assert.Equal("Tidak", SelfAnswer(afterFeed, Sneaked));
    }
}

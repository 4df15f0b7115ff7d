using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.Scoring;

namespace ZonaIntegritas.Tests.PortalRb;

/// <summary>An agency with a proposed unit, the way PortalRB finds it in April 2026, and a portalrb key for it.</summary>
public sealed record PortalRbWorld(TestApp App, HttpClient Admin, HttpClient Inspectorate, HttpClient PortalRb, string PortalRbKey, Guid Agency, Guid Unit, Guid Assessment)
{
    public static readonly DateTimeOffset April2026 = new(2026, 4, 1, 3, 0, 0, TimeSpan.Zero);

    public static readonly JsonElement SoalMap = JsonDocument.Parse(File.ReadAllText(Path.Combine(Root(), "db", "frameworks", "portalrb", "portalrb-2026-soal-map.json"))).RootElement.Clone();

    public static async Task<PortalRbWorld> BuildAsync(TestApp app, bool afirmasi = false)
    {
        app.Clock.Set(April2026);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var inspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: agency));
        var key = await admin.CreateKey("portalrb", agencyId: agency);
        var unit = await admin.CreateUnit(agency);
        var assessment = await Propose(app, admin, inspectorate, agency, unit, afirmasi: afirmasi);
        return new PortalRbWorld(app, admin, inspectorate, Bearer(app, key), key, agency, unit, assessment);
    }

    /// <summary>
    /// The fetch log is written in batches off the request; its own list waits for what this instance has queued, so
    /// reading it is how a test knows the calls so far are on record (and their change stamps taken).
    /// </summary>
    public async Task FetchesLogged() => await (await Admin.GetAsync("/api/v1/portalrb/fetches?pageSize=1")).Json(HttpStatusCode.OK);

    public static HttpClient Bearer(TestApp app, string? key)
    {
        var client = app.ClientWithKey(null);
        if (key is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }
        return client;
    }

    /// <summary>Declares the unit, answers both layers at the top, submits, reviews and proposes its 2026 assessment.</summary>
    public static async Task<Guid> Propose(TestApp app, HttpClient admin, HttpClient inspectorate, Guid agency, Guid unit, string target = "WBK", bool afirmasi = false,
        int nipSeed = 1)
    {
        if (target == "WBK")
        {
            await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit], nipSeed: nipSeed))).Json(HttpStatusCode.Created);
        }
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target })).Json(HttpStatusCode.Created)).Id();
        var top = Worksheets.Top(Worksheets.Lke);
        await Answer(admin, assessment, "self", top);
        await (await admin.PostJson($"/api/v1/assessments/{assessment}/submit", new { })).Json(HttpStatusCode.OK);
        await Answer(inspectorate, assessment, "tpi", top);
        await (await inspectorate.PostJson($"/api/v1/assessments/{assessment}/review", new { })).Json(HttpStatusCode.OK);
        await admin.RecordWtp(agency, 2025);
        await (await inspectorate.PostJson($"/api/v1/assessments/{assessment}/propose", new { note = "usul", afirmasi })).Json(HttpStatusCode.OK);
        return assessment;
    }

    public static async Task Answer(HttpClient client, Guid assessment, string layer, IReadOnlyDictionary<string, string> answers, IReadOnlyDictionary<string, string>? notes = null) =>
        await (await client.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/{layer}",
            new { answers = answers.Select(a => new { itemCode = a.Key, value = a.Value, note = notes?.GetValueOrDefault(a.Key) }).ToArray() })).Json(HttpStatusCode.OK);

    /// <summary>A unit's active WBK, written directly: the full national workflow is not what these tests are about.</summary>
    public static async Task GrantWbk(TestApp app, Guid agency, Guid unit, Guid assessment)
    {
        await using var connection = new SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO designations (id, unit_id, agency_id, predikat, decree_number, decree_date, assessment_id, created_at, created_by)
            VALUES ($id, $unit, $agency, 'WBK', 'SK 1/2025', '2025-12-01', $assessment, '2025-12-01T00:00:00.0000000Z', $id);
            UPDATE compliance_documents SET version = version + 1, valid_until = NULL WHERE unit_id = $unit; -- as a write through the API would
            """;
        command.Parameters.AddWithValue("$id", Guid.NewGuid().ToString());
        command.Parameters.AddWithValue("$unit", unit.ToString());
        command.Parameters.AddWithValue("$agency", agency.ToString());
        command.Parameters.AddWithValue("$assessment", assessment.ToString());
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Asserts the contract's error body and status, and returns the code.</summary>
    public static async Task<string> ContractError(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Json(expected);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["code", "error", "message"], body.EnumerateObject().Select(p => p.Name).Order());
        Assert.True(body.GetProperty("error").GetBoolean());
        Assert.False(string.IsNullOrWhiteSpace(body.GetProperty("message").GetString()));
        return body.GetProperty("code").GetString()!;
    }

    private static string Root()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ZonaIntegritas.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException("Repository root not found.");
    }
}

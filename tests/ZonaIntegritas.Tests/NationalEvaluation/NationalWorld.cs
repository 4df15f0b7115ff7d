using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.PortalRb;
using ZonaIntegritas.Tests.Scoring;

namespace ZonaIntegritas.Tests.NationalEvaluation;

/// <summary>An agency with a WTP opinion for 2025 (unless told otherwise), its inspectorate, an evaluator, and units brought up to the proposal.</summary>
public static class NationalWorld
{
    public static readonly DateTimeOffset April2026 = new(2026, 4, 1, 3, 0, 0, TimeSpan.Zero);

    public sealed record Setup(TestApp App, HttpClient Admin, HttpClient Inspectorate, HttpClient Evaluator, Guid Agency);

    public static async Task<Setup> Prepare(TestApp app, bool wtp = true)
    {
        app.Clock.Set(April2026);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        if (wtp)
        {
            await admin.RecordWtp(agency, 2025);
        }
        return new Setup(app, admin, app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: agency)), app.ClientWithKey(await admin.CreateKey("evaluator")), agency);
    }

    /// <summary>A declared unit whose 2026 WBK assessment is tpi_reviewed with top answers in every layer.</summary>
    public static async Task<(Guid Unit, Guid Assessment)> Reviewed(Setup s, string code, int nipSeed)
    {
        var unit = await s.Admin.CreateUnit(s.Agency, code: code);
        await (await s.Admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(s.Agency, [unit], nipSeed: nipSeed))).Json(HttpStatusCode.Created);
        var assessment = (await (await s.Admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        var top = Worksheets.Top(Worksheets.Lke);
        await PortalRbWorld.Answer(s.Admin, assessment, "self", top);
        await (await Step(s.Admin, assessment, "submit")).Json(HttpStatusCode.OK);
        await PortalRbWorld.Answer(s.Inspectorate, assessment, "tpi", top);
        await (await Step(s.Inspectorate, assessment, "review")).Json(HttpStatusCode.OK);
        await PortalRbWorld.Answer(s.Evaluator, assessment, "tpn", top);
        return (unit, assessment);
    }

    public static async Task<(Guid Unit, Guid Assessment)> Proposed(Setup s, string code, int nipSeed)
    {
        var (unit, assessment) = await Reviewed(s, code, nipSeed);
        await (await Step(s.Inspectorate, assessment, "propose")).Json(HttpStatusCode.OK);
        return (unit, assessment);
    }

    public static Task<HttpResponseMessage> Step(HttpClient client, Guid assessment, string path, object? body = null) =>
        client.PostAsJsonAsync($"/api/v1/assessments/{assessment}/{path}", body ?? new { });

    public static void At(Setup s, int month, int day) => s.App.Clock.Set(new DateTimeOffset(2026, month, day, 3, 0, 0, TimeSpan.Zero));

    public static object Failed(string heldOn, string closesOn, string? opensOn = null) =>
        new { outcome = "tidak_lulus", heldOn, notes = "SK Tim ZI tidak ada", appealOpensOn = opensOn, appealClosesOn = closesOn };

    public static async Task<JsonElement> FollowUps(Setup s, Guid assessment) =>
        await (await s.Admin.GetAsync($"/api/v1/assessments/{assessment}/follow-ups")).Json(HttpStatusCode.OK);

    public static string[] Actions(JsonElement history) => history.EnumerateArray().Select(t => t.GetProperty("action").GetString()!).ToArray();
}

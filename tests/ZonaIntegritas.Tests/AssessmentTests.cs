using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.Scoring;

namespace ZonaIntegritas.Tests;

public sealed class AssessmentTests
{
    private static async Task<(Guid Agency, Guid Unit, Guid Assessment)> Start(HttpClient admin, string target = "WBK")
    {
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var assessment = await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target })).Json(HttpStatusCode.Created);
        return (agency, unit, assessment.Id());
    }

    private static object[] AllAnswers(Dictionary<string, string> answers) =>
        answers.Select(a => (object)new { itemCode = a.Key, value = a.Value }).ToArray();

    [Fact]
    public async Task TheFrameworkTreeIsServedWithWeightsOptionsAndFormulas()
    {
        await using var app = await TestApp.StartAsync();
        var reader = app.ClientWithKey(await app.Admin().CreateKey("reader"));

        var list = await (await reader.GetAsync("/api/v1/frameworks")).Json(HttpStatusCode.OK);
        var framework = await (await reader.GetAsync("/api/v1/frameworks/PERMENPANRB-90-2021")).Json(HttpStatusCode.OK);
        var missing = await (await reader.GetAsync("/api/v1/frameworks/PERMENPANRB-1-2030")).Problem(HttpStatusCode.NotFound);

        Assert.Equal(113, list[0].GetProperty("scoredItems").GetInt32());
        var mp = framework.GetProperty("components")[0].GetProperty("areas")[0];
        Assert.Equal("MP", mp.GetProperty("code").GetString());
        Assert.Equal(8m, mp.GetProperty("weight").GetDecimal());
        var reform = mp.GetProperty("parts")[1];
        Assert.Equal("reform", reform.GetProperty("kind").GetString());
        var persen = reform.GetProperty("subIndicators")[0].GetProperty("items")[0];
        Assert.Equal("MP.R.1.a", persen.GetProperty("code").GetString());
        Assert.Equal("MP.R.1.a.2 / MP.R.1.a.1", persen.GetProperty("formula").GetProperty("expression").GetString());
        var firstItem = mp.GetProperty("parts")[0].GetProperty("subIndicators")[0].GetProperty("items")[1];
        Assert.Equal(0.5m, firstItem.GetProperty("options")[1].GetProperty("score").GetDecimal());
        Assert.False(string.IsNullOrEmpty(firstItem.GetProperty("evidenceHint").GetString()));
        Assert.Equal(75m, framework.GetProperty("thresholds").GetProperty("WBK").GetProperty("total").GetDecimal());
        Assert.Contains("PERMENPANRB-90-2021", missing.GetProperty("detail").GetString());
    }

    [Theory, SqliteData, SqlServerData]
    public async Task OneAssessmentPerUnitAndYear(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var (_, unit, assessment) = await Start(admin);

        var again = await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBBM" })).Problem(HttpStatusCode.Conflict);
        var nextYear = await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2027, target = "WBK" })).As<AssessmentResource>(HttpStatusCode.Created);
        var list = await (await admin.GetAsync($"/api/v1/assessments?unitId={unit}")).As<PageOf<AssessmentResource>>(HttpStatusCode.OK);
        var read = await (await admin.GetAsync($"/api/v1/assessments/{assessment}")).As<AssessmentResource>(HttpStatusCode.OK);

        Assert.Equal(assessment, again.GetProperty("existingAssessmentId").GetGuid());
        Assert.Equal((2027, "WBK", "draft"), (nextYear.Year, nextYear.Target, nextYear.Status));
        Assert.Equal(new HashSet<int> { 2026, 2027 }, list.Items.Select(a => a.Year).ToHashSet());
        Assert.Equal(("draft", "PERMENPANRB-90-2021", unit), (read.Status, read.FrameworkCode, read.UnitId));
    }

    [Fact]
    public async Task AnAssessmentNeedsAKnownTargetAndFramework()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());

        var problem = await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBX", frameworkCode = "LKE-2019" })).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("WBK or WBBM", problem.Errors("target")[0]);
        Assert.Contains("LKE-2019", problem.Errors("frameworkCode")[0]);
    }

    [Theory, SqliteData, SqlServerData]
    public async Task AFullyAnsweredLayerScoresOneHundredAndEachLayerIsScoredOnItsOwn(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);

        var sheet = await (await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/tpi", new { answers = AllAnswers(Worksheets.Top(Worksheets.Lke)) })).Json(HttpStatusCode.OK);
        var tpi = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/score")).Json(HttpStatusCode.OK);
        var self = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/score?layer=self")).Json(HttpStatusCode.OK);

        Assert.Equal(Worksheets.Top(Worksheets.Lke).Count, sheet.GetProperty("answers").GetArrayLength());
        Assert.Equal("tpi", tpi.GetProperty("layer").GetString());
        Assert.Equal(100m, tpi.GetProperty("total").GetDecimal());
        Assert.True(tpi.GetProperty("eligibility").GetProperty("WBK").GetProperty("eligible").GetBoolean());
        // No WBK on record for this unit, so WBBM fails its prior-WBK rule.
        Assert.False(tpi.GetProperty("eligibility").GetProperty("WBBM").GetProperty("eligible").GetBoolean());
        Assert.Equal(6, tpi.GetProperty("areas").GetArrayLength());
        Assert.Equal(17.5m, tpi.GetProperty("hasilItems").GetProperty("ipak").GetDecimal());
        Assert.Equal(0m, self.GetProperty("total").GetDecimal());
        Assert.Equal(113, self.GetProperty("unanswered").GetArrayLength());
    }

    [Fact]
    public async Task ABatchWithAnyInvalidAnswerWritesNothingAndNamesEachBadAnswer()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);

        var problem = await (await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self", new
        {
            answers = new object[]
            {
                new { itemCode = "MP.P.1.a", value = "Ya" },
                new { itemCode = "MP.P.1.b", value = "D" },
                new { itemCode = "XX.9", value = "A" },
                new { itemCode = "MP.R.1.a", value = 80 },
                new { itemCode = "HB.1", value = 4.125 },
                new { itemCode = "MP.R.1.a.1", value = -3 },
                new { itemCode = "MP.P.1.a", value = "Tidak" },
            },
        })).Problem(HttpStatusCode.BadRequest);

        Assert.Equal("MP.P.1.b (ABC) takes \"A\" or \"B\" or \"C\"; got \"D\".", problem.Errors("answers[1].value")[0]);
        Assert.Contains("XX.9", problem.Errors("answers[2].itemCode")[0]);
        Assert.Contains("MP.R.1.a.1, MP.R.1.a.2", problem.Errors("answers[3].value")[0]);
        Assert.Contains("at most 2 decimals", problem.Errors("answers[4].value")[0]);
        Assert.Contains("whole number", problem.Errors("answers[5].value")[0]);
        Assert.Contains("twice", problem.Errors("answers[6].itemCode")[0]);
        var sheet = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/answers/self")).Json(HttpStatusCode.OK);
        Assert.Equal(0, sheet.GetProperty("answers").GetArrayLength());
    }

    public static TheoryData<string, string, bool, string?> AnswerValues() => new()
    {
        { "MP.P.1.a", "\"Ya\"", true, "Ya" },
        { "MP.P.1.a", "\"tidak\"", true, "Tidak" },
        { "MP.P.1.a", "\"yes\"", false, null },
        { "MP.P.1.a", "true", false, null },
        { "MP.P.1.b", "\"C\"", true, "C" },
        { "MP.P.1.b", "\"b\"", false, null },
        { "MP.P.3.a", "\"D\"", true, "D" },
        { "MP.P.3.a", "\"E\"", false, null },
        { "HB.2", "\"E\"", true, "E" },
        { "HB.2", "\"F\"", false, null },
        { "HB.1", "3.75", true, "3.75" },
        { "HB.1", "\"3.5\"", true, "3.5" },
        { "HB.1", "4.01", false, null },
        { "HB.1", "-0.5", false, null },
        { "MP.R.1.a.1", "12", true, "12" },
        { "MP.R.1.a.1", "1.5", false, null },
        { "MP.R.1.a.1", "\"abc\"", false, null },
        { "MP.R.1.a", "\"100%\"", false, null },
        { "MP.P.1.a", "null", false, null },
    };

    [Theory, MemberData(nameof(AnswerValues))]
    public async Task EachAnswerTypeAcceptsOnlyItsValues(string itemCode, string valueJson, bool valid, string? stored)
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);

        var response = await admin.PutAsync($"/api/v1/assessments/{assessment}/answers/self/{itemCode}",
            new StringContent($"{{\"value\": {valueJson}}}", System.Text.Encoding.UTF8, "application/json"));

        if (valid)
        {
            var sheet = await response.Json(HttpStatusCode.OK);
            Assert.Equal(stored, sheet.GetProperty("answers")[0].GetProperty("value").GetString());
        }
        else
        {
            var problem = await response.Problem(HttpStatusCode.BadRequest);
            Assert.Contains(itemCode, problem.Errors("value")[0]);
        }
    }

    [Theory, SqliteData, SqlServerData]
    public async Task EveryChangeIsKeptInTheItemsHistoryAndClearingMakesItUnanswered(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);
        var url = $"/api/v1/assessments/{assessment}/answers/self/PT.P.1.a";

        await (await admin.PutAsJsonAsync(url, new { value = "C" })).Json(HttpStatusCode.OK);
        await (await admin.PutAsJsonAsync(url, new { value = "A", note = "SOP sudah disahkan" })).Json(HttpStatusCode.OK);
        await (await admin.PutAsJsonAsync(url, new { value = "A", note = "SOP sudah disahkan" })).Json(HttpStatusCode.OK);
        await (await admin.DeleteAsync(url)).Json(HttpStatusCode.NoContent);
        var missing = await (await admin.DeleteAsync(url)).Problem(HttpStatusCode.NotFound);
        var history = await (await admin.GetAsync(url + "/history")).Json(HttpStatusCode.OK);
        var score = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/score?layer=self")).Json(HttpStatusCode.OK);

        var changes = history.GetProperty("changes");
        Assert.Equal(3, changes.GetArrayLength());
        Assert.Equal(JsonValueKind.Null, changes[0].GetProperty("oldValue").ValueKind);
        Assert.Equal("C", changes[0].GetProperty("newValue").GetString());
        Assert.Equal("C", changes[1].GetProperty("oldValue").GetString());
        Assert.Equal("SOP sudah disahkan", changes[1].GetProperty("newNote").GetString());
        Assert.Equal(JsonValueKind.Null, changes[2].GetProperty("newValue").ValueKind);
        Assert.Contains("PT.P.1.a", missing.GetProperty("detail").GetString());
        Assert.Contains("PT.P.1.a", score.GetProperty("unanswered").EnumerateArray().Select(e => e.GetString()));
    }

    [Fact]
    public async Task EachLayerHasItsWriters()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var (agency, unit, assessment) = await Start(admin);
        var unitKey = app.ClientWithKey(await admin.CreateKey("unit", unitId: unit));
        var inspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: agency));
        var evaluator = app.ClientWithKey(await admin.CreateKey("evaluator"));
        var reader = app.ClientWithKey(await admin.CreateKey("reader", agencyId: agency));
        var body = new { value = "Ya" };
        string Url(string layer) => $"/api/v1/assessments/{assessment}/answers/{layer}/MP.P.1.a";

        await (await unitKey.PutAsJsonAsync(Url("self"), body)).Json(HttpStatusCode.OK);
        var unitOnTpi = await (await unitKey.PutAsJsonAsync(Url("tpi"), body)).Problem(HttpStatusCode.Forbidden);
        await (await inspectorate.PutAsJsonAsync(Url("tpi"), body)).Json(HttpStatusCode.OK);
        await (await inspectorate.PutAsJsonAsync(Url("self"), body)).Json(HttpStatusCode.OK);
        await (await inspectorate.PutAsJsonAsync(Url("tpn"), body)).Problem(HttpStatusCode.Forbidden);
        await (await evaluator.PutAsJsonAsync(Url("tpn"), body)).Json(HttpStatusCode.OK);
        await (await evaluator.PutAsJsonAsync(Url("tpi"), body)).Problem(HttpStatusCode.Forbidden);
        await (await reader.PutAsJsonAsync(Url("self"), body)).Problem(HttpStatusCode.Forbidden);
        var unknownLayer = await (await admin.PutAsJsonAsync(Url("kpk"), body)).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("'unit' may not write the 'tpi' layer", unitOnTpi.GetProperty("detail").GetString());
        Assert.Contains("self, tpi, tpn", unknownLayer.Errors("layer")[0]);
    }

    [Fact]
    public async Task KeysOutsideTheUnitOrAgencySeeNoAssessment()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var (agency, _, assessment) = await Start(admin);
        var otherInspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: await admin.CreateAgency()));
        var siblingUnit = app.ClientWithKey(await admin.CreateKey("unit", unitId: await admin.CreateUnit(agency)));

        await (await otherInspectorate.GetAsync($"/api/v1/assessments/{assessment}")).Problem(HttpStatusCode.NotFound);
        await (await otherInspectorate.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/tpi/MP.P.1.a", new { value = "Ya" })).Problem(HttpStatusCode.NotFound);
        await (await otherInspectorate.GetAsync($"/api/v1/assessments/{assessment}/score")).Problem(HttpStatusCode.NotFound);
        await (await siblingUnit.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self/MP.P.1.a", new { value = "Ya" })).Problem(HttpStatusCode.NotFound);
        var list = await (await otherInspectorate.GetAsync("/api/v1/assessments")).Json(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task TheGapEndpointProposesTheFewestImprovements()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var (_, _, assessment) = await Start(admin);
        var answers = Worksheets.Top(Worksheets.Lke);
        answers["HB.2"] = "D";
        await (await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/tpi", new { answers = AllAnswers(answers) })).Json(HttpStatusCode.OK);

        var gap = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/gap?layer=tpi&target=WBK")).Json(HttpStatusCode.OK);
        var badTarget = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/gap?target=ZI")).Problem(HttpStatusCode.BadRequest);

        Assert.True(gap.GetProperty("reachable").GetBoolean());
        var step = gap.GetProperty("steps")[0];
        Assert.Equal("HB.2", step.GetProperty("itemCode").GetString());
        Assert.Equal("C", step.GetProperty("to").GetString());
        Assert.Equal(1.25m, step.GetProperty("gain").GetDecimal());
        Assert.Equal(97.50m, gap.GetProperty("projectedTotal").GetDecimal());
        Assert.NotEmpty(badTarget.Errors("target"));
    }
}

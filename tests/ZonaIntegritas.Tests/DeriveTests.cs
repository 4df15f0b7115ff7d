using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.Scoring;

namespace ZonaIntegritas.Tests;

/// <summary>POST /assessments/{id}/answers/self/derive: the accountability data feeding the LKE (class name read by the Accountability filter).</summary>
public sealed class AccountabilityDeriveTests
{
    private static readonly DateTimeOffset April2026 = new(2026, 4, 1, 3, 0, 0, TimeSpan.Zero);

    private sealed record Setup(HttpClient Admin, HttpClient Inspectorate, HttpClient Evaluator, HttpClient UnitKey, Guid Agency, Guid Unit, Guid Assessment);

    private static async Task<Setup> Prepare(TestApp app)
    {
        app.Clock.Set(April2026);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit]))).Json(HttpStatusCode.Created);
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        return new Setup(admin, app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: agency)), app.ClientWithKey(await admin.CreateKey("evaluator")),
            app.ClientWithKey(await admin.CreateKey("unit", unitId: unit)), agency, unit, assessment);
    }

    /// <summary>Targets of a year given as (target, latest realisation or null); all higher-is-better.</summary>
    private static async Task Targets(Setup s, int year, params (decimal Target, decimal? Realisation)[] targets)
    {
        for (var i = 0; i < targets.Length; i++)
        {
            var id = (await (await s.UnitKey.PostJson($"/api/v1/units/{s.Unit}/performance-targets",
                new { year, indicator = $"Sasaran {i + 1}", unitOfMeasure = "%", target = targets[i].Target, direction = "higher_is_better" })).Json(HttpStatusCode.Created)).Id();
            if (targets[i].Realisation is { } value)
            {
                await (await s.UnitKey.PostJson($"/api/v1/units/{s.Unit}/performance-targets/{id}/realisations", new { period = $"{year}-12", value })).Json(HttpStatusCode.Created);
            }
        }
    }

    private static Task<HttpResponseMessage> Derive(HttpClient client, Guid assessment) => client.PostAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self/derive", new { });

    private static async Task<Dictionary<string, JsonElement>> Sheet(HttpClient client, Guid assessment, string layer) =>
        (await (await client.GetAsync($"/api/v1/assessments/{assessment}/answers/{layer}")).Json(HttpStatusCode.OK))
            .GetProperty("answers").EnumerateArray().ToDictionary(a => a.GetProperty("itemCode").GetString()!);

    private static Dictionary<string, JsonElement> Items(JsonElement derivation) =>
        derivation.GetProperty("derived").EnumerateArray().ToDictionary(d => d.GetProperty("itemCode").GetString()!);

    [Theory, SqliteData, SqlServerData]
    public async Task DeriveFillsTheCountInputsSoAkR1aFollowsTheCatalogueFormula(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var s = await Prepare(app);
        await Targets(s, 2026, (80m, 92m), (100m, 100m), (10m, 12.5m), (90m, 89.99m));

        var derivation = await (await Derive(s.UnitKey, s.Assessment)).Json(HttpStatusCode.OK);
        var sheet = await Sheet(s.UnitKey, s.Assessment, "self");
        var score = await (await s.UnitKey.GetAsync($"/api/v1/assessments/{s.Assessment}/score?layer=self")).Json(HttpStatusCode.OK);

        var items = Items(derivation);
        Assert.Equal("4", items["AK.R.1.a.1"].GetProperty("value").GetString());
        Assert.Equal("3", items["AK.R.1.a.2"].GetProperty("value").GetString());
        Assert.Equal("D", items["HB.2"].GetProperty("value").GetString());
        Assert.Equal(["Sasaran 4"], items["HB.2"].GetProperty("from").GetProperty("unmet").EnumerateArray().Select(u => u.GetString()));
        var computed = Assert.Single(derivation.GetProperty("computed").EnumerateArray());
        Assert.Equal("AK.R.1.a", computed.GetProperty("itemCode").GetString());
        Assert.Equal("AK.R.1.a.2 / AK.R.1.a.1", computed.GetProperty("expression").GetString());
        Assert.Equal(75m, computed.GetProperty("percent").GetDecimal());

        Assert.Equal("4", sheet["AK.R.1.a.1"].GetProperty("value").GetString());
        var from = sheet["AK.R.1.a.2"].GetProperty("derivedFrom");
        Assert.Equal(3, from.GetProperty("met").GetInt32());
        Assert.Equal(4, from.GetProperty("figures").GetArrayLength());
        Assert.Equal(99.99m, from.GetProperty("figures").EnumerateArray().Single(f => f.GetProperty("indicator").GetString() == "Sasaran 4").GetProperty("achievementPercent").GetDecimal());
        Assert.NotEqual(JsonValueKind.Null, sheet["HB.2"].GetProperty("derivedAt").ValueKind);
        // AK.REFORM.1 (weight 2) holds only AK.R.1.a, so its score is 2 × 3/4; HB.2 "D" earns 0.25 of 5.
        Assert.Equal(1.5m, score.GetProperty("subIndicators").EnumerateArray().Single(x => x.GetProperty("code").GetString() == "AK.REFORM.1").GetProperty("score").GetDecimal());
        Assert.Equal(1.25m, score.GetProperty("hasilItems").GetProperty("capaianKinerja").GetDecimal());
    }

    [Fact]
    public async Task ThreeIndicatorsUnderOneSasaranCountAsOneSasaranMetByTheMeanOfTheirCappedAchievement()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        // Sasaran "Pelayanan prima": 130% (shown 120), 90% and 95% → mean 101.67%, met although two indicators are not.
        // Sasaran "Zero complaints" (any letter case and spaces): 80% → not met. One indicator without a sasaran: 100%, met.
        var rows = new (string Indicator, string? Sasaran, decimal Realisation)[]
        {
            ("Indeks kepuasan", "Pelayanan prima", 130m),
            ("Waktu layanan", "Pelayanan prima", 90m),
            ("Layanan daring", " pelayanan PRIMA ", 95m),
            ("Pengaduan selesai", "Zero complaints", 80m),
            ("Laporan tepat waktu", null, 100m),
        };
        foreach (var (indicator, sasaran, realisation) in rows)
        {
            var created = await (await s.UnitKey.PostJson($"/api/v1/units/{s.Unit}/performance-targets",
                new { year = 2026, indicator, sasaran, unitOfMeasure = "%", target = 100m, direction = "higher_is_better" })).Json(HttpStatusCode.Created);
            Assert.Equal(sasaran?.Trim(), created.GetProperty("sasaran").GetString());
            await (await s.UnitKey.PostJson($"/api/v1/units/{s.Unit}/performance-targets/{created.Id()}/realisations", new { period = "2026-12", value = realisation }))
                .Json(HttpStatusCode.Created);
        }

        var derivation = await (await Derive(s.UnitKey, s.Assessment)).Json(HttpStatusCode.OK);

        var items = Items(derivation);
        Assert.Equal("3", items["AK.R.1.a.1"].GetProperty("value").GetString());
        Assert.Equal("2", items["AK.R.1.a.2"].GetProperty("value").GetString());
        var from = items["AK.R.1.a.1"].GetProperty("from");
        Assert.Equal(5, from.GetProperty("targets").GetInt32());
        Assert.Equal(3, from.GetProperty("sasaran").GetInt32());
        var prima = from.GetProperty("groups").EnumerateArray().Single(g => g.GetProperty("sasaran").GetString() == "Pelayanan prima");
        Assert.Equal(3, prima.GetProperty("indicators").GetArrayLength());
        Assert.Equal(101.67m, prima.GetProperty("meanCappedPercent").GetDecimal());
        Assert.True(prima.GetProperty("met").GetBoolean());
        Assert.Equal(66.67m, Assert.Single(derivation.GetProperty("computed").EnumerateArray()).GetProperty("percent").GetDecimal());
        // HB.2 still looks at every indicator: two are below 100%.
        Assert.Equal("D", items["HB.2"].GetProperty("value").GetString());
    }

    [Fact]
    public async Task ABlankSasaranIsRefusedNamingTheField()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);

        var problem = await (await s.UnitKey.PostJson($"/api/v1/units/{s.Unit}/performance-targets",
            new { year = 2026, indicator = "X", sasaran = "  ", unitOfMeasure = "%", target = 100m, direction = "higher_is_better" })).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("sasaran", problem.Errors("sasaran")[0]);
        Assert.Empty((await (await s.UnitKey.GetAsync($"/api/v1/units/{s.Unit}/performance-targets")).Json(HttpStatusCode.OK)).EnumerateArray());
    }

    [Fact]
    public async Task AllTargetsMetAndABetterCapaianThanLastYearGivesHb2B()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await Targets(s, 2025, (100m, 100m), (100m, 104m));
        await Targets(s, 2026, (100m, 110m), (100m, 100m));

        var derivation = await (await Derive(s.UnitKey, s.Assessment)).Json(HttpStatusCode.OK);
        var score = await (await s.UnitKey.GetAsync($"/api/v1/assessments/{s.Assessment}/score?layer=self")).Json(HttpStatusCode.OK);

        var hb2 = Items(derivation)["HB.2"];
        Assert.Equal("B", hb2.GetProperty("value").GetString());
        Assert.Equal(105m, hb2.GetProperty("from").GetProperty("capaian").GetDecimal());
        Assert.Equal(102m, hb2.GetProperty("from").GetProperty("previousCapaian").GetDecimal());
        Assert.Equal(3.75m, score.GetProperty("hasilItems").GetProperty("capaianKinerja").GetDecimal());
        Assert.Empty(derivation.GetProperty("skipped").EnumerateArray());
    }

    [Fact]
    public async Task AllTargetsMetButNoBetterThanLastYearGivesHb2C()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await Targets(s, 2025, (100m, 115m));
        await Targets(s, 2026, (100m, 115m), (50m, 50m));

        var derivation = await (await Derive(s.UnitKey, s.Assessment)).Json(HttpStatusCode.OK);

        Assert.Equal("C", Items(derivation)["HB.2"].GetProperty("value").GetString());
    }

    [Fact]
    public async Task WithoutLastYearsTargetsHb2IsSkippedWithTheReason()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await Targets(s, 2026, (100m, 110m));

        var derivation = await (await Derive(s.UnitKey, s.Assessment)).Json(HttpStatusCode.OK);
        var sheet = await Sheet(s.UnitKey, s.Assessment, "self");

        var skipped = Assert.Single(derivation.GetProperty("skipped").EnumerateArray());
        Assert.Equal("HB.2", skipped.GetProperty("itemCode").GetString());
        Assert.Contains("no 2025 targets", skipped.GetProperty("reason").GetString());
        Assert.False(sheet.ContainsKey("HB.2"));
        Assert.Equal(["AK.R.1.a.1", "AK.R.1.a.2"], Items(derivation).Keys.Order());
    }

    [Fact]
    public async Task RunningDeriveAgainChangesNothing()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await Targets(s, 2026, (80m, 92m), (100m, 50m));
        var first = await (await Derive(s.UnitKey, s.Assessment)).Json(HttpStatusCode.OK);
        var sheetBefore = await Sheet(s.UnitKey, s.Assessment, "self");
        app.Clock.Advance(TimeSpan.FromHours(1));

        var second = await (await Derive(s.Inspectorate, s.Assessment)).Json(HttpStatusCode.OK);
        var sheetAfter = await Sheet(s.UnitKey, s.Assessment, "self");
        var history = await (await s.UnitKey.GetAsync($"/api/v1/assessments/{s.Assessment}/answers/self/AK.R.1.a.1/history")).Json(HttpStatusCode.OK);

        Assert.All(Items(first).Values, d => Assert.True(d.GetProperty("changed").GetBoolean()));
        Assert.All(Items(second).Values, d => Assert.False(d.GetProperty("changed").GetBoolean()));
        Assert.Single(history.GetProperty("changes").EnumerateArray());
        Assert.Equal(sheetBefore["AK.R.1.a.1"].GetProperty("derivedAt").GetDateTimeOffset(), sheetAfter["AK.R.1.a.1"].GetProperty("derivedAt").GetDateTimeOffset());
    }

    [Fact]
    public async Task DeriveNeverWritesTpiOrTpnAndKeepsTheUnitsNote()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await Targets(s, 2026, (80m, 92m));
        await (await s.Inspectorate.PutAsJsonAsync($"/api/v1/assessments/{s.Assessment}/answers/tpi/AK.R.1.a.1", new { value = 9, note = "TPI count" })).Json(HttpStatusCode.OK);
        await (await s.UnitKey.PutAsJsonAsync($"/api/v1/assessments/{s.Assessment}/answers/self/AK.R.1.a.1", new { value = 7, note = "Lihat LAKIN 2026" })).Json(HttpStatusCode.OK);

        await (await Derive(s.Admin, s.Assessment)).Json(HttpStatusCode.OK);
        var self = await Sheet(s.UnitKey, s.Assessment, "self");
        var tpi = await Sheet(s.UnitKey, s.Assessment, "tpi");
        var tpn = await Sheet(s.UnitKey, s.Assessment, "tpn");

        Assert.Equal("1", self["AK.R.1.a.1"].GetProperty("value").GetString());
        Assert.Equal("Lihat LAKIN 2026", self["AK.R.1.a.1"].GetProperty("note").GetString());
        Assert.Equal("9", Assert.Single(tpi.Values).GetProperty("value").GetString());
        Assert.Equal(JsonValueKind.Null, tpi["AK.R.1.a.1"].GetProperty("derivedFrom").ValueKind);
        Assert.Empty(tpn);
    }

    [Fact]
    public async Task AManualChangeAfterDeriveIsNoLongerMarkedAsDerived()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await Targets(s, 2026, (80m, 92m));
        await (await Derive(s.UnitKey, s.Assessment)).Json(HttpStatusCode.OK);
        app.Clock.Advance(TimeSpan.FromMinutes(5));

        await (await s.UnitKey.PutAsJsonAsync($"/api/v1/assessments/{s.Assessment}/answers/self/AK.R.1.a.1", new { value = 5 })).Json(HttpStatusCode.OK);
        var manual = await Sheet(s.UnitKey, s.Assessment, "self");
        var again = await (await Derive(s.UnitKey, s.Assessment)).Json(HttpStatusCode.OK);
        var rederived = await Sheet(s.UnitKey, s.Assessment, "self");

        Assert.Equal(JsonValueKind.Null, manual["AK.R.1.a.1"].GetProperty("derivedFrom").ValueKind);
        Assert.NotEqual(JsonValueKind.Null, manual["AK.R.1.a.2"].GetProperty("derivedFrom").ValueKind);
        Assert.Equal("5", Items(again)["AK.R.1.a.1"].GetProperty("previousValue").GetString());
        Assert.Equal("1", rederived["AK.R.1.a.1"].GetProperty("value").GetString());
        Assert.Equal(1, rederived["AK.R.1.a.1"].GetProperty("derivedFrom").GetProperty("targets").GetInt32());
    }

    [Fact]
    public async Task WithoutTargetsDeriveIs422NamingWhatIsMissingAndWritesNothing()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await Targets(s, 2025, (100m, 100m));

        var problem = await (await Derive(s.UnitKey, s.Assessment)).Problem(HttpStatusCode.UnprocessableEntity);
        var sheet = await Sheet(s.UnitKey, s.Assessment, "self");

        Assert.Contains("no performance targets for 2026", problem.GetProperty("detail").GetString());
        Assert.Equal(["performanceTargets[year=2026]"], problem.GetProperty("missing").EnumerateArray().Select(m => m.GetString()));
        Assert.Empty(sheet);
    }

    [Fact]
    public async Task DeriveIsForWhoeverMayWriteTheOpenSelfLayer()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await Targets(s, 2026, (80m, 92m));
        var reader = app.ClientWithKey(await s.Admin.CreateKey("reader", agencyId: s.Agency));
        var otherUnitKey = app.ClientWithKey(await s.Admin.CreateKey("unit", unitId: await s.Admin.CreateUnit(s.Agency)));

        var byEvaluator = await (await Derive(s.Evaluator, s.Assessment)).Problem(HttpStatusCode.Forbidden);
        var byReader = await (await Derive(reader, s.Assessment)).Problem(HttpStatusCode.Forbidden);
        var byOtherUnit = await (await Derive(otherUnitKey, s.Assessment)).Problem(HttpStatusCode.NotFound);
        await (await s.UnitKey.PutAsJsonAsync($"/api/v1/assessments/{s.Assessment}/answers/self",
            new { answers = Worksheets.Top(Worksheets.Lke).Select(a => new { itemCode = a.Key, value = a.Value }).ToArray() })).Json(HttpStatusCode.OK);
        await (await s.UnitKey.PostAsJsonAsync($"/api/v1/assessments/{s.Assessment}/submit", new { })).Json(HttpStatusCode.OK);
        var locked = await (await Derive(s.UnitKey, s.Assessment)).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.Contains("'self' layer", byEvaluator.GetProperty("detail").GetString());
        Assert.Equal("Forbidden", byReader.GetProperty("title").GetString());
        Assert.Contains(s.Assessment.ToString(), byOtherUnit.GetProperty("detail").GetString());
        Assert.Contains("locked", locked.GetProperty("detail").GetString());
    }
}

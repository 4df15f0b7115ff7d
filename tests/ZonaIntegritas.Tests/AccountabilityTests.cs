using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class AccountabilityTests
{
    private static readonly DateTimeOffset September2026 = new(2026, 9, 15, 3, 0, 0, TimeSpan.Zero);

    private sealed record Setup(TestApp App, HttpClient Admin, HttpClient Inspectorate, HttpClient UnitKey, HttpClient Reader, Guid Agency, Guid Unit);

    private static async Task<Setup> Prepare(TestApp app)
    {
        app.Clock.Set(September2026);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency, code: "U-001");
        return new Setup(app, admin,
            app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: agency)),
            app.ClientWithKey(await admin.CreateKey("unit", unitId: unit)),
            app.ClientWithKey(await admin.CreateKey("reader", agencyId: agency)),
            agency, unit);
    }

    private static async Task<Guid> Target(HttpClient client, Guid unit, string indicator, decimal target, string direction = "higher_is_better", int year = 2026) =>
        (await (await client.PostJson($"/api/v1/units/{unit}/performance-targets",
            new { year, indicator, unitOfMeasure = "%", target, direction })).Json(HttpStatusCode.Created)).Id();

    private static Task<HttpResponseMessage> Realise(HttpClient client, Guid unit, Guid target, string period, decimal value) =>
        client.PostJson($"/api/v1/units/{unit}/performance-targets/{target}/realisations", new { period, value });

    private static Task<HttpResponseMessage> Ceiling(HttpClient client, Guid unit, decimal ceiling, int year = 2026) =>
        client.PutAsJsonAsync($"/api/v1/units/{unit}/budget/{year}", new { ceiling });

    private static Task<HttpResponseMessage> Spend(HttpClient client, Guid unit, int month, decimal amount, decimal physicalProgressPercent = 50m, int year = 2026) =>
        client.PostJson($"/api/v1/units/{unit}/budget/{year}/realisations", new { month, amount, physicalProgressPercent });

    private static decimal Dec(JsonElement element, string property) => element.GetProperty(property).GetDecimal();

    /// <summary>Rupiah are decimal strings with exactly two decimals, never JSON numbers.</summary>
    private static decimal Rupiah(JsonElement element, string property)
    {
        var text = element.GetProperty(property).GetString()!;
        Assert.Matches(@"^-?[0-9]+\.[0-9]{2}$", text);
        return decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
    }

    // Performance targets

    [Theory, SqliteData, SqlServerData]
    public async Task AchievementIsRealisationOverTargetOrItsInverseCappedForDisplayButKeptRaw(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var s = await Prepare(app);
        var higher = await Target(s.UnitKey, s.Unit, "Indeks kepuasan layanan", 80m);
        var lower = await Target(s.UnitKey, s.Unit, "Waktu penyelesaian izin (hari)", 10m, "lower_is_better");
        var runaway = await Target(s.UnitKey, s.Unit, "Jumlah inovasi", 2m);
        var zero = await Target(s.UnitKey, s.Unit, "Jumlah temuan berulang", 3m, "lower_is_better");

        await (await Realise(s.UnitKey, s.Unit, higher, "2026-06", 60m)).Json(HttpStatusCode.Created);
        await (await Realise(s.UnitKey, s.Unit, higher, "2026-08", 92m)).Json(HttpStatusCode.Created);
        await (await Realise(s.UnitKey, s.Unit, lower, "2026-08", 8m)).Json(HttpStatusCode.Created);
        await (await Realise(s.UnitKey, s.Unit, runaway, "2026-08", 5m)).Json(HttpStatusCode.Created);
        await (await Realise(s.UnitKey, s.Unit, zero, "2026-08", 0m)).Json(HttpStatusCode.Created);
        var targets = (await (await s.Reader.GetAsync($"/api/v1/units/{s.Unit}/performance-targets?year=2026")).Json(HttpStatusCode.OK))
            .EnumerateArray().ToDictionary(t => t.GetProperty("indicator").GetString()!);

        var h = targets["Indeks kepuasan layanan"];
        Assert.Equal("2026-08", h.GetProperty("latest").GetProperty("period").GetString());
        Assert.Equal(2, h.GetProperty("realisations").GetArrayLength());
        Assert.Equal(115m, Dec(h.GetProperty("achievement"), "percent"));
        Assert.True(h.GetProperty("achievement").GetProperty("met").GetBoolean());
        var l = targets["Waktu penyelesaian izin (hari)"].GetProperty("achievement");
        Assert.Equal(125m, Dec(l, "percent"));
        Assert.Equal(120m, Dec(l, "displayPercent"));
        var r = targets["Jumlah inovasi"].GetProperty("achievement");
        Assert.Equal(250m, Dec(r, "percent"));
        Assert.Equal(120m, Dec(r, "displayPercent"));
        var z = targets["Jumlah temuan berulang"].GetProperty("achievement");
        Assert.Equal(JsonValueKind.Null, z.GetProperty("percent").ValueKind);
        Assert.True(z.GetProperty("met").GetBoolean());
    }

    [Fact]
    public async Task AnUnmetTargetIsBelowOneHundredPercentAndATargetWithoutRealisationHasNoAchievement()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var target = await Target(s.UnitKey, s.Unit, "Opini BPK", 3m);
        var empty = await Target(s.UnitKey, s.Unit, "Nilai SAKIP", 80m);

        var recorded = await (await Realise(s.Inspectorate, s.Unit, target, "2026-12", 2m)).Json(HttpStatusCode.Created);
        var unrealised = await (await s.UnitKey.GetAsync($"/api/v1/units/{s.Unit}/performance-targets/{empty}")).Json(HttpStatusCode.OK);

        Assert.Equal(66.67m, Dec(recorded.GetProperty("achievement"), "percent"));
        Assert.False(recorded.GetProperty("achievement").GetProperty("met").GetBoolean());
        Assert.Equal(JsonValueKind.Null, unrealised.GetProperty("achievement").ValueKind);
    }

    [Fact]
    public async Task SendingAPeriodAgainReplacesItsValue()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var target = await Target(s.UnitKey, s.Unit, "Indeks kepuasan layanan", 80m);
        await (await Realise(s.UnitKey, s.Unit, target, "2026-08", 70m)).Json(HttpStatusCode.Created);

        var replaced = await (await Realise(s.UnitKey, s.Unit, target, "2026-08", 88m)).Json(HttpStatusCode.OK);

        var only = Assert.Single(replaced.GetProperty("realisations").EnumerateArray());
        Assert.Equal(88m, Dec(only, "value"));
        Assert.Equal(110m, Dec(replaced.GetProperty("achievement"), "percent"));
    }

    [Fact]
    public async Task ASecondTargetForTheSameIndicatorAndYearIsAConflictNamingTheFirst()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var first = await Target(s.UnitKey, s.Unit, "Indeks kepuasan layanan", 80m);

        var problem = await (await s.UnitKey.PostJson($"/api/v1/units/{s.Unit}/performance-targets",
            new { year = 2026, indicator = "INDEKS KEPUASAN LAYANAN", unitOfMeasure = "indeks", target = 85m, direction = "higher_is_better" })).Problem(HttpStatusCode.Conflict);
        await Target(s.UnitKey, s.Unit, "Indeks kepuasan layanan", 82m, year: 2025);

        Assert.Equal(first.ToString(), problem.GetProperty("existingTargetId").GetString());
        Assert.Contains("indeks kepuasan layanan", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BadTargetsAndRealisationsAreRefusedNamingTheFieldAndWriteNothing()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var url = $"/api/v1/units/{s.Unit}/performance-targets";

        var direction = await (await s.UnitKey.PostJson(url, new { year = 2026, indicator = "X", unitOfMeasure = "%", target = 1m, direction = "up" })).Problem(HttpStatusCode.BadRequest);
        var zero = await (await s.UnitKey.PostJson(url, new { year = 2026, indicator = "X", unitOfMeasure = "%", target = 0m, direction = "higher_is_better" })).Problem(HttpStatusCode.BadRequest);
        var missing = await (await s.UnitKey.PostJson(url, new { indicator = "", unitOfMeasure = "%", target = 5.12345m, direction = "lower_is_better" })).Problem(HttpStatusCode.BadRequest);
        var text = await (await s.UnitKey.PostRaw(url, """{"year": 2026, "indicator": "X", "unitOfMeasure": "%", "target": "eighty", "direction": "higher_is_better"}""")).Problem(HttpStatusCode.BadRequest);
        var target = await Target(s.UnitKey, s.Unit, "Indeks", 80m);
        var badPeriod = await (await Realise(s.UnitKey, s.Unit, target, "2026-13", 1m)).Problem(HttpStatusCode.BadRequest);
        var otherYear = await (await Realise(s.UnitKey, s.Unit, target, "2025-12", 1m)).Problem(HttpStatusCode.BadRequest);
        var negative = await (await Realise(s.UnitKey, s.Unit, target, "2026-01", -1m)).Problem(HttpStatusCode.BadRequest);
        var unknown = await (await Realise(s.UnitKey, s.Unit, Guid.NewGuid(), "2026-01", 1m)).Problem(HttpStatusCode.NotFound);
        var list = await (await s.UnitKey.GetAsync(url)).Json(HttpStatusCode.OK);

        Assert.Contains("direction must be one of", direction.Errors("direction")[0]);
        Assert.Contains("greater than 0", zero.Errors("target")[0]);
        Assert.NotEmpty(missing.Errors("year"));
        Assert.NotEmpty(missing.Errors("indicator"));
        Assert.Contains("4 decimals", missing.Errors("target")[0]);
        Assert.NotEmpty(text.Errors("target"));
        Assert.Contains("yyyy-mm", badPeriod.Errors("period")[0]);
        Assert.Contains("2026", otherYear.Errors("period")[0]);
        Assert.NotEmpty(negative.Errors("value"));
        Assert.Contains("Performance target", unknown.GetProperty("detail").GetString());
        Assert.Empty(Assert.Single(list.EnumerateArray()).GetProperty("realisations").EnumerateArray());
    }

    [Fact]
    public async Task TargetsAreWrittenByTheUnitItsInspectorateOrAdminAndReadByWhoeverSeesTheUnit()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var otherUnit = await s.Admin.CreateUnit(s.Agency);
        var otherAgency = await s.Admin.CreateAgency();
        var otherUnitKey = app.ClientWithKey(await s.Admin.CreateKey("unit", unitId: otherUnit));
        var otherInspectorate = app.ClientWithKey(await s.Admin.CreateKey("inspectorate", agencyId: otherAgency));
        var evaluator = app.ClientWithKey(await s.Admin.CreateKey("evaluator"));
        var body = new { year = 2026, indicator = "Indeks", unitOfMeasure = "%", target = 80m, direction = "higher_is_better" };
        var url = $"/api/v1/units/{s.Unit}/performance-targets";

        await (await s.Inspectorate.PostJson(url, body)).Json(HttpStatusCode.Created);
        var byReader = await (await s.Reader.PostJson(url, body)).Problem(HttpStatusCode.Forbidden);
        var byEvaluator = await (await evaluator.PostJson(url, body)).Problem(HttpStatusCode.Forbidden);
        var byOtherUnit = await (await otherUnitKey.PostJson(url, body)).Problem(HttpStatusCode.NotFound);
        var byOtherInspectorate = await (await otherInspectorate.PostJson(url, body)).Problem(HttpStatusCode.NotFound);
        var readByOtherUnit = await (await otherUnitKey.GetAsync(url)).Problem(HttpStatusCode.NotFound);
        var readByEvaluator = await (await evaluator.GetAsync(url)).Json(HttpStatusCode.OK);

        Assert.Equal(403, byReader.GetProperty("status").GetInt32());
        Assert.Equal(403, byEvaluator.GetProperty("status").GetInt32());
        Assert.Contains(s.Unit.ToString(), byOtherUnit.GetProperty("detail").GetString());
        Assert.Contains(s.Unit.ToString(), byOtherInspectorate.GetProperty("detail").GetString());
        Assert.Contains("was not found", readByOtherUnit.GetProperty("detail").GetString());
        Assert.Single(readByEvaluator.EnumerateArray());
    }

    // Budgets

    [Theory, SqliteData, SqlServerData]
    public async Task RupiahSumsAreExactToTheSen(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var s = await Prepare(app);
        await (await Ceiling(s.UnitKey, s.Unit, 669_440_000_000.00m)).Json(HttpStatusCode.Created);

        await (await Spend(s.UnitKey, s.Unit, 1, 0.10m)).Json(HttpStatusCode.Created);
        await (await Spend(s.UnitKey, s.Unit, 2, 0.20m)).Json(HttpStatusCode.Created);
        await (await Spend(s.UnitKey, s.Unit, 3, 200_000_000_000.33m)).Json(HttpStatusCode.Created);
        var budget = await (await Spend(s.UnitKey, s.Unit, 4, 344_929_999_999.38m, 96.46m)).Json(HttpStatusCode.Created);
        var read = await (await s.Reader.GetAsync($"/api/v1/units/{s.Unit}/budget/2026")).Json(HttpStatusCode.OK);

        foreach (var b in new[] { budget, read })
        {
            Assert.Equal(544_930_000_000.01m, Rupiah(b, "realised"));
            Assert.Equal(669_440_000_000m, Rupiah(b, "ceiling"));
            Assert.Equal(Math.Round(544_930_000_000.01m * 100m / 669_440_000_000m, 2), Dec(b, "absorptionPercent"));
            Assert.Equal(96.46m, Dec(b, "physicalProgressPercent"));
            Assert.Equal([0.10m, 0.30m, 200_000_000_000.63m, 544_930_000_000.01m], b.GetProperty("months").EnumerateArray().Select(m => Rupiah(m, "cumulative")));
        }
    }

    [Theory, SqliteData, SqlServerData]
    public async Task AMinistryBudgetPastTwoToTheFiftyThreeSenComesBackIdentical(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var s = await Prepare(app);

        var asString = await (await s.UnitKey.PutAsync($"/api/v1/units/{s.Unit}/budget/2026",
            new StringContent("""{"ceiling": "125000000000000.37"}""", System.Text.Encoding.UTF8, "application/json"))).Json(HttpStatusCode.Created);
        var read = await (await s.Reader.GetAsync($"/api/v1/units/{s.Unit}/budget/2026")).Json(HttpStatusCode.OK);
        // A JSON number is still accepted when its literal is exact (deprecated).
        var asNumber = await (await s.UnitKey.PutAsync($"/api/v1/units/{s.Unit}/budget/2027",
            new StringContent("""{"ceiling": 125000000000000.37}""", System.Text.Encoding.UTF8, "application/json"))).Json(HttpStatusCode.Created);
        var spent = await (await s.UnitKey.PostRaw($"/api/v1/units/{s.Unit}/budget/2026/realisations",
            """{"month": 1, "amount": "0.07", "physicalProgressPercent": 1}""")).Json(HttpStatusCode.Created);

        Assert.Equal("125000000000000.37", asString.GetProperty("ceiling").GetString());
        Assert.Equal("125000000000000.37", read.GetProperty("ceiling").GetString());
        Assert.Equal("125000000000000.37", asNumber.GetProperty("ceiling").GetString());
        Assert.Equal("0.00", asString.GetProperty("realised").GetString());
        Assert.Equal("0.07", spent.GetProperty("realised").GetString());
        Assert.Equal("0.07", spent.GetProperty("months")[0].GetProperty("amount").GetString());
    }

    [Fact]
    public async Task AmountsThatAreNotPlainDecimalsAndNumbersSentAsStringsAreRefusedNamingTheField()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);

        var words = await (await s.UnitKey.PutAsync($"/api/v1/units/{s.Unit}/budget/2026",
            new StringContent("""{"ceiling": "12 juta"}""", System.Text.Encoding.UTF8, "application/json"))).Problem(HttpStatusCode.BadRequest);
        var exponent = await (await s.UnitKey.PutAsync($"/api/v1/units/{s.Unit}/budget/2026",
            new StringContent("""{"ceiling": "1e6"}""", System.Text.Encoding.UTF8, "application/json"))).Problem(HttpStatusCode.BadRequest);
        var tooLong = await (await s.UnitKey.PutAsync($"/api/v1/units/{s.Unit}/budget/2026",
            new StringContent("""{"ceiling": 1250000000000000000000000000.375}""", System.Text.Encoding.UTF8, "application/json"))).Problem(HttpStatusCode.BadRequest);
        var monthAsText = await (await s.UnitKey.PostRaw($"/api/v1/units/{s.Unit}/budget/2026/realisations",
            """{"month": "1", "amount": "1.00", "physicalProgressPercent": 1}""")).Problem(HttpStatusCode.BadRequest);
        var none = await (await s.UnitKey.GetAsync($"/api/v1/units/{s.Unit}/budget/2026")).Problem(HttpStatusCode.NotFound);

        Assert.Contains("decimal string", words.Errors("ceiling")[0]);
        Assert.NotEmpty(exponent.Errors("ceiling"));
        Assert.Contains("exactly", tooLong.Errors("ceiling")[0]);
        Assert.NotEmpty(monthAsText.Errors("month"));
        Assert.Equal(404, none.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task AMonthSentAgainReplacesItsRealisation()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await (await Ceiling(s.UnitKey, s.Unit, 1_000m)).Json(HttpStatusCode.Created);
        await (await Spend(s.UnitKey, s.Unit, 1, 100m)).Json(HttpStatusCode.Created);

        var budget = await (await Spend(s.UnitKey, s.Unit, 1, 250.50m, 30m)).Json(HttpStatusCode.OK);

        Assert.Equal(250.50m, Rupiah(budget, "realised"));
        Assert.Equal(25.05m, Dec(budget, "absorptionPercent"));
        Assert.Single(budget.GetProperty("months").EnumerateArray());
    }

    [Fact]
    public async Task RealisationNeedsACeilingAndMayNotExceedIt()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);

        var noCeiling = await (await Spend(s.UnitKey, s.Unit, 1, 100m)).Problem(HttpStatusCode.UnprocessableEntity);
        await (await Ceiling(s.UnitKey, s.Unit, 1_000m)).Json(HttpStatusCode.Created);
        await (await Spend(s.UnitKey, s.Unit, 1, 600m)).Json(HttpStatusCode.Created);
        var over = await (await Spend(s.UnitKey, s.Unit, 2, 400.01m)).Problem(HttpStatusCode.UnprocessableEntity);
        var lower = await (await Ceiling(s.UnitKey, s.Unit, 599.99m)).Problem(HttpStatusCode.UnprocessableEntity);
        var budget = await (await s.UnitKey.GetAsync($"/api/v1/units/{s.Unit}/budget/2026")).Json(HttpStatusCode.OK);

        Assert.Contains("no budget ceiling for 2026", noCeiling.GetProperty("detail").GetString());
        Assert.Contains("above the ceiling of 1000", over.Errors("amount")[0]);
        Assert.Contains("below the 600 already realised", lower.Errors("ceiling")[0]);
        Assert.Equal(1_000m, Rupiah(budget, "ceiling"));
        Assert.Equal(600m, Rupiah(budget, "realised"));
    }

    [Fact]
    public async Task MonthsRecordedConcurrentlyNeverTogetherPassTheCeiling()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await (await Ceiling(s.UnitKey, s.Unit, 1_000m)).Json(HttpStatusCode.Created);

        var responses = await Task.WhenAll(Enumerable.Range(1, 12).Select(month => Spend(s.UnitKey, s.Unit, month, 100m)));
        var budget = await (await s.UnitKey.GetAsync($"/api/v1/units/{s.Unit}/budget/2026")).Json(HttpStatusCode.OK);

        Assert.Equal(10, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(2, responses.Count(r => r.StatusCode == HttpStatusCode.UnprocessableEntity));
        Assert.Equal(1_000m, Rupiah(budget, "realised"));
    }

    [Fact]
    public async Task BadBudgetInputIsRefusedNamingTheField()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);

        var ceiling = await (await Ceiling(s.UnitKey, s.Unit, 1_000.001m)).Problem(HttpStatusCode.BadRequest);
        var zero = await (await Ceiling(s.UnitKey, s.Unit, 0m)).Problem(HttpStatusCode.BadRequest);
        var year = await (await Ceiling(s.UnitKey, s.Unit, 1_000m, year: 1999)).Problem(HttpStatusCode.BadRequest);
        await (await Ceiling(s.UnitKey, s.Unit, 1_000m)).Json(HttpStatusCode.Created);
        var month = await (await Spend(s.UnitKey, s.Unit, 13, 1m)).Problem(HttpStatusCode.BadRequest);
        var amount = await (await Spend(s.UnitKey, s.Unit, 1, 1.005m)).Problem(HttpStatusCode.BadRequest);
        var physical = await (await Spend(s.UnitKey, s.Unit, 1, 1m, 100.5m)).Problem(HttpStatusCode.BadRequest);
        var text = await (await s.UnitKey.PostRaw($"/api/v1/units/{s.Unit}/budget/2026/realisations", """{"month": 1, "amount": 1e400, "physicalProgressPercent": 1}""")).Problem(HttpStatusCode.BadRequest);
        var none = await (await s.UnitKey.GetAsync($"/api/v1/units/{s.Unit}/budget/2025")).Problem(HttpStatusCode.NotFound);

        Assert.Contains("2 decimals", ceiling.Errors("ceiling")[0]);
        Assert.NotEmpty(zero.Errors("ceiling"));
        Assert.Contains("between 2000 and 2200", year.Errors("year")[0]);
        Assert.NotEmpty(month.Errors("month"));
        Assert.Contains("2 decimals", amount.Errors("amount")[0]);
        Assert.NotEmpty(physical.Errors("physicalProgressPercent"));
        Assert.NotEmpty(text.Errors("amount"));
        Assert.Contains("no budget for 2025", none.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task BudgetsFollowTheSameScopeRules()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var otherUnitKey = app.ClientWithKey(await s.Admin.CreateKey("unit", unitId: await s.Admin.CreateUnit(s.Agency)));

        var byReader = await (await Ceiling(s.Reader, s.Unit, 1_000m)).Problem(HttpStatusCode.Forbidden);
        var byOtherUnit = await (await Ceiling(otherUnitKey, s.Unit, 1_000m)).Problem(HttpStatusCode.NotFound);
        await (await Ceiling(s.Inspectorate, s.Unit, 1_000m)).Json(HttpStatusCode.Created);
        var readByOtherUnit = await (await otherUnitKey.GetAsync($"/api/v1/units/{s.Unit}/budget/2026")).Problem(HttpStatusCode.NotFound);

        Assert.Equal("Forbidden", byReader.GetProperty("title").GetString());
        Assert.Contains(s.Unit.ToString(), byOtherUnit.GetProperty("detail").GetString());
        Assert.Contains(s.Unit.ToString(), readByOtherUnit.GetProperty("detail").GetString());
    }

    // Milestones and the absorption report

    private static async Task<Dictionary<string, Guid>> AgencyWithAbsorption(Setup s)
    {
        // U-001 46.66%, U-002 60%, U-003 60% (tie with U-002), U-004 75%, U-005 no budget.
        var units = new Dictionary<string, Guid> { ["U-001"] = s.Unit };
        foreach (var code in new[] { "U-003", "U-002", "U-004", "U-005" })
        {
            units[code] = await s.Admin.CreateUnit(s.Agency, code: code);
        }
        foreach (var (code, spent) in new[] { ("U-001", 46.66m), ("U-002", 60m), ("U-003", 60m), ("U-004", 75m) })
        {
            await (await Ceiling(s.Inspectorate, units[code], 100_000_000m)).Json(HttpStatusCode.Created);
            await (await Spend(s.Inspectorate, units[code], 3, spent * 500_000m)).Json(HttpStatusCode.Created);
            await (await Spend(s.Inspectorate, units[code], 8, spent * 500_000m, 40m)).Json(HttpStatusCode.Created);
        }
        // Spending after the report month does not count.
        await (await Spend(s.Inspectorate, units["U-001"], 10, 20_000_000m)).Json(HttpStatusCode.Created);
        await (await s.Inspectorate.PutAsJsonAsync($"/api/v1/agencies/{s.Agency}/absorption-milestones/2026",
            new[] { new { month = 9, minPercent = 70m }, new { month = 8, minPercent = 60m } })).Json(HttpStatusCode.OK);
        return units;
    }

    [Fact]
    public async Task AReadRankingAndComplianceDocumentFollowTheNextRealisationAtOnce()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var units = await AgencyWithAbsorption(s);
        var url = $"/api/v1/agencies/{s.Agency}/absorption?year=2026&month=8";
        var before = await (await s.Reader.GetAsync(url)).Json(HttpStatusCode.OK);
        var documentBefore = await (await s.Reader.GetAsync($"/api/v1/units/{units["U-001"]}/compliance?year=2026")).Json(HttpStatusCode.OK);

        // Both are now served from memory; a write in the agency must drop them.
        await (await Spend(s.Inspectorate, units["U-001"], 8, 55_000_000m)).Json(HttpStatusCode.OK);

        var after = await (await s.Reader.GetAsync(url)).Json(HttpStatusCode.OK);
        var documentAfter = await (await s.Reader.GetAsync($"/api/v1/units/{units["U-001"]}/compliance?year=2026")).Json(HttpStatusCode.OK);
        Assert.Equal("U-004", before.GetProperty("units")[0].GetProperty("unitCode").GetString());
        Assert.Equal("U-001", after.GetProperty("units")[0].GetProperty("unitCode").GetString());
        Assert.NotEqual(documentBefore.GetProperty("absorption").GetProperty("percent").GetDecimal(),
            documentAfter.GetProperty("absorption").GetProperty("percent").GetDecimal());
    }

    [Theory, SqliteData, SqlServerData]
    public async Task TheReportRanksUnitsByAbsorptionWithStableTiesAndShowsWhoIsBehind(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var s = await Prepare(app);
        await AgencyWithAbsorption(s);

        var august = await (await s.Reader.GetAsync($"/api/v1/agencies/{s.Agency}/absorption?year=2026&month=8")).Json(HttpStatusCode.OK);
        var september = await (await s.Reader.GetAsync($"/api/v1/agencies/{s.Agency}/absorption?year=2026&month=9")).Json(HttpStatusCode.OK);
        var july = await (await s.Reader.GetAsync($"/api/v1/agencies/{s.Agency}/absorption?year=2026&month=7")).Json(HttpStatusCode.OK);

        var lines = august.GetProperty("units").EnumerateArray().ToList();
        Assert.Equal(["U-004", "U-002", "U-003", "U-001", "U-005"], lines.Select(u => u.GetProperty("unitCode").GetString()));
        Assert.Equal([1, 2, 3, 4], lines.Take(4).Select(u => u.GetProperty("rank").GetInt32()));
        Assert.Equal(JsonValueKind.Null, lines[4].GetProperty("rank").ValueKind);
        Assert.Equal([75m, 60m, 60m, 46.66m], lines.Take(4).Select(u => Dec(u, "absorptionPercent")));
        Assert.Equal([false, false, false, true], lines.Take(4).Select(u => u.GetProperty("behind").GetBoolean()));
        Assert.Equal(13_340_000m, Rupiah(lines[3], "shortfall"));
        Assert.Equal(60m, Dec(august.GetProperty("milestone"), "minPercent"));
        Assert.Equal(4, august.GetProperty("unitsRanked").GetInt32());
        Assert.Equal(1, august.GetProperty("unitsBehind").GetInt32());
        Assert.Equal(1, august.GetProperty("unitsWithoutBudget").GetInt32());
        Assert.Equal(241_660_000m, Rupiah(august, "totalRealised"));

        var septemberLines = september.GetProperty("units").EnumerateArray().ToList();
        Assert.Equal(70m, Dec(september.GetProperty("milestone"), "minPercent"));
        Assert.Equal(["U-004", "U-002", "U-003", "U-001"], septemberLines.Take(4).Select(u => u.GetProperty("unitCode").GetString()));
        Assert.Equal([false, true, true, true], septemberLines.Take(4).Select(u => u.GetProperty("behind").GetBoolean()));
        Assert.Equal(3, september.GetProperty("unitsBehind").GetInt32());

        Assert.Equal(JsonValueKind.Null, july.GetProperty("milestone").ValueKind);
        Assert.All(july.GetProperty("units").EnumerateArray().Take(4), u => Assert.False(u.GetProperty("behind").GetBoolean()));
    }

    [Fact]
    public async Task TheReportCountsMonthsUpToTheRequestedOneAndDefaultsToThisMonth()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var units = await AgencyWithAbsorption(s);

        var october = await (await s.Admin.GetAsync($"/api/v1/agencies/{s.Agency}/absorption?year=2026&month=10")).Json(HttpStatusCode.OK);
        var now = await (await s.Admin.GetAsync($"/api/v1/agencies/{s.Agency}/absorption")).Json(HttpStatusCode.OK);

        var second = october.GetProperty("units")[1];
        Assert.Equal(units["U-001"].ToString(), second.GetProperty("unitId").GetString());
        Assert.Equal(2, second.GetProperty("rank").GetInt32());
        Assert.Equal(66.66m, Dec(second, "absorptionPercent"));
        Assert.Equal(10, second.GetProperty("lastReportedMonth").GetInt32());
        Assert.Equal(2026, now.GetProperty("year").GetInt32());
        Assert.Equal(9, now.GetProperty("month").GetInt32());
    }

    [Fact]
    public async Task TheReportComesAsCsvAndCanListOnlyUnitsBehind()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await AgencyWithAbsorption(s);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/agencies/{s.Agency}/absorption?year=2026&month=9");
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var csv = await s.Inspectorate.SendAsync(request);
        var behind = await (await s.Inspectorate.GetAsync($"/api/v1/agencies/{s.Agency}/absorption?year=2026&month=9&behind=true&pageSize=2")).Json(HttpStatusCode.OK);

        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        var rows = (await csv.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("agencyCode,year,month,rank,unitId,unitCode,unitName,ceiling,realised,absorptionPercent", rows[0]);
        Assert.Equal(6, rows.Length);
        Assert.Equal(["U-004", "U-002", "U-003", "U-001", "U-005"], rows.Skip(1).Select(r => r.Split(',')[5]));
        var u002 = rows[2].Split(',');
        Assert.Equal(["2", "U-002", "100000000", "60000000", "60"], [u002[3], u002[5], u002[7], u002[8], u002[9]]);
        Assert.Equal(["9", "70", "true", "10000000"], u002[12..]);
        Assert.Equal(3, behind.GetProperty("total").GetInt32());
        Assert.Equal(["U-002", "U-003"], behind.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("unitCode").GetString()));
    }

    [Fact]
    public async Task MilestonesAreValidatedAsAWholeAndReplaceTheYear()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var url = $"/api/v1/agencies/{s.Agency}/absorption-milestones/2026";

        var falling = await (await s.Inspectorate.PutAsJsonAsync(url, new[] { new { month = 8, minPercent = 60m }, new { month = 9, minPercent = 50m } })).Problem(HttpStatusCode.BadRequest);
        var twice = await (await s.Inspectorate.PutAsJsonAsync(url, new[] { new { month = 8, minPercent = 60m }, new { month = 8, minPercent = 70m } })).Problem(HttpStatusCode.BadRequest);
        var bad = await (await s.Inspectorate.PutAsJsonAsync(url, new[] { new { month = 13, minPercent = 100.5m } })).Problem(HttpStatusCode.BadRequest);
        var notArray = await (await s.Inspectorate.PutAsJsonAsync(url, new { month = 8, minPercent = 60m })).Problem(HttpStatusCode.BadRequest);
        await (await s.Inspectorate.PutAsJsonAsync(url, new[] { new { month = 6, minPercent = 40m } })).Json(HttpStatusCode.OK);
        var replaced = await (await s.Admin.PutAsJsonAsync(url, new[] { new { month = 9, minPercent = 70m }, new { month = 8, minPercent = 60m } })).Json(HttpStatusCode.OK);
        var read = await (await s.Reader.GetAsync(url)).Json(HttpStatusCode.OK);

        Assert.Contains("below 60", falling.Errors("[1].minPercent")[0]);
        Assert.Contains("listed twice", twice.Errors("[1].month")[0]);
        Assert.NotEmpty(bad.Errors("[0].month"));
        Assert.NotEmpty(bad.Errors("[0].minPercent"));
        Assert.Equal(400, notArray.GetProperty("status").GetInt32());
        Assert.Equal([8, 9], replaced.GetProperty("milestones").EnumerateArray().Select(m => m.GetProperty("month").GetInt32()));
        Assert.Equal([60m, 70m], read.GetProperty("milestones").EnumerateArray().Select(m => Dec(m, "minPercent")));
    }

    [Fact]
    public async Task MilestonesAreSetByTheInspectorateOrAdminAndTheReportIsReadWithinTheAgency()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var otherInspectorate = app.ClientWithKey(await s.Admin.CreateKey("inspectorate", agencyId: await s.Admin.CreateAgency()));
        var url = $"/api/v1/agencies/{s.Agency}/absorption-milestones/2026";
        var body = new[] { new { month = 8, minPercent = 60m } };

        var byUnit = await (await s.UnitKey.PutAsJsonAsync(url, body)).Problem(HttpStatusCode.Forbidden);
        var byReader = await (await s.Reader.PutAsJsonAsync(url, body)).Problem(HttpStatusCode.Forbidden);
        var byOther = await (await otherInspectorate.PutAsJsonAsync(url, body)).Problem(HttpStatusCode.NotFound);
        var reportByOther = await (await otherInspectorate.GetAsync($"/api/v1/agencies/{s.Agency}/absorption")).Problem(HttpStatusCode.NotFound);
        var badMonth = await (await s.Reader.GetAsync($"/api/v1/agencies/{s.Agency}/absorption?month=0&year=1990")).Problem(HttpStatusCode.BadRequest);

        Assert.Equal("Forbidden", byUnit.GetProperty("title").GetString());
        Assert.Equal("Forbidden", byReader.GetProperty("title").GetString());
        Assert.Contains(s.Agency.ToString(), byOther.GetProperty("detail").GetString());
        Assert.Contains(s.Agency.ToString(), reportByOther.GetProperty("detail").GetString());
        Assert.NotEmpty(badMonth.Errors("month"));
        Assert.NotEmpty(badMonth.Errors("year"));
    }

    // Audit trail

    [Fact]
    public async Task EveryAccountabilityWriteIsAuditedWithBeforeAndAfterAndARefusedOneIsNot()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        var target = await Target(s.UnitKey, s.Unit, "Indeks", 80m);
        await (await Realise(s.UnitKey, s.Unit, target, "2026-08", 70m)).Json(HttpStatusCode.Created);
        await (await Realise(s.UnitKey, s.Unit, target, "2026-08", 90m)).Json(HttpStatusCode.OK);
        await (await Ceiling(s.UnitKey, s.Unit, 1_000m)).Json(HttpStatusCode.Created);
        await (await Ceiling(s.UnitKey, s.Unit, 1_500.50m)).Json(HttpStatusCode.OK);
        await (await Spend(s.UnitKey, s.Unit, 1, 100m, 10m)).Json(HttpStatusCode.Created);
        await (await Spend(s.UnitKey, s.Unit, 1, 100m, 12.5m)).Json(HttpStatusCode.OK);
        await (await Spend(s.UnitKey, s.Unit, 2, 5_000m)).Problem(HttpStatusCode.UnprocessableEntity);
        await (await s.Inspectorate.PutAsJsonAsync($"/api/v1/agencies/{s.Agency}/absorption-milestones/2026", new[] { new { month = 8, minPercent = 60m } })).Json(HttpStatusCode.OK);

        var entries = (await (await s.Admin.GetAsync($"/api/v1/audit?pageSize=200")).Json(HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().ToList();
        JsonElement Changes(string action, int skip = 0) =>
            entries.Where(e => e.GetProperty("action").GetString() == action).Reverse().Skip(skip).First().GetProperty("changes");

        var actions = entries.Select(e => e.GetProperty("action").GetString()).ToList();
        Assert.Equal(1, actions.Count(a => a == "performance_target.created"));
        Assert.Equal(2, actions.Count(a => a == "performance_target.realisation_recorded"));
        Assert.Equal(1, actions.Count(a => a == "budget.created"));
        Assert.Equal(1, actions.Count(a => a == "budget.ceiling_changed"));
        Assert.Equal(2, actions.Count(a => a == "budget.realisation_recorded"));
        Assert.Equal(1, actions.Count(a => a == "absorption_milestones.set"));
        Assert.Equal(70m, Changes("performance_target.realisation_recorded", 1).GetProperty("value").GetProperty("before").GetDecimal());
        Assert.Equal(90m, Changes("performance_target.realisation_recorded", 1).GetProperty("value").GetProperty("after").GetDecimal());
        Assert.Equal(1_000m, Changes("budget.ceiling_changed").GetProperty("ceiling").GetProperty("before").GetDecimal());
        Assert.Equal(1_500.50m, Changes("budget.ceiling_changed").GetProperty("ceiling").GetProperty("after").GetDecimal());
        var recorded = Changes("budget.realisation_recorded", 1).GetProperty("changes");
        Assert.Equal(12.5m, recorded.GetProperty("physicalProgressPercent").GetProperty("after").GetDecimal());
        Assert.False(recorded.TryGetProperty("amount", out _));
        Assert.Equal(60m, Changes("absorption_milestones.set").GetProperty("milestones").GetProperty("after")[0].GetProperty("minPercent").GetDecimal());
    }

    // Compliance documents and summaries

    [Theory, SqliteData, SqlServerData]
    public async Task ComplianceDocumentsAndSummariesCarryAbsorptionAndPerformanceForTheYear(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var s = await Prepare(app);
        var units = await AgencyWithAbsorption(s);
        var met = await Target(s.UnitKey, s.Unit, "Indeks", 80m);
        await Target(s.UnitKey, s.Unit, "Opini", 3m);
        await (await Realise(s.UnitKey, s.Unit, met, "2026-08", 85m)).Json(HttpStatusCode.Created);

        // Cached until a write touches the unit: read once, then record a realisation that crosses the milestone.
        var before = await (await s.UnitKey.GetAsync($"/api/v1/units/{s.Unit}/compliance")).Json(HttpStatusCode.OK);
        await (await Spend(s.UnitKey, s.Unit, 9, 23_340_000m)).Json(HttpStatusCode.Created);
        var after = await (await s.UnitKey.GetAsync($"/api/v1/units/{s.Unit}/compliance")).Json(HttpStatusCode.OK);
        var page = await (await s.Reader.GetAsync($"/api/v1/compliance?agencyId={s.Agency}")).Json(HttpStatusCode.OK);
        var summary = await (await s.Reader.GetAsync($"/api/v1/agencies/{s.Agency}/compliance-summary")).Json(HttpStatusCode.OK);
        var national = await (await s.Admin.GetAsync("/api/v1/compliance-summary")).Json(HttpStatusCode.OK);

        Assert.Equal(46.66m, Dec(before.GetProperty("absorption"), "percent"));
        Assert.Equal(70m, Dec(before.GetProperty("absorption").GetProperty("milestone"), "minPercent"));
        Assert.True(before.GetProperty("absorption").GetProperty("behind").GetBoolean());
        Assert.Equal(70m, Dec(after.GetProperty("absorption"), "percent"));
        Assert.False(after.GetProperty("absorption").GetProperty("behind").GetBoolean());
        Assert.Equal(2, after.GetProperty("performance").GetProperty("targets").GetInt32());
        Assert.Equal(1, after.GetProperty("performance").GetProperty("met").GetInt32());

        var documents = page.GetProperty("items").EnumerateArray().ToDictionary(d => d.GetProperty("unitCode").GetString()!);
        Assert.Equal(60m, Dec(documents["U-002"].GetProperty("absorption"), "percent"));
        Assert.True(documents["U-002"].GetProperty("absorption").GetProperty("behind").GetBoolean());
        Assert.Equal(JsonValueKind.Null, documents["U-005"].GetProperty("absorption").ValueKind);
        Assert.Equal(0, documents["U-005"].GetProperty("performance").GetProperty("targets").GetInt32());

        var absorption = summary.GetProperty("absorption");
        Assert.Equal(4, absorption.GetProperty("unitsWithBudget").GetInt32());
        Assert.Equal(2, absorption.GetProperty("behind").GetInt32());
        Assert.Equal(66.25m, Dec(absorption, "percent"));
        Assert.Equal(70m, Dec(absorption.GetProperty("milestone"), "minPercent"));
        Assert.Equal(2, summary.GetProperty("performance").GetProperty("targets").GetInt32());
        Assert.Equal(1, summary.GetProperty("performance").GetProperty("met").GetInt32());
        Assert.Equal(2, national.GetProperty("totals").GetProperty("absorption").GetProperty("behind").GetInt32());
        Assert.Equal(JsonValueKind.Null, national.GetProperty("totals").GetProperty("absorption").GetProperty("milestone").ValueKind);
        Assert.NotEmpty(units);
    }

    [Fact]
    public async Task TheComplianceCsvHasTheAccountabilityColumns()
    {
        await using var app = await TestApp.StartAsync();
        var s = await Prepare(app);
        await AgencyWithAbsorption(s);
        var request = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/compliance?agencyId={s.Agency}");
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var lines = (await (await s.Reader.SendAsync(request)).Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);

        // The national-evaluation columns follow the accountability ones.
        Assert.Contains(",absorptionPercent,absorptionMilestonePercent,absorptionBehind,performanceTargets,performanceMet,nationalStage,", lines[0]);
        Assert.Contains(",46.66,70,true,0,0,", lines.Single(l => l.Contains(",U-001,")));
    }
}

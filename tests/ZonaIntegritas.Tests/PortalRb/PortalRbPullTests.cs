using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.Scoring;
using static ZonaIntegritas.Tests.PortalRb.PortalRbWorld;

namespace ZonaIntegritas.Tests.PortalRb;

/// <summary>The three endpoints PortalRB pulls from, against the contract in docs/portalrb.md.</summary>
public sealed class PortalRbPullTests
{
    private static void AssertKind(JsonElement value, JsonValueKind kind, string field) =>
        Assert.True(value.ValueKind == kind, $"{field} is {value.ValueKind}, the contract says {kind}: {value}");

    [Fact]
    public async Task UnitWbkListsTheProposedUnitsOfTheKeysAgencyWithExactlyTheContractsFields()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        await w.Admin.CreateUnit(w.Agency);
        var other = await BuildAsync(app);

        var body = await (await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk")).Json(HttpStatusCode.OK);

        Assert.Equal(["tahun", "units"], body.EnumerateObject().Select(p => p.Name));
        AssertKind(body.GetProperty("tahun"), JsonValueKind.Number, "tahun");
        Assert.Equal(2026, body.GetProperty("tahun").GetInt32());
        var unit = Assert.Single(body.GetProperty("units").EnumerateArray());
        Assert.Equal(["id", "nama", "kategori", "afirmasi"], unit.EnumerateObject().Select(p => p.Name));
        Assert.Equal(w.Unit.ToString(), unit.GetProperty("id").GetString());
        Assert.Equal("Biro Umum", unit.GetProperty("nama").GetString());
        Assert.Equal("WBK", unit.GetProperty("kategori").GetString());
        AssertKind(unit.GetProperty("afirmasi"), JsonValueKind.False, "afirmasi");
        Assert.DoesNotContain(other.Unit.ToString(), body.ToString());
    }

    [Fact]
    public async Task UnitWbbmListsOnlyWbbmProposalsWithKategoriWbbm()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var holder = await w.Admin.CreateUnit(w.Agency);
        await (await w.Admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(w.Agency, [holder], nipSeed: 40))).Json(HttpStatusCode.Created);
        var earlier = (await (await w.Admin.PostJson("/api/v1/assessments", new { unitId = holder, year = 2025, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        await GrantWbk(app, w.Agency, holder, earlier);
        await Propose(app, w.Admin, w.Inspectorate, w.Agency, holder, target: "WBBM");

        var wbbm = await (await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbbm")).Json(HttpStatusCode.OK);
        var wbk = await (await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk")).Json(HttpStatusCode.OK);

        var unit = Assert.Single(wbbm.GetProperty("units").EnumerateArray());
        Assert.Equal(holder.ToString(), unit.GetProperty("id").GetString());
        Assert.Equal("WBBM", unit.GetProperty("kategori").GetString());
        Assert.Equal([w.Unit.ToString()], wbk.GetProperty("units").EnumerateArray().Select(u => u.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task AnAffirmativeProposalIsReportedAsWbkAfirmasiAndShownInTheComplianceDocument()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app, afirmasi: true);

        var unit = (await (await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk")).Json(HttpStatusCode.OK)).GetProperty("units")[0];
        var compliance = await (await w.Admin.GetAsync($"/api/v1/units/{w.Unit}/compliance?year=2026")).Json(HttpStatusCode.OK);
        var assessment = await (await w.Admin.GetAsync($"/api/v1/assessments/{w.Assessment}")).Json(HttpStatusCode.OK);

        Assert.Equal("WBK-AFIRMASI", unit.GetProperty("kategori").GetString());
        Assert.True(unit.GetProperty("afirmasi").GetBoolean());
        Assert.True(compliance.GetProperty("assessment").GetProperty("afirmasi").GetBoolean());
        Assert.True(assessment.GetProperty("afirmasi").GetBoolean());
    }

    [Fact]
    public async Task JawabanUnitSends127AnswersInSoalOrderEachMappingBackToItsItemInBothLayers()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        // The TPI layer keeps the top answers the proposal needed; the self layer is set apart (admin may still change it).
        var lowest = Worksheets.Lowest(Worksheets.Lke);
        var soal = SoalMap.GetProperty("soal").EnumerateArray().ToList();
        foreach (var s in soal.Where(s => s.GetProperty("answerType").GetString() == "JUMLAH" && !lowest.ContainsKey(s.GetProperty("itemCode").GetString()!)))
        {
            lowest[s.GetProperty("itemCode").GetString()!] = "7";
        }
        await Answer(w.Admin, w.Assessment, "self", lowest, new Dictionary<string, string> { ["MP.P.1.a"] = "SK tim <b>kerja</b>" });
        var top = Worksheets.Top(Worksheets.Lke);
        // Counts outside any percentage are not part of the top answer set; every soal is answered in both layers here.
        var tpiChanges = soal.Select(s => s.GetProperty("itemCode").GetString()!).Where(code => !top.ContainsKey(code)).ToDictionary(code => code, _ => "9");
        tpiChanges["HP.1"] = "3.62";
        await Answer(w.Admin, w.Assessment, "tpi", tpiChanges, new Dictionary<string, string> { ["HP.1"] = "Survei IPKP" });
        foreach (var (code, value) in tpiChanges)
        {
            top[code] = value;
        }

        var body = await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).Json(HttpStatusCode.OK);

        Assert.Equal(["unit_id", "nama_unit", "tahun", "answers"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(w.Unit.ToString(), body.GetProperty("unit_id").GetString());
        Assert.Equal("Biro Umum", body.GetProperty("nama_unit").GetString());
        Assert.Equal(2026, body.GetProperty("tahun").GetInt32());
        var answers = body.GetProperty("answers").EnumerateArray().ToList();
        Assert.Equal(127, answers.Count);
        Assert.Equal(Enumerable.Range(1, 127), answers.Select(a => a.GetProperty("soal_id").GetInt32()));
        for (var i = 0; i < 127; i++)
        {
            var item = soal[i].GetProperty("itemCode").GetString()!;
            var answer = answers[i];
            Assert.Equal(["soal_id", "jawaban_unit", "jawaban_tpi", "catatan_unit", "bukti_dukung_unit", "catatan_tpi"], answer.EnumerateObject().Select(p => p.Name));
            AssertKind(answer.GetProperty("jawaban_unit"), JsonValueKind.String, $"soal {i + 1} jawaban_unit");
            Assert.True(lowest[item] == answer.GetProperty("jawaban_unit").GetString(), $"soal {i + 1} ({item}): self {lowest[item]}, sent {answer.GetProperty("jawaban_unit")}");
            Assert.True(top[item] == answer.GetProperty("jawaban_tpi").GetString(), $"soal {i + 1} ({item}): tpi {top[item]}, sent {answer.GetProperty("jawaban_tpi")}");
            AssertKind(answer.GetProperty("bukti_dukung_unit"), JsonValueKind.Null, $"soal {i + 1} bukti_dukung_unit");
        }
        var byItem = soal.Select((s, i) => (Item: s.GetProperty("itemCode").GetString()!, Answer: answers[i])).ToDictionary(p => p.Item, p => p.Answer);
        Assert.Equal("SK tim <b>kerja</b>", byItem["MP.P.1.a"].GetProperty("catatan_unit").GetString());
        AssertKind(byItem["MP.P.1.a"].GetProperty("catatan_tpi"), JsonValueKind.Null, "catatan_tpi");
        Assert.Equal("Survei IPKP", byItem["HP.1"].GetProperty("catatan_tpi").GetString());
        Assert.Equal("3.62", byItem["HP.1"].GetProperty("jawaban_tpi").GetString());
        Assert.Equal("Ya", byItem["MP.P.1.a"].GetProperty("jawaban_tpi").GetString());
        // Percentage items are not sent: PortalRB computes them from the counts.
        Assert.DoesNotContain(byItem.Keys, code => Worksheets.Lke.TryGetItem(code, out var it) && it.AnswerType == "PERSEN");
    }

    [Fact]
    public async Task BlankAnswersAreSentAsNulls()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        (await w.Admin.DeleteAsync($"/api/v1/assessments/{w.Assessment}/answers/self/MP.P.1.a")).EnsureSuccessStatusCode();

        var first = (await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).Json(HttpStatusCode.OK)).GetProperty("answers")[0];

        AssertKind(first.GetProperty("jawaban_unit"), JsonValueKind.Null, "jawaban_unit");
        AssertKind(first.GetProperty("catatan_unit"), JsonValueKind.Null, "catatan_unit");
        Assert.Equal("Ya", first.GetProperty("jawaban_tpi").GetString());
    }

    [Fact]
    public async Task NotesComeBackExactlyAsWrittenWhateverCharactersTheyHold()
    {
        // The sheet is read as JSON the database builds, so quotes, backslashes, line breaks, control characters and
        // characters outside ASCII must survive the round trip unchanged.
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        const string self = "Catatan \"unit\"\\ C:\\SK\\2026\nbaris dua\tkolom \u0001\u001e\u001f — Pengadaan ✓ é 🇮🇩 </script>";
        const string tpi = "[{\"i\":\"x\"}] ' OR 1=1 --";
        await Answer(w.Admin, w.Assessment, "self", new Dictionary<string, string> { ["MP.P.1.a"] = "Ya" }, new Dictionary<string, string> { ["MP.P.1.a"] = self });
        await Answer(w.Admin, w.Assessment, "tpi", new Dictionary<string, string> { ["MP.P.1.a"] = "Ya" }, new Dictionary<string, string> { ["MP.P.1.a"] = tpi });

        var first = (await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).Json(HttpStatusCode.OK)).GetProperty("answers")[0];

        Assert.Equal(self, first.GetProperty("catatan_unit").GetString());
        Assert.Equal(tpi, first.GetProperty("catatan_tpi").GetString());
        Assert.Equal("Ya", first.GetProperty("jawaban_unit").GetString());
    }

    [Fact]
    public async Task TheAnswerBodyIsByteForByteWhatTheSerializerWritesForTheContractsRecords()
    {
        // jawaban-unit writes its body directly; read back into UnitAnswers and serialised again with the service's own
        // options, it must give the same bytes: names, order, nulls, numbers and escaping included.
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        await Answer(w.Admin, w.Assessment, "self", new Dictionary<string, string> { ["MP.P.1.a"] = "Ya", ["MP.P.1.b"] = "B" },
            new Dictionary<string, string> { ["MP.P.1.a"] = "Catatan \"unit\"\\ baris\ndua \u0001 — ✓ é 🇮🇩 </script> & 'kutip'" });
        await Answer(w.Admin, w.Assessment, "tpi", new Dictionary<string, string> { ["MP.P.1.a"] = "Tidak" }, new Dictionary<string, string> { ["MP.P.1.a"] = "<b>TPI</b>" });
        (await w.Admin.PostJson($"/api/v1/assessments/{w.Assessment}/items/MP.P.1.a/evidence", new { url = "https://drive.example.go.id/sk.pdf", title = "SK" }))
            .EnsureSuccessStatusCode();

        var sent = await (await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}")).Content.ReadAsByteArrayAsync();
        var json = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var answers = JsonSerializer.Deserialize<ZonaIntegritas.Api.Features.PortalRb.UnitAnswers>(sent, json)!;

        Assert.Equal(JsonSerializer.SerializeToUtf8Bytes(answers, json), sent);
        Assert.Equal(127, answers.Answers.Count);
        Assert.StartsWith("http://localhost/portalrb/v1/bukti/", answers.Answers[0].BuktiDukungUnit);
        Assert.Equal(["Ya", "B"], answers.Answers.Take(2).Select(a => a.JawabanUnit));
        Assert.Equal("Tidak", answers.Answers[0].JawabanTpi);
        Assert.Null(answers.Answers[1].BuktiDukungUnit);
        Assert.Null(answers.Answers[1].CatatanTpi);
    }

    [Fact]
    public async Task AUnitNotProposedOfAnotherAgencyOrUnknownIsDataNotFound()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var other = await BuildAsync(app);
        var draft = await w.Admin.CreateUnit(w.Agency);
        await (await w.Admin.PostJson("/api/v1/assessments", new { unitId = draft, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created);

        foreach (var id in new[] { draft.ToString(), other.Unit.ToString(), Guid.NewGuid().ToString(), "not-a-unit", w.Unit + "?tahun=2025" })
        {
            Assert.Equal("DATA_NOT_FOUND", await ContractError(await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{id}"), HttpStatusCode.NotFound));
        }
        Assert.Equal("DATA_NOT_FOUND", await ContractError(await w.PortalRb.GetAsync("/portalrb/v1/no-such-endpoint"), HttpStatusCode.NotFound));
    }

    [Fact]
    public async Task MissingAndInvalidTokensAreUnauthorizedInTheContractsShape()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var created = await (await w.Admin.PostJson("/api/v1/api-keys", new { name = "old PortalRB key", role = "portalrb", agencyId = w.Agency })).Json(HttpStatusCode.Created);
        var revoked = created.GetProperty("key").GetString()!;
        (await w.Admin.DeleteAsync($"/api/v1/api-keys/{created.GetProperty("apiKey").Id()}")).EnsureSuccessStatusCode();

        foreach (var key in new[] { null, "zi_not_a_key_at_all", revoked })
        {
            var response = await Bearer(app, key).GetAsync("/portalrb/v1/pengusulan/unit-wbk");
            Assert.Equal("UNAUTHORIZED", await ContractError(response, HttpStatusCode.Unauthorized));
        }
    }

    [Fact]
    public async Task OtherRolesAreForbiddenAndAdminMayTestByNamingTheAgency()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        foreach (var key in new[]
        {
            await w.Admin.CreateKey("inspectorate", agencyId: w.Agency), await w.Admin.CreateKey("reader", agencyId: w.Agency),
            await w.Admin.CreateKey("evaluator"), await w.Admin.CreateKey("unit", unitId: w.Unit),
        })
        {
            Assert.Equal("FORBIDDEN", await ContractError(await Bearer(app, key).GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}"), HttpStatusCode.Forbidden));
            Assert.Equal("FORBIDDEN", await ContractError(await app.ClientWithKey(key).GetAsync("/portalrb/v1/pengusulan/unit-wbk"), HttpStatusCode.Forbidden));
        }

        var admin = await (await Bearer(app, TestApp.AdminKey).GetAsync($"/portalrb/v1/pengusulan/unit-wbk?agencyId={w.Agency}")).Json(HttpStatusCode.OK);
        var withoutAgency = await app.Admin().GetAsync("/portalrb/v1/pengusulan/unit-wbk");

        Assert.Equal(w.Unit.ToString(), admin.GetProperty("units")[0].GetProperty("id").GetString());
        Assert.Equal("INVALID_REQUEST", await ContractError(withoutAgency, HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task APortalRbKeyIsRefusedByTheRestOfTheApi()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);
        var asApiKey = app.ClientWithKey(w.PortalRbKey);

        foreach (var url in new[] { $"/api/v1/units/{w.Unit}", $"/api/v1/assessments/{w.Assessment}/answers/self", "/api/v1/compliance", "/api/v1/frameworks" })
        {
            var problem = await (await asApiKey.GetAsync(url)).Problem(HttpStatusCode.Forbidden);
            Assert.Contains("portalrb", problem.GetProperty("detail").GetString());
            await (await w.PortalRb.GetAsync(url)).Problem(HttpStatusCode.Forbidden);
        }
    }

    [Fact]
    public async Task AnInvalidTahunIsAnInvalidRequest()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);

        Assert.Equal("INVALID_REQUEST", await ContractError(await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk?tahun=1999"), HttpStatusCode.UnprocessableEntity));
        Assert.Equal("INVALID_REQUEST", await ContractError(await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk?tahun=dua-ribu"), HttpStatusCode.UnprocessableEntity));
        Assert.Equal("INVALID_REQUEST", await ContractError(await w.PortalRb.GetAsync($"/portalrb/v1/lke/jawaban-unit/{w.Unit}?tahun=x"), HttpStatusCode.UnprocessableEntity));
    }

    [Fact]
    public async Task TahunIsTheYearWhoseWindowIsOpenElseTheLatestYearWithProposalsAndCanBeOverridden()
    {
        await using var app = await TestApp.StartAsync();
        var w = await BuildAsync(app);

        async Task<int> Tahun(string query = "") =>
            (await (await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk" + query)).Json(HttpStatusCode.OK)).GetProperty("tahun").GetInt32();

        Assert.Equal(2026, await Tahun());
        app.Clock.Set(new DateTimeOffset(2027, 3, 1, 3, 0, 0, TimeSpan.Zero));
        (await w.Admin.PutAsJsonAsync("/api/v1/proposal-windows/2027", new { opensOn = "2027-04-01", closesOn = "2027-06-30" })).EnsureSuccessStatusCode();
        Assert.Equal(2026, await Tahun());
        app.Clock.Set(new DateTimeOffset(2027, 4, 2, 3, 0, 0, TimeSpan.Zero));
        Assert.Equal(2027, await Tahun());
        Assert.Equal(2026, await Tahun("?tahun=2026"));
        var empty = await (await w.PortalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk")).Json(HttpStatusCode.OK);
        Assert.Empty(empty.GetProperty("units").EnumerateArray());
    }

    [Fact]
    public async Task TooManyCallsAreRateLimitedWithRetryAfterInTheContractsShape()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["RateLimits:RequestsPerKey"] = "3" });
        app.Clock.Set(April2026);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var portalRb = Bearer(app, await admin.CreateKey("portalrb", agencyId: agency));

        for (var i = 0; i < 3; i++)
        {
            await (await portalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk")).Json(HttpStatusCode.OK);
        }
        var limited = await portalRb.GetAsync("/portalrb/v1/pengusulan/unit-wbk");

        Assert.Equal("RATE_LIMITED", await ContractError(limited, HttpStatusCode.TooManyRequests));
        Assert.True(int.Parse(limited.Headers.GetValues("Retry-After").Single()) >= 1);
    }

    [Fact]
    public async Task FailedAuthenticationBurstsAreRateLimitedInTheContractsShapeToo()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["RateLimits:FailedAuthenticationsPerIp"] = "2" });
        var anonymous = Bearer(app, "zi_wrong");

        await anonymous.GetAsync("/portalrb/v1/pengusulan/unit-wbk");
        await anonymous.GetAsync("/portalrb/v1/pengusulan/unit-wbk");
        var limited = await anonymous.GetAsync("/portalrb/v1/pengusulan/unit-wbk");

        Assert.Equal("RATE_LIMITED", await ContractError(limited, HttpStatusCode.TooManyRequests));
        Assert.True(limited.Headers.Contains("Retry-After"));
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesThePullEndpointsWithBearerAuthAndTheContractsErrors()
    {
        await using var app = await TestApp.StartAsync();

        var document = await (await app.ClientWithKey(null).GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);
        var paths = document.GetProperty("paths");

        foreach (var path in new[] { "/portalrb/v1/pengusulan/unit-wbk", "/portalrb/v1/pengusulan/unit-wbbm", "/portalrb/v1/lke/jawaban-unit/{unit_id}" })
        {
            var operation = paths.GetProperty(path).GetProperty("get");
            var statuses = operation.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList();
            Assert.Equal(["200", "401", "403", "404", "422", "429", "500"], statuses.Order());
            Assert.Contains("PortalRbBearer", operation.GetProperty("security").EnumerateArray().SelectMany(r => r.EnumerateObject()).Select(p => p.Name));
            Assert.True(operation.GetProperty("responses").GetProperty("404").GetProperty("content").TryGetProperty("application/json", out _));
        }
        Assert.Equal("bearer", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("PortalRbBearer").GetProperty("scheme").GetString());
        Assert.DoesNotContain(paths.EnumerateObject(), p => p.Name.Contains("/bukti"));
    }

    [Fact]
    public async Task TheFrameworkShowsEachItemsSoalIdPerYear()
    {
        await using var app = await TestApp.StartAsync();

        var framework = await (await app.Admin().GetAsync("/api/v1/frameworks/PERMENPANRB-90-2021")).Json(HttpStatusCode.OK);
        var items = framework.GetProperty("components").EnumerateArray().SelectMany(c => c.GetProperty("areas").EnumerateArray())
            .SelectMany(a => a.GetProperty("parts").EnumerateArray()).SelectMany(p => p.GetProperty("subIndicators").EnumerateArray())
            .SelectMany(s => s.GetProperty("items").EnumerateArray()).ToDictionary(i => i.GetProperty("code").GetString()!);

        foreach (var soal in SoalMap.GetProperty("soal").EnumerateArray())
        {
            var ids = items[soal.GetProperty("itemCode").GetString()!].GetProperty("portalRbSoalIds");
            Assert.Equal(soal.GetProperty("soalId").GetInt32(), ids.GetProperty("2026").GetInt32());
        }
        Assert.Equal(JsonValueKind.Null, items["MP.R.1.a"].GetProperty("portalRbSoalIds").ValueKind);
    }
}

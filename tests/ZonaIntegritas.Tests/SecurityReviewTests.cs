using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>The findings of the black-box security review (issue 12), each as the request a reviewer sent.</summary>
public sealed class SecurityReviewTests
{
    private static async Task Sql(TestApp app, string sql, params (string Name, object Value)[] parameters)
    {
        await using var connection = new SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
        await command.ExecuteNonQueryAsync();
    }

    private static void NoDotNetNames(string text)
    {
        Assert.DoesNotContain("System.", text);
        Assert.DoesNotContain("ZonaIntegritas.", text);
        Assert.DoesNotContain("`1", text);
    }

    // 1
    [Fact]
    public async Task ADeclarationWithoutUnitsOrAnEmptyBodyIs400NamingUnits()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();

        var empty = await (await admin.PostRaw("/api/v1/declarations", "{}")).Problem(HttpStatusCode.BadRequest);
        var noUnits = await (await admin.PostJson("/api/v1/declarations", new { agencyId = agency, declaredOn = "2026-03-15", place = "Jakarta" })).Problem(HttpStatusCode.BadRequest);
        var nullUnits = await (await admin.PostRaw("/api/v1/declarations", $$"""{"agencyId":"{{agency}}","declaredOn":"2026-03-15","place":"Jakarta","units":null}""")).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("at least one unit", empty.Errors("units")[0]);
        Assert.Contains("at least one unit", noUnits.Errors("units")[0]);
        Assert.Contains("at least one unit", nullUnits.Errors("units")[0]);
    }

    // 2
    [Fact]
    public async Task AUnitKeySeesOnlyItsOwnAbsorptionLineWithItsRankAndTheAgencyTotalsInJsonAndCsv()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var own = await admin.CreateUnit(agency, "OWN-1");
        var sibling = await admin.CreateUnit(agency, "SIB-1");
        foreach (var (unit, amount) in new[] { (own, 100_000_000m), (sibling, 700_000_000m) })
        {
            (await admin.PutAsJsonAsync($"/api/v1/units/{unit}/budget/2026", new { ceiling = 1_000_000_000m })).EnsureSuccessStatusCode();
            await (await admin.PostJson($"/api/v1/units/{unit}/budget/2026/realisations", new { month = 3, amount, physicalProgressPercent = 10 })).Json(HttpStatusCode.Created);
        }
        var unitKey = app.ClientWithKey(await admin.CreateKey("unit", unitId: own));

        var report = await (await unitKey.GetAsync($"/api/v1/agencies/{agency}/absorption?year=2026&month=3")).Json(HttpStatusCode.OK);
        var csvRequest = new HttpRequestMessage(HttpMethod.Get, $"/api/v1/agencies/{agency}/absorption?year=2026&month=3");
        csvRequest.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
        var csv = await (await unitKey.SendAsync(csvRequest)).Content.ReadAsStringAsync();
        var agencyView = await (await admin.GetAsync($"/api/v1/agencies/{agency}/absorption?year=2026&month=3")).Json(HttpStatusCode.OK);

        var line = Assert.Single(report.GetProperty("units").EnumerateArray());
        Assert.Equal(own, line.GetProperty("unitId").GetGuid());
        Assert.Equal(2, line.GetProperty("rank").GetInt32());
        Assert.Equal(2, report.GetProperty("unitsRanked").GetInt32());
        Assert.Equal("2000000000.00", report.GetProperty("totalCeiling").GetString());
        Assert.Equal("800000000.00", report.GetProperty("totalRealised").GetString());
        Assert.DoesNotContain(sibling.ToString(), report.ToString());
        Assert.Equal(2, csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains(own.ToString(), csv);
        Assert.DoesNotContain(sibling.ToString(), csv);
        Assert.DoesNotContain("SIB-1", csv);
        Assert.Equal(2, agencyView.GetProperty("units").GetArrayLength());
    }

    // 3
    [Fact]
    public async Task EveryCsvExportNeutralisesCellsThatStartAFormulaIncludingMinusFollowedByADigit()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        const string payload = "-2+3+cmd|' /C calc'!A0";
        var unit = await admin.CreateUnit(agency);
        (await admin.PutAsJsonAsync($"/api/v1/units/{unit}", new { code = "CSV-1", name = payload, kind = "biro", providesPublicService = true, employeeCount = 10 })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync($"/api/v1/units/{unit}/budget/2026", new { ceiling = 1_000_000m })).EnsureSuccessStatusCode();

        async Task<string> Csv(string url)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, url);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));
            var response = await admin.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return await response.Content.ReadAsStringAsync();
        }
        var absorption = await Csv($"/api/v1/agencies/{agency}/absorption?year=2026&month=3");
        var audit = await Csv("/api/v1/audit?entityType=unit");

        Assert.Contains(",'-2+3+cmd|' /C calc'!A0,", absorption);
        Assert.DoesNotContain(",-2+3+cmd", absorption);
        // Numeric columns keep their numbers: the ceiling is not quoted.
        Assert.Contains(",1000000,", absorption);
        Assert.DoesNotContain(",-2+3+cmd", audit);
    }

    // 4
    [Fact]
    public async Task DecreeAndRevocationDatesHaveFloorsAndCannotPredateTheAssessmentYearTheDeclarationOrTheDecree()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var world = await SampleWorld.BuildAsync(app);
        var evaluator = app.ClientWithKey(await admin.CreateKey("evaluator"));
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = world.Own.UnitId, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        // Decisions come after the national evaluation; not_designated is possible from desk_evaluated.
        await Sql(app, "UPDATE assessments SET status = 'desk_evaluated' WHERE id = $id", ("$id", assessment.ToString()));

        object Decision(string date) => new { outcome = "not_designated", decreeNumber = "SK 9/2026", decreeDate = date };
        var ancient = await (await evaluator.PostJson($"/api/v1/assessments/{assessment}/decide", Decision("0001-01-01"))).Problem(HttpStatusCode.BadRequest);
        var beforeDeclaration = await (await evaluator.PostJson($"/api/v1/assessments/{assessment}/decide", Decision("2026-02-01"))).Problem(HttpStatusCode.BadRequest);
        await Sql(app, "UPDATE declarations SET declared_on = '2025-06-01'");
        var beforeYear = await (await evaluator.PostJson($"/api/v1/assessments/{assessment}/decide", Decision("2025-12-31"))).Problem(HttpStatusCode.BadRequest);
        var revokedAncient = await (await evaluator.PostJson($"/api/v1/designations/{world.Own.DesignationId}/revocation",
            new { reason = "Pelanggaran", decreeNumber = "SK 10/2026", revokedOn = "0001-01-01" })).Problem(HttpStatusCode.BadRequest);
        var revokedBeforeDecree = await (await evaluator.PostJson($"/api/v1/designations/{world.Own.DesignationId}/revocation",
            new { reason = "Pelanggaran", decreeNumber = "SK 10/2026", revokedOn = "2025-11-30" })).Problem(HttpStatusCode.BadRequest);
        var decided = await (await evaluator.PostJson($"/api/v1/assessments/{assessment}/decide", Decision("2026-03-15"))).Json(HttpStatusCode.OK);

        Assert.Contains("2010-01-01", ancient.Errors("decreeDate")[0]);
        Assert.Contains("declaration on 2026-03-15", beforeDeclaration.Errors("decreeDate")[0]);
        Assert.Contains("year 2026", beforeYear.Errors("decreeDate")[0]);
        Assert.Contains("2010-01-01", revokedAncient.Errors("revokedOn")[0]);
        Assert.Contains("decree date 2025-12-01", revokedBeforeDecree.Errors("revokedOn")[0]);
        Assert.Equal("not_designated", decided.GetProperty("status").GetString());
    }

    [Fact]
    public async Task PeoplesDatesStartIn1950AndKeyExpiryHasACeiling()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);

        var oldNip = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", Fixtures.Pact("194901012000011001"))).Problem(HttpStatusCode.BadRequest);
        var farExpiry = await (await admin.PostJson("/api/v1/api-keys", new { name = "x", role = "reader", expiresAt = "9999-12-31T00:00:00Z" })).Problem(HttpStatusCode.BadRequest);
        var oldPact = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(1), signedOn: "2009-12-31"))).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("1950-01-01", oldNip.Errors("nip")[0]);
        Assert.Contains("10 years", farExpiry.Errors("expiresAt")[0]);
        Assert.Contains("2010-01-01", oldPact.Errors("signedOn")[0]);
    }

    // 5
    [Theory]
    [InlineData("proposed")]
    [InlineData("designated")]
    [InlineData("not_designated")]
    public async Task EvidenceOfAProposedOrDecidedAssessmentIsLockedForTheUnitButNotForAnAdmin(string status)
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var world = await SampleWorld.BuildAsync(app);
        var own = world.Own;
        var unitKey = app.ClientWithKey(await admin.CreateKey("unit", unitId: own.UnitId));
        var second = await (await unitKey.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/assessments/{own.AssessmentId}/items/MP.P.1.a/evidence") { Content = SampleWorld.PdfForm() })).Json(HttpStatusCode.Created);
        (await admin.PostJson($"/api/v1/evidence/{own.EvidenceId}/review", new { decision = "accepted" })).EnsureSuccessStatusCode();
        await Sql(app, "UPDATE assessments SET status = $status WHERE id = $id", ("$status", status), ("$id", own.AssessmentId.ToString()));

        var upload = await (await unitKey.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/assessments/{own.AssessmentId}/items/MP.P.1.a/evidence") { Content = SampleWorld.PdfForm() })).Problem(HttpStatusCode.UnprocessableEntity);
        var link = await (await unitKey.PostJson($"/api/v1/assessments/{own.AssessmentId}/items/MP.P.1.a/evidence", new { url = "https://example.go.id/a.pdf", title = "SK" })).Problem(HttpStatusCode.UnprocessableEntity);
        var version = await (await unitKey.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/evidence/{own.EvidenceId}/versions") { Content = SampleWorld.PdfForm() })).Problem(HttpStatusCode.UnprocessableEntity);
        var withdrawal = await (await unitKey.DeleteAsync($"/api/v1/evidence/{second.Id()}")).Problem(HttpStatusCode.UnprocessableEntity);
        var accepted = await (await unitKey.GetAsync($"/api/v1/evidence/{own.EvidenceId}")).Json(HttpStatusCode.OK);
        var byAdmin = await (await admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/evidence/{own.EvidenceId}/versions") { Content = SampleWorld.PdfForm() })).Json(HttpStatusCode.Created);
        var audit = await (await admin.GetAsync($"/api/v1/audit?entityType=evidence&entityId={own.EvidenceId}")).Json(HttpStatusCode.OK);

        foreach (var problem in new[] { upload, link, version, withdrawal })
        {
            Assert.Equal(status, problem.GetProperty("assessmentStatus").GetString());
            Assert.Contains($"'{status}'", problem.GetProperty("detail").GetString());
        }
        Assert.Equal("accepted", accepted.GetProperty("status").GetString());
        Assert.Equal(2, byAdmin.GetProperty("version").GetInt32());
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "evidence.version_added" && e.GetProperty("role").GetString() == "admin");
    }

    // 7
    [Theory]
    [InlineData("Indeks \u200BKepuasan\u2060 Masyarakat")]
    [InlineData("Indeks\u00A0Kepuasan  Masyarakat ")]
    [InlineData("Ｉｎｄｅｋｓ Kepuasan Masyarakat")]
    [InlineData("Inde\u0301ks Kepuasan Masyarakat")]
    public async Task IndicatorsThatDifferOnlyByInvisibleOrLookAlikeCharactersAreOneIndicator(string variant)
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var first = variant.Contains('\u0301') ? "Ind\u00E9ks Kepuasan Masyarakat" : "Indeks Kepuasan Masyarakat";
        object Target(string indicator) => new { year = 2026, indicator, unitOfMeasure = "%", target = 80, direction = "higher_is_better" };

        await (await admin.PostJson($"/api/v1/units/{unit}/performance-targets", Target(first))).Json(HttpStatusCode.Created);
        var second = await (await admin.PostJson($"/api/v1/units/{unit}/performance-targets", Target(variant))).Problem(HttpStatusCode.Conflict);

        Assert.Contains(first, second.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task CodesAndNamesAreStoredNormalisedSoLookAlikeCodesCollide()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await (await admin.PostJson("/api/v1/agencies", new { code = "KEMEN-1", name = "Kementerian\u200B  Uji\u202E", kind = "kementerian" })).Json(HttpStatusCode.Created);

        var fullWidthAgency = await (await admin.PostJson("/api/v1/agencies", new { code = "ＫＥＭＥＮ-１", name = "Lain", kind = "kementerian" })).Problem(HttpStatusCode.Conflict);
        await admin.CreateUnit(agency.Id(), "BIRO-1");
        var fullWidthUnit = await (await admin.PostJson("/api/v1/units", new { agencyId = agency.Id(), code = "ＢＩＲＯ-1", name = "Biro", kind = "biro", providesPublicService = true, employeeCount = 5 })).Problem(HttpStatusCode.Conflict);
        var invisibleName = await (await admin.PostJson("/api/v1/agencies", new { code = "KEMEN-2", name = "\u200B\u00A0", kind = "kementerian" })).Problem(HttpStatusCode.BadRequest);

        Assert.Equal("Kementerian Uji", agency.GetProperty("name").GetString());
        Assert.Contains("KEMEN-1", fullWidthAgency.GetProperty("detail").GetString());
        Assert.Contains("BIRO-1", fullWidthUnit.GetProperty("detail").GetString());
        Assert.NotEmpty(invisibleName.Errors("name"));
    }

    // 8
    [Fact]
    public async Task TheSameIdempotencyKeyWithAnotherLinkTitleIs422()
    {
        await using var app = await TestApp.StartAsync();
        var world = await SampleWorld.BuildAsync(app);
        var url = $"/api/v1/assessments/{world.Own.AssessmentId}/items/MP.P.1.a/evidence";
        HttpRequestMessage Link(string title)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(new { url = "https://example.go.id/sk.pdf", title }) };
            request.Headers.Add("Idempotency-Key", "link-once");
            return request;
        }

        var first = await (await world.Admin.SendAsync(Link("SK Tim"))).Json(HttpStatusCode.Created);
        var replay = await (await world.Admin.SendAsync(Link("SK Tim"))).Json(HttpStatusCode.Created);
        var other = await (await world.Admin.SendAsync(Link("Another title"))).Problem(HttpStatusCode.UnprocessableEntity);

        Assert.Equal(first.Id(), replay.Id());
        Assert.Contains("Idempotency-Key", other.GetProperty("detail").GetString());
    }

    // 9
    [Fact]
    public async Task RevokedExpiredAndUnknownKeysGetOneDetailAndTheAuditTrailKeepsTheDifference()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var created = await (await admin.PostJson("/api/v1/api-keys", new { name = "leaked", role = "reader" })).Json(HttpStatusCode.Created);
        var revokedId = created.GetProperty("apiKey").Id();
        (await admin.DeleteAsync($"/api/v1/api-keys/{revokedId}")).EnsureSuccessStatusCode();
        var expiring = await admin.CreateKey("reader", expiresAt: app.Clock.GetUtcNow().AddHours(1));
        app.Clock.Advance(TimeSpan.FromHours(2));

        var revoked = await (await app.ClientWithKey(created.GetProperty("key").GetString()).GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);
        var expired = await (await app.ClientWithKey(expiring).GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);
        var unknown = await (await app.ClientWithKey("zi_never_issued_0123456789_abcdefghijklmnopqrs").GetAsync("/api/v1/agencies")).Problem(HttpStatusCode.Unauthorized);
        var audit = await (await admin.GetAsync($"/api/v1/audit?apiKeyId={revokedId}")).Json(HttpStatusCode.OK);

        Assert.Equal(unknown.GetProperty("detail").GetString(), revoked.GetProperty("detail").GetString());
        Assert.Equal(unknown.GetProperty("detail").GetString(), expired.GetProperty("detail").GetString());
        var refusal = Assert.Single(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "authentication.refused");
        Assert.Contains("revoked", refusal.GetProperty("changes").ToString());
    }

    // 10
    [Fact]
    public async Task BidiAndFormatControlsAreStrippedFromStoredFileNames()
    {
        await using var app = await TestApp.StartAsync();
        var world = await SampleWorld.BuildAsync(app);
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << >> endobj\n%%EOF\n"));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        file.Headers.ContentDisposition = ContentDispositionHeaderValue.Parse("form-data; name=\"file\"; filename*=UTF-8''invoice%E2%80%AEfdp%E2%80%8B.exe");
        form.Add(file);

        var evidence = await (await world.Admin.PostAsync($"/api/v1/assessments/{world.Own.AssessmentId}/items/MP.P.1.a/evidence", form)).Json(HttpStatusCode.Created);
        var content = await world.Admin.GetAsync($"/api/v1/evidence/{evidence.Id()}/content");

        Assert.Equal("invoicefdp.exe", evidence.GetProperty("fileName").GetString());
        Assert.Equal("invoicefdp.exe", content.Content.Headers.ContentDisposition?.FileNameStar ?? content.Content.Headers.ContentDisposition?.FileName);
    }

    // 11
    [Fact]
    public async Task BindingErrorsNameTheJsonPathAndTheExpectedJsonTypeWithoutDotNetTypeNames()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();

        var unitText = await (await admin.PostRaw("/api/v1/units", $$"""{"agencyId":"{{agency}}","code":"X","name":"Y","kind":"biro","providesPublicService":true,"employeeCount":"abc"}""")).Content.ReadAsStringAsync();
        var unit = JsonDocument.Parse(unitText).RootElement;
        var milestonesText = await (await admin.PutAsync($"/api/v1/agencies/{agency}/absorption-milestones/2026",
            new StringContent("""{"month": 8, "minPercent": 60}""", Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync();
        var milestones = JsonDocument.Parse(milestonesText).RootElement;
        var nestedText = await (await admin.PostRaw("/api/v1/declarations",
            $$"""{"agencyId":"{{agency}}","declaredOn":"2026-01-01","place":"x","units":[{"unitId":"{{Guid.NewGuid()}}","head":[]}]}""")).Content.ReadAsStringAsync();
        var nested = JsonDocument.Parse(nestedText).RootElement;
        var queryText = await (await admin.GetAsync("/api/v1/units?agencyId=not-a-guid")).Content.ReadAsStringAsync();

        Assert.Contains("a JSON integer", unit.Errors("employeeCount")[0]);
        Assert.Contains("a JSON array", milestones.Errors("body")[0]);
        Assert.Contains("a JSON object", nested.Errors("units[0].head")[0]);
        foreach (var text in new[] { unitText, milestonesText, nestedText, queryText })
        {
            NoDotNetNames(text);
        }
        Assert.True(JsonDocument.Parse(queryText).RootElement.Errors("agencyId")[0].Contains("UUID"), queryText);
    }

    // 12
    [Fact]
    public async Task CapturedAtCannotBeInTheFutureAndValidUntilMustFollowTheReviewDate()
    {
        await using var app = await TestApp.StartAsync();
        var world = await SampleWorld.BuildAsync(app);
        var form = SampleWorld.PdfForm();
        form.Add(new StringContent("9999-12-31T00:00:00Z"), "capturedAt");

        var future = await (await world.Admin.PostAsync($"/api/v1/assessments/{world.Own.AssessmentId}/items/MP.P.1.a/evidence", form)).Problem(HttpStatusCode.BadRequest);
        var ancient = await (await world.Admin.PostJson($"/api/v1/evidence/{world.Own.EvidenceId}/review", new { decision = "accepted", validUntil = "0001-01-01" })).Problem(HttpStatusCode.BadRequest);
        var today = await (await world.Admin.PostJson($"/api/v1/evidence/{world.Own.EvidenceId}/review", new { decision = "accepted", validUntil = "2026-11-22" })).Problem(HttpStatusCode.BadRequest);
        var fine = await (await world.Admin.PostJson($"/api/v1/evidence/{world.Own.EvidenceId}/review", new { decision = "accepted", validUntil = "2027-11-22" })).Json(HttpStatusCode.OK);

        Assert.Contains("WIT", future.Errors("capturedAt")[0]);
        Assert.Contains("after the review date", ancient.Errors("validUntil")[0]);
        Assert.Contains("after the review date (2026-11-22)", today.Errors("validUntil")[0]);
        Assert.Equal("2027-11-22", fine.GetProperty("validUntil").GetString());
    }

    // 13
    [Fact]
    public async Task ADuplicatedJsonPropertyIsRefusedNamingIt()
    {
        await using var app = await TestApp.StartAsync();

        var text = await (await app.Admin().PostRaw("/api/v1/api-keys", """{"name":"dup","role":"admin","role":"reader"}""")).Content.ReadAsStringAsync();
        var problem = JsonDocument.Parse(text).RootElement;
        var keys = await (await app.Admin().GetAsync("/api/v1/api-keys")).Json(HttpStatusCode.OK);

        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.Contains("'role' appears more than once", problem.Errors("role")[0]);
        NoDotNetNames(text);
        Assert.DoesNotContain(keys.GetProperty("items").EnumerateArray(), k => k.GetProperty("name").GetString() == "dup");
    }
}

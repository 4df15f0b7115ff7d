using System.Net;
using System.Text;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests.Workbook;

public sealed class SpreadsheetExportTests
{
    private static Task<HttpResponseMessage> Get(HttpClient client, string url, string accept) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Accept", accept } } });

    [Fact]
    public async Task CsvExportsStartWithABomAndSplitOnSemicolonsWhenAsked()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        await admin.CreateUnit(await admin.CreateAgency());

        var comma = await (await Get(admin, "/api/v1/compliance", "text/csv")).Content.ReadAsByteArrayAsync();
        var semicolon = await (await Get(admin, "/api/v1/compliance?delimiter=semicolon", "text/csv")).Content.ReadAsByteArrayAsync();
        var audit = await (await Get(admin, "/api/v1/audit?delimiter=semicolon", "text/csv")).Content.ReadAsByteArrayAsync();

        Assert.Equal([0xEF, 0xBB, 0xBF], comma[..3]);
        Assert.StartsWith("agencyCode,unitId,unitCode,", Encoding.UTF8.GetString(comma[3..]));
        Assert.StartsWith("agencyCode;unitId;unitCode;", Encoding.UTF8.GetString(semicolon[3..]));
        Assert.StartsWith("id;at;apiKeyId;role;action", Encoding.UTF8.GetString(audit[3..]));
        var wrong = await (await Get(admin, "/api/v1/compliance?delimiter=tab", "text/csv")).Problem(HttpStatusCode.BadRequest);
        Assert.Contains("comma, semicolon", wrong.Errors("delimiter")[0]);
    }

    [Fact]
    public async Task XlsxExportsHaveAFrozenHeaderRowTypedCellsAndNoFormulas()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        await admin.CreateUnit(agency);

        var response = await Get(admin, "/api/v1/audit", SpreadsheetContent);
        var compliance = await Get(admin, "/api/v1/compliance", SpreadsheetContent);

        Assert.Equal(SpreadsheetContent, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(SpreadsheetContent, compliance.Content.Headers.ContentType?.MediaType);
        using var document = SpreadsheetDocument.Open(new MemoryStream(await response.Content.ReadAsByteArrayAsync()), false);
        var sheet = document.WorkbookPart!.WorksheetParts.Single().Worksheet;
        Assert.Equal(PaneStateValues.Frozen, sheet.Descendants<Pane>().Single().State!.Value);
        Assert.NotEmpty(sheet.Descendants<Column>());
        var rows = sheet.Descendants<Row>().ToList();
        Assert.Equal("id", rows[0].Elements<Cell>().First().InnerText);
        Assert.True(rows.Count >= 3);
        Assert.Empty(sheet.Descendants<CellFormula>());
        var at = rows[1].Elements<Cell>().ElementAt(1);
        Assert.Null(at.DataType);
        Assert.True(double.Parse(at.CellValue!.Text, System.Globalization.CultureInfo.InvariantCulture) > 46000);
        var formats = document.WorkbookPart.WorkbookStylesPart!.Stylesheet.NumberingFormats!.Elements<NumberingFormat>().Select(f => f.FormatCode!.Value).ToList();
        Assert.Contains("yyyy-mm-dd hh:mm:ss", formats);
        Assert.All(rows.Skip(1).SelectMany(r => r.Elements<Cell>()).Where(c => c.DataType?.Value == CellValues.InlineString), c => Assert.NotNull(c.InlineString));
    }

    private const string SpreadsheetContent = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    [Fact]
    public async Task APactCsvSplitOnSemicolonsWithABomAndALineBreakInAQuotedFieldIsRead()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var csv = new StringBuilder("\uFEFFname;nip;position;role;occasion;signedOn;documentUrl\r\n")
            .Append($"\"Siti; S.H.\";{Fixtures.Nip(1)};\"Kepala Biro\nUmum\";pimpinan;pencanangan;2026-03-15;\r\n")
            .Append($"Budi;{Fixtures.Nip(2)};Analis;pegawai;tahunan;2026-01-05;\r\n")
            .ToString();

        var result = await (await admin.PostRaw($"/api/v1/units/{unit}/integrity-pacts", csv, "text/csv")).Json(HttpStatusCode.Created);

        Assert.Equal(2, result.GetProperty("created").GetInt32());
        Assert.Equal("Siti; S.H.", result.GetProperty("items")[0].GetProperty("name").GetString());
        Assert.Equal("Kepala Biro\nUmum", result.GetProperty("items")[0].GetProperty("position").GetString());
        Assert.Equal("Budi", result.GetProperty("items")[1].GetProperty("name").GetString());
    }

    [Fact]
    public async Task TextThatLooksLikeAFormulaStaysTextInTheXlsxExport()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = (await (await admin.PostJson("/api/v1/units", new
        {
            agencyId = agency, code = Fixtures.UniqueCode("U"), name = "=HYPERLINK(\"https://evil.example\",\"klik\")", kind = "biro", providesPublicService = true, employeeCount = 5,
        })).Json(HttpStatusCode.Created)).Id();
        (await admin.PutAsync($"/api/v1/units/{unit}/budget/2026", System.Net.Http.Json.JsonContent.Create(new { ceiling = "1000000000.50" }))).EnsureSuccessStatusCode();

        var response = await Get(admin, $"/api/v1/agencies/{agency}/absorption?year=2026&month=8", SpreadsheetContent);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var book = Xlsx.Read(await response.Content.ReadAsByteArrayAsync()).Values.Single();
        Assert.All(book.Values, c => Assert.Null(c.Formula));
        Assert.Contains(book.Values, c => c.Value == "=HYPERLINK(\"https://evil.example\",\"klik\")");
        string[] textTypes = [CellValues.SharedString.ToString(), CellValues.InlineString.ToString(), CellValues.String.ToString()];
        Assert.Contains(book.Values, c => decimal.TryParse(c.Value, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var d)
            && d == 1000000000.5m && !textTypes.Contains(c.Type));
    }

    [Fact]
    public async Task TheComplianceExportHoldsEveryUnitInScopeAsXlsxOrCsv()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var units = new List<Guid>();
        for (var i = 0; i < 3; i++)
        {
            units.Add(await admin.CreateUnit(agency));
        }
        await admin.CreateUnit(await admin.CreateAgency());
        var reader = app.ClientWithKey(await admin.CreateKey("reader", agency));

        var xlsx = await reader.GetAsync("/api/v1/compliance/export");
        var csv = await Get(reader, "/api/v1/compliance/export?delimiter=semicolon", "text/csv");

        Assert.Equal(SpreadsheetContent, xlsx.Content.Headers.ContentType?.MediaType);
        Assert.EndsWith(".xlsx", xlsx.Content.Headers.ContentDisposition?.FileName?.Trim('"'));
        var sheet = Xlsx.Read(await xlsx.Content.ReadAsByteArrayAsync()).Values.Single();
        Assert.Equal("agencyCode", sheet["A1"].Value);
        Assert.Equal(units.Select(u => u.ToString()).Order(), new[] { "B2", "B3", "B4" }.Select(c => sheet[c].Value!).Order());
        Assert.False(sheet.ContainsKey("B5"));
        var text = await csv.Content.ReadAsByteArrayAsync();
        Assert.Equal([0xEF, 0xBB, 0xBF], text[..3]);
        var lines = Encoding.UTF8.GetString(text[3..]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.StartsWith("agencyCode;unitId;", lines[0]);
    }

    [Fact]
    public async Task APactPageExportedAsSemicolonCsvUploadsBackAsAlreadyRecordedAndAsXlsxKeepsNipsAsText()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var body = new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(1)), Fixtures.Pact(Fixtures.Nip(2), occasion: "pencanangan", role: "pimpinan") } };
        (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", body)).EnsureSuccessStatusCode();

        var csv = await (await Get(admin, $"/api/v1/units/{unit}/integrity-pacts?delimiter=semicolon", "text/csv")).Content.ReadAsStringAsync();
        var again = await (await admin.PostRaw($"/api/v1/units/{unit}/integrity-pacts", csv, "text/csv")).Json(HttpStatusCode.OK);
        var xlsx = Xlsx.Read(await (await Get(admin, $"/api/v1/units/{unit}/integrity-pacts", SpreadsheetContent)).Content.ReadAsByteArrayAsync()).Values.Single();

        Assert.StartsWith("nip;name;position;role;occasion;signedOn;documentUrl", csv);
        Assert.Equal(2, again.GetProperty("alreadyRecorded").GetInt32());
        Assert.Equal("nip", xlsx["A1"].Value);
        Assert.Contains(xlsx.Values, c => c.Value == Fixtures.Nip(1) && c.Type != null);
    }
}

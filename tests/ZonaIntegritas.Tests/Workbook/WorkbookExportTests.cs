using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Tests.Infrastructure;
using static ZonaIntegritas.Tests.Scoring.Worksheets;

namespace ZonaIntegritas.Tests.Workbook;

public sealed class WorkbookExportTests
{
    public const string XlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    internal static async Task<Guid> AssessmentWith(HttpClient admin, Guid agency, Dictionary<string, string> self, Dictionary<string, string>? tpi = null, string target = "WBK")
    {
        var unit = await admin.CreateUnit(agency);
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target })).Json(HttpStatusCode.Created)).Id();
        foreach (var (layer, answers) in new[] { ("self", self), ("tpi", tpi ?? []) })
        {
            if (answers.Count > 0)
            {
                var body = new { answers = answers.Select(a => new { itemCode = a.Key, value = a.Value, note = a.Key == "MP.P.1.a" ? $"catatan {layer}" : null }) };
                (await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/{layer}", body)).EnsureSuccessStatusCode();
            }
        }
        return assessment;
    }

    internal static async Task<byte[]> Export(HttpClient client, Guid assessment)
    {
        var response = await client.GetAsync($"/api/v1/assessments/{assessment}/workbook");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(XlsxType, response.Content.Headers.ContentType?.MediaType);
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static decimal Number(XCell cell) => decimal.Parse(cell.Value!, NumberStyles.Float, CultureInfo.InvariantCulture);

    [Fact]
    public async Task TheWorkbookPlacesEveryQuestionOnItsPortalRbRowWithBothLayersLiveFormulasAndCachedScores()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var self = Top(Lke);
        self["MP.P.2.b"] = "B";
        self.Remove("AK.P.1.b");
        var assessment = await AssessmentWith(admin, await admin.CreateAgency(), self, Lowest(Lke));
        var score = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/score?layer=self")).Json(HttpStatusCode.OK);

        var book = Xlsx.Read(await Export(admin, assessment));

        var jawaban = book["Jawaban"];
        var map = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "../../../../../db/frameworks/portalrb/portalrb-2026-soal-map.json"))).RootElement;
        foreach (var soal in map.GetProperty("soal").EnumerateArray())
        {
            var row = soal.GetProperty("excelRow").GetInt32();
            Assert.Equal(soal.GetProperty("itemCode").GetString(), jawaban[$"B{row}"].Value);
        }
        Assert.Equal("Ya", jawaban["K6"].Value);
        Assert.Equal("catatan self", jawaban["L6"].Value);
        Assert.Equal("Tidak", jawaban["N6"].Value);
        Assert.Equal("catatan tpi", jawaban["Q6"].Value);
        Assert.Equal("B", jawaban["K10"].Value);
        Assert.Contains("K10", jawaban["H10"].Formula);
        Assert.Equal(0.5m, Number(jawaban["H10"]));
        Assert.Null(jawaban["K62"].Value);
        Assert.Equal("", jawaban["H62"].Value);
        Assert.Contains("AVERAGE(H9:H11)", jawaban["R8"].Formula);
        Assert.Equal(Math.Round((1m + 0.5m + 1m) / 3m, 10), Math.Round(Number(jawaban["R8"]), 10));
        Assert.StartsWith("IF(OR(K126=\"\",K127=\"\")", jawaban["H125"].Formula);
        Assert.Equal("MP.R.1.a", jawaban["B125"].Value);

        var ringkasan = book["Ringkasan"];
        var total = Xlsx.RowOf(ringkasan, "total");
        Assert.Equal(score.GetProperty("total").GetDecimal(), Math.Round(Number(ringkasan[$"D{total}"]), 2));
        Assert.Equal(0m, Number(ringkasan[$"E{total}"]));
        var eligible = Xlsx.RowOf(ringkasan, "eligible");
        Assert.Equal("0", ringkasan[$"C{eligible}"].Value);
        Assert.Contains(ringkasan.Values, c => c.Value?.Contains("Unit", StringComparison.Ordinal) == true);
        Assert.Contains(ringkasan.Values, c => c.Value == "Jawaban unit terakhir diubah");
    }

    [Fact]
    public async Task AnswerCellsCarryDropDownsAndNumberRangesAndOnlyTheStructureIsProtected()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var assessment = await AssessmentWith(admin, await admin.CreateAgency(), Top(Lke));

        var bytes = await Export(admin, assessment);

        using var document = DocumentFormat.OpenXml.Packaging.SpreadsheetDocument.Open(new MemoryStream(bytes), false);
        var workbook = document.WorkbookPart!;
        Assert.True(workbook.Workbook.WorkbookProtection!.LockStructure!.Value);
        var sheet = workbook.WorksheetParts.First(p => p.Worksheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Cell>().Any(c => c.CellReference == "K6")).Worksheet;
        Assert.True(sheet.GetFirstChild<DocumentFormat.OpenXml.Spreadsheet.SheetProtection>()!.Sheet!.Value);
        var validations = sheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.DataValidation>().ToList();
        var yaTidak = validations.Single(v => v.Formula1?.Text == "\"Ya,Tidak\"");
        Assert.Contains("K6", yaTidak.SequenceOfReferences!.InnerText!.Split(' '));
        Assert.Contains("N6", yaTidak.SequenceOfReferences!.InnerText!.Split(' '));
        Assert.Contains(validations, v => v.Formula1?.Text == "\"A,B,C,D,E\"");
        var counts = validations.Single(v => v.Type?.Value == DocumentFormat.OpenXml.Spreadsheet.DataValidationValues.Whole);
        Assert.Contains("K126", counts.SequenceOfReferences!.InnerText!.Split(' '));
        var survey = validations.Single(v => v.Type?.Value == DocumentFormat.OpenXml.Spreadsheet.DataValidationValues.Decimal);
        Assert.Contains("K199", survey.SequenceOfReferences!.InnerText!.Split(' '));
        var styles = workbook.WorkbookStylesPart!.Stylesheet.CellFormats!.Elements<DocumentFormat.OpenXml.Spreadsheet.CellFormat>().ToList();
        var k6 = sheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Cell>().Single(c => c.CellReference == "K6");
        var h6 = sheet.Descendants<DocumentFormat.OpenXml.Spreadsheet.Cell>().Single(c => c.CellReference == "H6");
        Assert.False(styles[(int)k6.StyleIndex!.Value].Protection!.Locked!.Value);
        Assert.Null(styles[(int)(h6.StyleIndex?.Value ?? 0)].Protection);
        Assert.Contains("LKE Zona Integritas 2026", document.PackageProperties.Title);
    }

    [Fact]
    public async Task ColumnMLinksThePortalRbEvidencePageOfAnItemWithEvidence()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var assessment = await AssessmentWith(admin, await admin.CreateAgency(), Top(Lke));
        (await admin.PostJson($"/api/v1/assessments/{assessment}/items/MP.P.1.a/evidence",
            new { url = "https://dokumen.example.go.id/sk-tim.pdf", title = "SK Tim ZI", description = "SK" })).EnsureSuccessStatusCode();

        var jawaban = Xlsx.Read(await Export(admin, assessment))["Jawaban"];

        Assert.Contains($"/portalrb/v1/bukti/{assessment:D}/MP.P.1.a?exp=", jawaban["M6"].Value);
        Assert.Null(jawaban["M7"].Value);
    }

    [Fact]
    public async Task AnotherAgencysAssessmentHasNoWorkbook()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var assessment = await AssessmentWith(admin, await admin.CreateAgency(), Top(Lke));
        var other = app.ClientWithKey(await admin.CreateKey("reader", await admin.CreateAgency()));

        var problem = await (await other.GetAsync($"/api/v1/assessments/{assessment}/workbook")).Problem(HttpStatusCode.NotFound);

        Assert.Contains(assessment.ToString(), problem.GetProperty("detail").GetString());
    }
}

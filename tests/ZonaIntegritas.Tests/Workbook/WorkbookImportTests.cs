using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using DocumentFormat.OpenXml.Spreadsheet;
using ZonaIntegritas.Tests.Infrastructure;
using static ZonaIntegritas.Tests.Scoring.Worksheets;

namespace ZonaIntegritas.Tests.Workbook;

public sealed class WorkbookImportTests
{
    private static ByteArrayContent Body(byte[] bytes, string type = WorkbookExportTests.XlsxType)
    {
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue(type);
        return content;
    }

    private static Task<HttpResponseMessage> Import(HttpClient client, Guid assessment, string layer, byte[] bytes) =>
        client.PutAsync($"/api/v1/assessments/{assessment}/answers/{layer}", Body(bytes));

    private static async Task<Guid> Empty(HttpClient admin, Guid agency) => await WorkbookExportTests.AssessmentWith(admin, agency, []);

    private static async Task<Dictionary<string, (string Value, string? Note)>> Answers(HttpClient client, Guid assessment, string layer) =>
        (await (await client.GetAsync($"/api/v1/assessments/{assessment}/answers/{layer}")).Json(HttpStatusCode.OK)).GetProperty("answers").EnumerateArray()
            .ToDictionary(a => a.GetProperty("itemCode").GetString()!, a => (a.GetProperty("value").GetString()!, a.GetProperty("note").GetString()));

    /// <summary>The layout's anchors (codes in column B on every mapped row) as another tool would write them.</summary>
    private static Dictionary<string, object> Layout()
    {
        var map = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "../../../../../db/frameworks/portalrb/portalrb-2026-soal-map.json"))).RootElement;
        var cells = new Dictionary<string, object>();
        foreach (var soal in map.GetProperty("soal").EnumerateArray())
        {
            cells[$"B{soal.GetProperty("excelRow").GetInt32()}"] = soal.GetProperty("itemCode").GetString()!;
        }
        foreach (var (code, row) in new[] { ("MP.R.1.a", 125), ("SDM.R.3.a", 151), ("AK.R.1.a", 157), ("PW.R.2.a", 168) })
        {
            cells[$"B{row}"] = code;
        }
        return cells;
    }

    [Fact]
    public async Task AnExportedWorkbookImportedIntoAnotherAssessmentGivesIdenticalAnswersAndScoresInBothLayers()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var self = Exactly(SubIndicatorsOf(Lke, _ => true).ToList(), 77.5m)!;
        var tpi = Top(Lke);
        tpi.Remove("HB.2");
        tpi["HB.1"] = "3.62";
        var source = await WorkbookExportTests.AssessmentWith(admin, agency, self, tpi);
        var copy = await Empty(admin, agency);
        var bytes = await WorkbookExportTests.Export(admin, source);

        var selfImport = await (await Import(admin, copy, "self", bytes)).Json(HttpStatusCode.OK);
        await (await Import(admin, copy, "tpi", bytes)).Json(HttpStatusCode.OK);

        Assert.Equal("self", selfImport.GetProperty("layer").GetString());
        foreach (var layer in new[] { "self", "tpi" })
        {
            Assert.Equal(await Answers(admin, source, layer), await Answers(admin, copy, layer));
            var before = await (await admin.GetAsync($"/api/v1/assessments/{source}/score?layer={layer}")).Json(HttpStatusCode.OK);
            var after = await (await admin.GetAsync($"/api/v1/assessments/{copy}/score?layer={layer}")).Json(HttpStatusCode.OK);
            Assert.Equal(before.GetProperty("total").GetDecimal(), after.GetProperty("total").GetDecimal());
            Assert.Equal(before.GetProperty("eligibility").GetRawText(), after.GetProperty("eligibility").GetRawText());
        }
        var history = await (await admin.GetAsync($"/api/v1/assessments/{copy}/answers/self/MP.P.1.a/history")).Json(HttpStatusCode.OK);
        Assert.Single(history.GetProperty("changes").EnumerateArray());
        var audit = await (await admin.GetAsync($"/api/v1/audit?entityId={copy}")).Json(HttpStatusCode.OK);
        Assert.Contains(audit.GetProperty("items").EnumerateArray(), e => e.GetProperty("action").GetString() == "answers.written");
    }

    [Fact]
    public async Task AWorkbookWrittenByAnotherToolWithExcelHabitsIsReadAsTheSameAnswers()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var assessment = await Empty(admin, await admin.CreateAgency());
        var cells = Layout();
        cells["K6"] = " ya ";
        cells["L6"] = "SK Tim ZI\nNomor 12";
        cells["K7"] = "b";
        cells["K9"] = "TIDAK";
        cells["K126"] = 12.0;
        cells["K127"] = "7.0";
        cells["K199"] = "3,62";
        cells["K202"] = 3.2000000000000002;
        cells["K10"] = new Xlsx.Formula("IF(1=1,\"A\",\"C\")", "A", CellValues.String);
        cells["N6"] = "Ya";

        var sheet = await (await Import(admin, assessment, "self", Xlsx.Write(cells))).Json(HttpStatusCode.OK);

        var answers = await Answers(admin, assessment, "self");
        Assert.Equal(("Ya", "SK Tim ZI\nNomor 12"), answers["MP.P.1.a"]);
        Assert.Equal("B", answers["MP.P.1.b"].Value);
        Assert.Equal("Tidak", answers["MP.P.2.a"].Value);
        Assert.Equal("A", answers["MP.P.2.b"].Value);
        Assert.Equal("12", answers["MP.R.1.a.1"].Value);
        Assert.Equal("7", answers["MP.R.1.a.2"].Value);
        Assert.Equal("3.62", answers["HB.1"].Value);
        Assert.Equal("3.2", answers["HP.1"].Value);
        Assert.Equal(8, sheet.GetProperty("answers").GetArrayLength());
        Assert.Empty(await Answers(admin, assessment, "tpi"));
    }

    [Fact]
    public async Task EveryBadCellIsNamedInOneBadRequestAndNothingIsWritten()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var assessment = await Empty(admin, await admin.CreateAgency());
        var cells = Layout();
        cells["K6"] = "Ya";
        cells["K10"] = "X";
        cells["K126"] = -3;
        cells["K127"] = 2.5;
        cells["K199"] = "4,5";
        cells["K11"] = new Xlsx.Formula("1/0", "#DIV/0!", CellValues.Error);
        cells["K13"] = new Xlsx.Formula("[1]Sheet1!A1", null);
        cells["L14"] = "a note without an answer";
        cells["K15"] = "Ya";

        var problem = await (await Import(admin, assessment, "self", Xlsx.Write(cells))).Problem(HttpStatusCode.BadRequest);

        Assert.Equal("Jawaban!K10: 'X' is not one of A, B, C (item MP.P.2.b).", problem.Errors("Jawaban!K10")[0]);
        Assert.Contains("whole number", problem.Errors("Jawaban!K126")[0]);
        Assert.Contains("'2.5'", problem.Errors("Jawaban!K127")[0]);
        Assert.Contains("'4,5' is not a number from 0 to 4", problem.Errors("Jawaban!K199")[0]);
        Assert.Contains("the formula's value '#DIV/0!'", problem.Errors("Jawaban!K11")[0]);
        Assert.Contains("MP.P.3.a", problem.Errors("Jawaban!K13")[0]);
        Assert.Contains("a note needs an answer in Jawaban!K14", problem.Errors("Jawaban!L14")[0]);
        Assert.Contains("'Ya' is not one of A, B, C, D", problem.Errors("Jawaban!K15")[0]);
        Assert.Equal(8, problem.GetProperty("errors").EnumerateObject().Count());
        Assert.Empty(await Answers(admin, assessment, "self"));
    }

    [Fact]
    public async Task MovedRowsMergedAnswerCellsAndAMissingSheetAreNotTheLkeLayout()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var assessment = await Empty(admin, await admin.CreateAgency());
        var moved = Layout().ToDictionary(c => c.Key, c => c.Value);
        moved["B6"] = "Nomor";
        var merged = Layout();
        merged["K6"] = "Ya";

        var movedProblem = await (await Import(admin, assessment, "self", Xlsx.Write(moved))).Problem(HttpStatusCode.BadRequest);
        var mergedProblem = await (await Import(admin, assessment, "self", Xlsx.Write(merged, merged: ["K6:K8"]))).Problem(HttpStatusCode.BadRequest);
        var sheetProblem = await (await Import(admin, assessment, "self", Xlsx.Write(merged, sheetName: "Sheet1"))).Problem(HttpStatusCode.BadRequest);

        Assert.StartsWith("This is not the LKE workbook layout: Jawaban!B6 should hold item code MP.P.1.a", movedProblem.Errors("file")[0]);
        Assert.Contains("K6:K8 are merged", mergedProblem.Errors("file")[0]);
        Assert.Contains("no sheet 'Jawaban'", sheetProblem.Errors("file")[0]);
        Assert.Empty(await Answers(admin, assessment, "self"));
    }

    [Fact]
    public async Task FilesThatAreNotXlsxAre415AndOversizedOrInflatingOnesAre413()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["Limits:MaxImportBodyBytes"] = "2000000" });
        var admin = app.Admin();
        var assessment = await Empty(admin, await admin.CreateAgency());
        using var bomb = new MemoryStream();
        using (var zip = new ZipArchive(bomb, ZipArchiveMode.Create, leaveOpen: true))
        {
            await using var entry = zip.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 70; i++)
            {
                entry.Write(zeros);
            }
        }
        var macro = Xlsx.Write(Layout(), macro: true);

        var pdf = await (await Import(admin, assessment, "self", "%PDF-1.7 not a workbook"u8.ToArray())).Problem(HttpStatusCode.UnsupportedMediaType);
        var zipNotXlsx = await (await Import(admin, assessment, "self", ZipOf("hello.txt"))).Problem(HttpStatusCode.UnsupportedMediaType);
        var macroProblem = await (await Import(admin, assessment, "self", macro)).Problem(HttpStatusCode.UnsupportedMediaType);
        var inflating = await (await Import(admin, assessment, "self", bomb.ToArray())).Problem(HttpStatusCode.RequestEntityTooLarge);
        var large = await (await Import(admin, assessment, "self", new byte[2_100_000])).Problem(HttpStatusCode.RequestEntityTooLarge);
        var wrongType = await (await admin.PutAsync($"/api/v1/assessments/{assessment}/answers/self", Body([1, 2], "application/pdf"))).Problem(HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("not an .xlsx workbook", pdf.GetProperty("detail").GetString());
        Assert.Contains("not an .xlsx workbook", zipNotXlsx.GetProperty("detail").GetString());
        Assert.Contains("macro-enabled", macroProblem.GetProperty("detail").GetString());
        Assert.Contains("inflates to", inflating.GetProperty("detail").GetString());
        Assert.Contains("at most 2000000 bytes", large.GetProperty("detail").GetString());
        Assert.Contains("application/pdf", wrongType.GetProperty("detail").GetString());
        Assert.Empty(await Answers(admin, assessment, "self"));
    }

    private static byte[] ZipOf(string name)
    {
        using var stream = new MemoryStream();
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry(name).Open());
            writer.Write("hello");
        }
        return stream.ToArray();
    }

    [Fact]
    public async Task AMultipartUploadWorksAndTheRolesLocksAndLayersOfJsonAnswersApply()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var source = await WorkbookExportTests.AssessmentWith(admin, agency, Top(Lke), Top(Lke));
        var bytes = await WorkbookExportTests.Export(admin, source);
        var target = await Empty(admin, agency);
        var reader = app.ClientWithKey(await admin.CreateKey("reader", agency));
        var evaluator = app.ClientWithKey(await admin.CreateKey("evaluator"));
        var form = new MultipartFormDataContent { { Body(bytes), "file", "lke.xlsx" } };

        var multipart = await (await admin.PutAsync($"/api/v1/assessments/{target}/answers/tpi", form)).Json(HttpStatusCode.OK);
        var forbidden = await (await Import(reader, target, "self", bytes)).Problem(HttpStatusCode.Forbidden);
        var evaluatorSelf = await (await Import(evaluator, target, "self", bytes)).Problem(HttpStatusCode.Forbidden);
        var tpn = await (await Import(admin, target, "tpn", bytes)).Problem(HttpStatusCode.BadRequest);
        var missing = await (await Import(admin, Guid.NewGuid(), "self", bytes)).Problem(HttpStatusCode.NotFound);

        Assert.Equal(Top(Lke).Count, multipart.GetProperty("answers").GetArrayLength());
        Assert.Equal(403, forbidden.GetProperty("status").GetInt32());
        Assert.Contains("may not write the 'self' layer", evaluatorSelf.GetProperty("detail").GetString());
        Assert.Contains("self (K/L) and tpi (N/Q)", tpn.Errors("layer")[0]);
        Assert.NotNull(missing.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ALockedLayerRefusesAWorkbookAsItRefusesJsonAndAnAdminMayStillImport()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var source = await WorkbookExportTests.AssessmentWith(admin, agency, Top(Lke));
        var bytes = await WorkbookExportTests.Export(admin, source);
        var target = await Empty(admin, agency);
        var inspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agency));
        // The workflow's own rules are tested elsewhere; here only the lock matters, so the status is set directly.
        await using (var connection = new Microsoft.Data.Sqlite.SqliteConnection(app.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "UPDATE assessments SET status = 'self_submitted' WHERE id = $id";
            command.Parameters.AddWithValue("$id", target.ToString());
            Assert.Equal(1, await command.ExecuteNonQueryAsync());
        }

        var locked = await (await Import(inspectorate, target, "self", bytes)).Problem(HttpStatusCode.UnprocessableEntity);
        var empty = await Answers(admin, target, "self");
        await (await Import(admin, target, "self", bytes)).Json(HttpStatusCode.OK);

        Assert.Contains("locked", locked.GetProperty("detail").GetString());
        Assert.Empty(empty);
        Assert.Equal(await Answers(admin, source, "self"), await Answers(admin, target, "self"));
    }

    [Fact]
    public async Task ASheetWithMoreThanTwoHundredThousandCellsIs413()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var assessment = await Empty(admin, await admin.CreateAgency());
        var cells = Layout();
        for (var row = 1; row <= 200_001; row++)
        {
            cells[$"Z{row}"] = 1;
        }

        var problem = await (await Import(admin, assessment, "self", Xlsx.Write(cells))).Problem(HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("more than 200000 cells", problem.GetProperty("detail").GetString());
    }
}

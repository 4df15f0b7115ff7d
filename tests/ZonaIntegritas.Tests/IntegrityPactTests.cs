using System.Net;
using System.Text;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class IntegrityPactTests
{
    [Theory, SqliteData, SqlServerData]
    public async Task OnePactPostedAtTheTopLevelIsRecorded(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());

        var result = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(1)))).Json(HttpStatusCode.Created);

        Assert.Equal(1, result.GetProperty("created").GetInt32());
        Assert.Equal(Fixtures.Nip(1), result.GetProperty("items")[0].GetProperty("nip").GetString());
        var list = await (await admin.GetAsync($"/api/v1/units/{unit}/integrity-pacts?year=2026")).Json(HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("total").GetInt32());
    }

    [Theory, SqliteData, SqlServerData]
    public async Task FiveThousandPactsInOneBatchAreAllRecorded(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency(), employeeCount: 5000);
        var pacts = Enumerable.Range(0, 5000).Select(i => Fixtures.Pact(Fixtures.Nip(i))).ToArray();

        var result = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts })).Json(HttpStatusCode.Created);

        Assert.Equal(5000, result.GetProperty("created").GetInt32());
        var compliance = await (await admin.GetAsync($"/api/v1/units/{unit}/compliance?year=2026")).Json(HttpStatusCode.OK);
        Assert.Equal(5000, compliance.GetProperty("pacts").GetProperty("signedEmployees").GetInt32());
        Assert.Equal(1m, compliance.GetProperty("pacts").GetProperty("coverage").GetDecimal());
    }

    [Fact]
    public async Task MoreThanFiveThousandPactsAreRejected()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var pacts = Enumerable.Range(0, 5001).Select(i => Fixtures.Pact(Fixtures.Nip(i))).ToArray();

        var problem = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts })).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("At most 5000", problem.Errors("pacts")[0]);
    }

    [Fact]
    public async Task EveryBadRowIsReportedByIndexAndNothingIsWritten()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var pacts = new object[]
        {
            Fixtures.Pact(Fixtures.Nip(1)),
            Fixtures.Pact("123"),
            Fixtures.Pact(Fixtures.Nip(3), occasion: "ulang-tahun"),
            Fixtures.Pact(Fixtures.Nip(4), signedOn: "2027-01-01"),
            Fixtures.Pact(Fixtures.Nip(1)),
        };

        var problem = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts })).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("18 digits", problem.Errors("pacts[1].nip")[0]);
        Assert.Contains("occasion must be one of", problem.Errors("pacts[2].occasion")[0]);
        Assert.Contains("future", problem.Errors("pacts[3].signedOn")[0]);
        Assert.Equal(3, problem.GetProperty("errors").EnumerateObject().Count());
        var list = await (await admin.GetAsync($"/api/v1/units/{unit}/integrity-pacts")).Json(HttpStatusCode.OK);
        Assert.Equal(0, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task TheSameEmployeeTwiceInOneUploadIsReportedAtTheSecondRow()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());

        var problem = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts",
            new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(1)), Fixtures.Pact(Fixtures.Nip(2)), Fixtures.Pact(Fixtures.Nip(1), signedOn: "2026-02-01") } })).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("twice in this upload (also at pacts[0])", problem.Errors("pacts[2].nip")[0]);
    }

    [Theory, SqliteData, SqlServerData]
    public async Task ResendingIdenticalPactsIsHarmlessButADifferentPactForTheSameOccasionAndYearConflicts(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var pacts = new[] { Fixtures.Pact(Fixtures.Nip(1)), Fixtures.Pact(Fixtures.Nip(2)) };
        await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts })).Json(HttpStatusCode.Created);

        var resent = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", new { pacts })).Json(HttpStatusCode.OK);
        var mixed = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts",
            new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(1)), Fixtures.Pact(Fixtures.Nip(3)) } })).Json(HttpStatusCode.Created);
        var conflict = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts",
            new { pacts = new[] { Fixtures.Pact(Fixtures.Nip(4)), Fixtures.Pact(Fixtures.Nip(2), signedOn: "2026-03-03") } })).Problem(HttpStatusCode.Conflict);
        var otherYear = await (await admin.PostJson($"/api/v1/units/{unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(2), signedOn: "2025-03-03"))).Json(HttpStatusCode.Created);

        Assert.Equal(0, resent.GetProperty("created").GetInt32());
        Assert.Equal(2, resent.GetProperty("alreadyRecorded").GetInt32());
        Assert.Equal(1, mixed.GetProperty("created").GetInt32());
        Assert.Equal(1, mixed.GetProperty("alreadyRecorded").GetInt32());
        Assert.StartsWith($"pacts[1]: NIP {Fixtures.Nip(2)} already signed a different pact for 'tahunan' in 2026", conflict.GetProperty("detail").GetString());
        Assert.Equal(1, conflict.GetProperty("conflicts")[0].GetProperty("index").GetInt32());
        Assert.Equal(1, otherYear.GetProperty("created").GetInt32());
        var list = await (await admin.GetAsync($"/api/v1/units/{unit}/integrity-pacts")).Json(HttpStatusCode.OK);
        Assert.Equal(4, list.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task ACsvFileIsImportedWithQuotedFieldsAndAnyColumnOrder()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var csv = new StringBuilder("\uFEFFname,nip,position,role,occasion,signedOn,documentUrl\r\n")
            .Append($"\"Siti, S.H.\",{Fixtures.Nip(1)},Kepala Biro,pimpinan,pencanangan,2026-03-15,https://example.go.id/pakta/1.pdf\r\n")
            .Append($"\"Budi \"\"Bud\"\" Santoso\",{Fixtures.Nip(2)},Analis,pegawai,tahunan,2026-01-05,\r\n")
            .ToString();

        var result = await (await admin.PostRaw($"/api/v1/units/{unit}/integrity-pacts", csv, "text/csv")).Json(HttpStatusCode.Created);

        Assert.Equal(2, result.GetProperty("created").GetInt32());
        Assert.Equal("Siti, S.H.", result.GetProperty("items")[0].GetProperty("name").GetString());
        Assert.Equal("Budi \"Bud\" Santoso", result.GetProperty("items")[1].GetProperty("name").GetString());
    }

    [Fact]
    public async Task ACsvRowWithABadDateOrNipNamesTheRowAndTheLine()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var csv = $"nip,name,position,role,occasion,signedOn\n{Fixtures.Nip(1)},A,Analis,pegawai,tahunan,15/03/2026\n19801301200503100,B,Analis,pegawai,tahunan,2026-01-01\n";

        var problem = await (await admin.PostRaw($"/api/v1/units/{unit}/integrity-pacts", csv, "text/csv")).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("CSV line 2", problem.Errors("pacts[0].signedOn")[0]);
        Assert.Contains("CSV line 3", problem.Errors("pacts[1].nip")[0]);
    }

    [Fact]
    public async Task ACsvFileWithoutTheRequiredColumnsIsRejected()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());

        var problem = await (await admin.PostRaw($"/api/v1/units/{unit}/integrity-pacts", "nip,name\n1,2\n", "text/csv")).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("lacks column(s) position, role, occasion, signedOn", problem.Errors("file")[0]);
    }

    [Fact]
    public async Task PactsInAnotherFormatAreRefusedWith415()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());

        var problem = await (await admin.PostRaw($"/api/v1/units/{unit}/integrity-pacts", "<pacts/>", "application/xml")).Problem(HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("application/xml", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task AUnitKeyRecordsPactsForItsOwnUnitOnly()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var mine = await admin.CreateUnit(agency);
        var sibling = await admin.CreateUnit(agency);
        var unitKey = app.ClientWithKey(await admin.CreateKey("unit", unitId: mine));

        await (await unitKey.PostJson($"/api/v1/units/{mine}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(1)))).Json(HttpStatusCode.Created);
        var write = await (await unitKey.PostJson($"/api/v1/units/{sibling}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(2)))).Problem(HttpStatusCode.NotFound);
        var read = await (await unitKey.GetAsync($"/api/v1/units/{sibling}/integrity-pacts")).Problem(HttpStatusCode.NotFound);

        Assert.Contains(sibling.ToString(), write.GetProperty("detail").GetString());
        Assert.Contains(sibling.ToString(), read.GetProperty("detail").GetString());
        var siblingPacts = await (await admin.GetAsync($"/api/v1/units/{sibling}/integrity-pacts")).Json(HttpStatusCode.OK);
        Assert.Equal(0, siblingPacts.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AReaderKeyCannotRecordPacts()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var reader = app.ClientWithKey(await admin.CreateKey("reader", agencyId: agency));

        var problem = await (await reader.PostJson($"/api/v1/units/{unit}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(1)))).Problem(HttpStatusCode.Forbidden);

        Assert.Contains("'reader'", problem.GetProperty("detail").GetString());
        await (await reader.GetAsync($"/api/v1/units/{unit}/integrity-pacts")).Json(HttpStatusCode.OK);
    }
}

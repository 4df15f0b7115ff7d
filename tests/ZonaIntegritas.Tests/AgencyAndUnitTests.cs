using System.Net;
using System.Net.Http.Json;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class AgencyAndUnitTests
{
    [Theory, SqliteData, SqlServerData]
    public async Task AgencyCodesAreUniqueRegardlessOfCase(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var first = await admin.CreateAgency("KEMENPUPR");

        var problem = await (await admin.PostJson("/api/v1/agencies", new { code = "kemenpupr", name = "Duplikat", kind = "kementerian" })).Problem(HttpStatusCode.Conflict);

        Assert.Contains("kemenpupr", problem.GetProperty("detail").GetString());
        Assert.Equal(first, problem.GetProperty("existingAgencyId").GetGuid());
    }

    [Fact]
    public async Task AnAgencyIsUpdatedAndAnInvalidKindIsNamed()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();

        var updated = await (await admin.PutAsJsonAsync($"/api/v1/agencies/{agency}", new { code = "PEMPROV-JATENG", name = "Pemerintah Provinsi Jawa Tengah", kind = "pemda" })).As<AgencyResource>(HttpStatusCode.OK);
        var invalid = await (await admin.PutAsJsonAsync($"/api/v1/agencies/{agency}", new { code = "X", name = "X", kind = "provinsi" })).Problem(HttpStatusCode.BadRequest);
        var missing = await (await admin.PutAsJsonAsync($"/api/v1/agencies/{Guid.NewGuid()}", new { code = "Y", name = "Y", kind = "pemda" })).Problem(HttpStatusCode.NotFound);

        Assert.Equal(("PEMPROV-JATENG", "pemda"), (updated.Code, updated.Kind));
        Assert.Contains("kind must be one of", invalid.Errors("kind")[0]);
        Assert.Contains("was not found", missing.GetProperty("detail").GetString());
    }

    [Theory, SqliteData, SqlServerData]
    public async Task UnitCodesAreUniqueWithinAnAgencyButMayRepeatAcrossAgencies(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var a = await admin.CreateAgency();
        var b = await admin.CreateAgency();
        await admin.CreateUnit(a, code: "BIRO-UMUM");
        await admin.CreateUnit(b, code: "BIRO-UMUM");

        var problem = await (await admin.PostJson("/api/v1/units", new { agencyId = a, code = "biro-umum", name = "Lagi", kind = "biro", providesPublicService = false, employeeCount = 1 })).Problem(HttpStatusCode.Conflict);

        Assert.Contains("biro-umum", problem.GetProperty("detail").GetString());
    }

    [Theory, SqliteData, SqlServerData]
    public async Task UnitsArePagedAndSearchedByCodeOrName(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        for (var i = 1; i <= 5; i++)
        {
            await admin.CreateUnit(agency, code: $"BALAI-{i:D2}");
        }
        await admin.CreateUnit(agency, code: "DINAS_1");

        var page = await (await admin.GetAsync($"/api/v1/units?agencyId={agency}&page=2&pageSize=2")).As<PageOf<UnitResource>>(HttpStatusCode.OK);
        var search = await (await admin.GetAsync($"/api/v1/units?agencyId={agency}&q=balai-0")).As<PageOf<UnitResource>>(HttpStatusCode.OK);
        var literal = await (await admin.GetAsync($"/api/v1/units?agencyId={agency}&q=_")).As<PageOf<UnitResource>>(HttpStatusCode.OK);
        var tooBig = await (await admin.GetAsync($"/api/v1/units?pageSize=201")).Problem(HttpStatusCode.BadRequest);

        Assert.Equal((6L, 2), (page.Total, page.Page));
        Assert.Equal(["BALAI-03", "BALAI-04"], page.Items.Select(u => u.Code));
        Assert.Equal(5, search.Total);
        Assert.Equal(["DINAS_1"], literal.Items.Select(u => u.Code));
        Assert.Contains("between 1 and 200", tooBig.Errors("pageSize")[0]);
    }

    [Fact]
    public async Task AParentMustBeInTheSameAgencyAndTheHierarchyCannotBecomeCircular()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var other = await admin.CreateUnit(await admin.CreateAgency());
        var top = await admin.CreateUnit(agency, code: "SETJEN");
        var child = await admin.CreateUnit(agency, code: "BIRO-1", parentUnitId: top);

        var foreignParent = await (await admin.PostJson("/api/v1/units", new { agencyId = agency, code = "X", name = "X", parentUnitId = other, kind = "biro", providesPublicService = false, employeeCount = 1 })).Problem(HttpStatusCode.BadRequest);
        var circular = await (await admin.PutAsJsonAsync($"/api/v1/units/{top}", new { code = "SETJEN", name = "Sekretariat Jenderal", parentUnitId = child, kind = "sekretariat", providesPublicService = false, employeeCount = 100 })).Problem(HttpStatusCode.BadRequest);
        var self = await (await admin.PutAsJsonAsync($"/api/v1/units/{top}", new { code = "SETJEN", name = "Sekretariat Jenderal", parentUnitId = top, kind = "sekretariat", providesPublicService = false, employeeCount = 100 })).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("does not exist in agency", foreignParent.Errors("parentUnitId")[0]);
        Assert.Contains("circular", circular.Errors("parentUnitId")[0]);
        Assert.Contains("circular", self.Errors("parentUnitId")[0]);
    }

    [Fact]
    public async Task AUnitNeedsANonNegativeEmployeeCountAndAKnownKind()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();

        var problem = await (await admin.PostJson("/api/v1/units", new { agencyId = agency, code = "U1", name = "U1", kind = "kecamatan", providesPublicService = true, employeeCount = -1 })).Problem(HttpStatusCode.BadRequest);

        Assert.NotEmpty(problem.Errors("employeeCount"));
        Assert.Contains("kind must be one of", problem.Errors("kind")[0]);
    }

    [Fact]
    public async Task KeysSeeOnlyTheAgenciesAndUnitsInTheirScope()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var mine = await admin.CreateAgency();
        var theirs = await admin.CreateAgency();
        var myUnit = await admin.CreateUnit(mine);
        var mySibling = await admin.CreateUnit(mine);
        var theirUnit = await admin.CreateUnit(theirs);
        var reader = app.ClientWithKey(await admin.CreateKey("reader", agencyId: mine));
        var unitKey = app.ClientWithKey(await admin.CreateKey("unit", unitId: myUnit));
        var national = app.ClientWithKey(await admin.CreateKey("reader"));

        await (await reader.GetAsync($"/api/v1/units/{mySibling}")).Json(HttpStatusCode.OK);
        await (await reader.GetAsync($"/api/v1/units/{theirUnit}")).Problem(HttpStatusCode.NotFound);
        await (await reader.GetAsync($"/api/v1/agencies/{theirs}")).Problem(HttpStatusCode.NotFound);
        await (await unitKey.GetAsync($"/api/v1/units/{myUnit}")).Json(HttpStatusCode.OK);
        await (await unitKey.GetAsync($"/api/v1/units/{mySibling}")).Problem(HttpStatusCode.NotFound);
        await (await national.GetAsync($"/api/v1/units/{theirUnit}")).Json(HttpStatusCode.OK);
        var readerList = await (await reader.GetAsync("/api/v1/units")).As<PageOf<UnitResource>>(HttpStatusCode.OK);
        var readerOther = await (await reader.GetAsync($"/api/v1/units?agencyId={theirs}")).As<PageOf<UnitResource>>(HttpStatusCode.OK);
        var unitList = await (await unitKey.GetAsync("/api/v1/units")).As<PageOf<UnitResource>>(HttpStatusCode.OK);
        var agencies = await (await reader.GetAsync("/api/v1/agencies")).As<PageOf<AgencyResource>>(HttpStatusCode.OK);

        Assert.Equal(new HashSet<Guid> { myUnit, mySibling }, readerList.Items.Select(u => u.Id).ToHashSet());
        Assert.Empty(readerOther.Items);
        Assert.Equal([myUnit], unitList.Items.Select(u => u.Id));
        Assert.Equal([mine], agencies.Items.Select(a => a.Id));
    }

    [Fact]
    public async Task AReaderCannotWriteAndGets403()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var reader = app.ClientWithKey(await admin.CreateKey("reader", agencyId: agency));

        var unit = await (await reader.PostJson("/api/v1/units", new { agencyId = agency, code = "U", name = "U", kind = "biro", providesPublicService = true, employeeCount = 1 })).Problem(HttpStatusCode.Forbidden);
        var declaration = await (await reader.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [Guid.NewGuid()]))).Problem(HttpStatusCode.Forbidden);

        Assert.Contains("'reader' may not", unit.GetProperty("detail").GetString());
        Assert.Contains("'reader' may not", declaration.GetProperty("detail").GetString());
    }
}

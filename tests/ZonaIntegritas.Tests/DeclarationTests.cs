using System.Net;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class DeclarationTests
{
    [Theory, SqliteData, SqlServerData]
    public async Task DeclaringTenUnitsWithThreeWitnessesRecordsEveryUnitAndWitness(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var units = new List<Guid>();
        for (var i = 0; i < 10; i++)
        {
            units.Add(await admin.CreateUnit(agency));
        }

        var created = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, units))).Json(HttpStatusCode.Created);

        Assert.Equal(10, created.GetProperty("units").GetArrayLength());
        Assert.Equal(3, created.GetProperty("witnesses").GetArrayLength());
        Assert.Equal("2026-03-15", created.GetProperty("declaredOn").GetString());
        Assert.All(created.GetProperty("units").EnumerateArray(), u => Assert.True(u.GetProperty("active").GetBoolean()));
        var fetched = await (await admin.GetAsync($"/api/v1/declarations/{created.Id()}")).Json(HttpStatusCode.OK);
        Assert.Equal(units[3], fetched.GetProperty("units")[3].GetProperty("unitId").GetGuid());
        var byUnit = await (await admin.GetAsync($"/api/v1/units/{units[9]}/declaration")).Json(HttpStatusCode.OK);
        Assert.Equal(created.Id(), byUnit.Id());
    }

    [Theory, SqliteData, SqlServerData]
    public async Task DeclaringAnAlreadyDeclaredUnitReturnsConflictNamingTheUnitAndWritesNothing(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var declared = await admin.CreateUnit(agency, code: "BIRO-HUKUM");
        var fresh = await admin.CreateUnit(agency);
        var first = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [declared]))).Json(HttpStatusCode.Created);

        var problem = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [fresh, declared]))).Problem(HttpStatusCode.Conflict);

        Assert.Contains("BIRO-HUKUM", problem.GetProperty("detail").GetString());
        Assert.Contains(first.Id().ToString(), problem.GetProperty("detail").GetString());
        Assert.Equal(declared, problem.GetProperty("conflicts")[0].GetProperty("unitId").GetGuid());
        // All or nothing: the fresh unit was not declared either.
        await (await admin.GetAsync($"/api/v1/units/{fresh}/declaration")).Problem(HttpStatusCode.NotFound);
        var list = await (await admin.GetAsync($"/api/v1/declarations?agencyId={agency}")).Json(HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("total").GetInt32());
    }

    [Theory, SqliteData, SqlServerData]
    public async Task AnInvalidHeadNipAnywhereInTheBatchIsNamedByIndexAndNothingIsWritten(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var units = new[] { await admin.CreateUnit(agency), await admin.CreateUnit(agency), await admin.CreateUnit(agency), await admin.CreateUnit(agency) };
        var body = Fixtures.DeclarationBody(agency, units);
        var json = System.Text.Json.JsonSerializer.Serialize(body).Replace(Fixtures.Nip(4), "19801301200503100X");

        var problem = await (await admin.PostRaw("/api/v1/declarations", json)).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("18 digits", problem.Errors("units[3].head.nip")[0]);
        Assert.Equal(0, (await (await admin.GetAsync($"/api/v1/declarations?agencyId={agency}")).Json(HttpStatusCode.OK)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AUnitListedTwiceIsRejectedAtItsSecondPosition()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var other = await admin.CreateUnit(agency);

        var problem = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit, other, unit]))).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("listed twice (also at units[0])", problem.Errors("units[2].unitId")[0]);
    }

    [Fact]
    public async Task AUnitOfAnotherAgencyIsRejectedByIndex()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var otherAgency = await admin.CreateAgency();
        var mine = await admin.CreateUnit(agency);
        var theirs = await admin.CreateUnit(otherAgency);

        var problem = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [mine, theirs]))).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("is not a unit of agency", problem.Errors("units[1].unitId")[0]);
        await (await admin.GetAsync($"/api/v1/units/{mine}/declaration")).Problem(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task ADeclarationDatedInTheFutureOrWithoutUnitsIsRejected()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);

        var future = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit], declaredOn: "2026-12-01"))).Problem(HttpStatusCode.BadRequest);
        var empty = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, []))).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("future", future.Errors("declaredOn")[0]);
        Assert.Contains("at least one unit", empty.Errors("units")[0]);
    }

    [Fact]
    public async Task MoreThanTwoHundredUnitsAreRejected()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();

        var problem = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, Enumerable.Range(0, 201).Select(_ => Guid.NewGuid())))).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("at most 200 units", problem.Errors("units")[0]);
    }

    [Theory, SqliteData, SqlServerData]
    public async Task AWithdrawnUnitCanBeDeclaredAgainAndKeepsItsHistory(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var first = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit]))).Json(HttpStatusCode.Created);

        var withdrawn = await (await admin.PostJson($"/api/v1/declarations/{first.Id()}/units/{unit}/withdrawal", new { reason = "Reorganisasi unit kerja" })).Json(HttpStatusCode.OK);
        var again = await (await admin.PostJson($"/api/v1/declarations/{first.Id()}/units/{unit}/withdrawal", new { reason = "lagi" })).Problem(HttpStatusCode.Conflict);
        var second = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit], declaredOn: "2026-06-01"))).Json(HttpStatusCode.Created);

        var entry = withdrawn.GetProperty("units")[0];
        Assert.False(entry.GetProperty("active").GetBoolean());
        Assert.Equal("Reorganisasi unit kerja", entry.GetProperty("withdrawalReason").GetString());
        Assert.Contains("already withdrawn", again.GetProperty("detail").GetString());
        Assert.Equal(second.Id(), (await (await admin.GetAsync($"/api/v1/units/{unit}/declaration")).Json(HttpStatusCode.OK)).Id());
        var history = await (await admin.GetAsync($"/api/v1/declarations/{first.Id()}")).Json(HttpStatusCode.OK);
        Assert.False(history.GetProperty("units")[0].GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task WithdrawingRequiresAReason()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var declaration = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [unit]))).Json(HttpStatusCode.Created);

        var problem = await (await admin.PostJson($"/api/v1/declarations/{declaration.Id()}/units/{unit}/withdrawal", new { reason = "" })).Problem(HttpStatusCode.BadRequest);

        Assert.NotEmpty(problem.Errors("reason"));
    }

    [Theory, SqliteData, SqlServerData]
    public async Task FiftyConcurrentIdenticalDeclarationsOfOneUnitCreateExactlyOne(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var unit = await admin.CreateUnit(agency);
        var body = Fixtures.DeclarationBody(agency, [unit]);

        var responses = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => app.Admin().PostJson("/api/v1/declarations", body)));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.Equal(49, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
        {
            await conflict.Problem(HttpStatusCode.Conflict);
        }
        Assert.Equal(1, (await (await admin.GetAsync($"/api/v1/declarations?agencyId={agency}")).Json(HttpStatusCode.OK)).GetProperty("total").GetInt32());
    }

    [Theory, SqliteData, SqlServerData]
    public async Task DeclarationsAreListedByAgencyAndYear(string provider)
    {
        await using var app = await TestApp.StartAsync(provider);
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [await admin.CreateUnit(agency)], declaredOn: "2025-04-01"));
        await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [await admin.CreateUnit(agency)], declaredOn: "2026-02-01"));
        await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [await admin.CreateUnit(agency)], declaredOn: "2026-09-30"));

        var year2026 = await (await admin.GetAsync($"/api/v1/declarations?agencyId={agency}&year=2026")).Json(HttpStatusCode.OK);
        var page = await (await admin.GetAsync($"/api/v1/declarations?agencyId={agency}&pageSize=1&page=3")).Json(HttpStatusCode.OK);

        Assert.Equal(2, year2026.GetProperty("total").GetInt32());
        Assert.Equal("2026-09-30", year2026.GetProperty("items")[0].GetProperty("declaredOn").GetString());
        Assert.Equal("2025-04-01", page.GetProperty("items")[0].GetProperty("declaredOn").GetString());
    }

    [Fact]
    public async Task AnInspectorateDeclaresOnlyInItsOwnAgency()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();
        var other = await admin.CreateAgency();
        var inspectorate = app.ClientWithKey(await admin.CreateKey("inspectorate", agencyId: agency));

        await (await inspectorate.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agency, [await admin.CreateUnit(agency)]))).Json(HttpStatusCode.Created);
        var problem = await (await inspectorate.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(other, [await admin.CreateUnit(other)]))).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("does not exist", problem.Errors("agencyId")[0]);
    }
}

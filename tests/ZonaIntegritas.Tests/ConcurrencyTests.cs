using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ZonaIntegritas.Tests.Infrastructure;
using ZonaIntegritas.Tests.Scoring;

namespace ZonaIntegritas.Tests;

/// <summary>
/// Fifty identical requests at once, as a flaky mobile network or an impatient double-click produces them: exactly one
/// effect, and every other answer either the replayed result or a clean 409. (Declarations: DeclarationTests.)
/// </summary>
public sealed class ConcurrencyTests
{
    private const int Parallel = 50;

    [Fact]
    public async Task FiftyIdenticalPactImportsRecordEachPactOnce()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency(), employeeCount: 200);
        var batch = new { pacts = Enumerable.Range(1, 100).Select(i => Fixtures.Pact(Fixtures.Nip(i))).ToArray() };

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ => app.Admin().PostAsJsonAsync($"/api/v1/units/{unit}/integrity-pacts", batch)));

        var created = 0;
        foreach (var response in responses)
        {
            switch (response.StatusCode)
            {
                case HttpStatusCode.Created:
                    created++;
                    Assert.Equal(100, (await response.Json(HttpStatusCode.Created)).GetProperty("created").GetInt32());
                    break;
                case HttpStatusCode.OK:
                    Assert.Equal(100, (await response.Json(HttpStatusCode.OK)).GetProperty("alreadyRecorded").GetInt32());
                    break;
                default:
                    Assert.Contains("concurrent", (await response.Problem(HttpStatusCode.Conflict)).GetProperty("detail").GetString());
                    break;
            }
        }
        Assert.Equal(1, created);
        var pacts = await (await admin.GetAsync($"/api/v1/units/{unit}/integrity-pacts?pageSize=1")).Json(HttpStatusCode.OK);
        Assert.Equal(100, pacts.GetProperty("total").GetInt32());
        var trail = await (await admin.GetAsync($"/api/v1/audit?entityType=unit&entityId={unit}")).Json(HttpStatusCode.OK);
        Assert.Equal(2, trail.GetProperty("total").GetInt32()); // unit.created and one integrity_pacts.recorded
    }

    [Fact]
    public async Task FiftyUploadsWithOneIdempotencyKeyStoreOneFileAndReplayItsAnswer()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["RateLimits:UploadsPerKey"] = "1000" });
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ =>
        {
            var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/assessments/{assessment}/items/MP.P.1.a/evidence") { Content = SampleWorld.PdfForm() };
            request.Headers.Add("Idempotency-Key", "0f6b7c1e-field-visit-42");
            return app.Admin().SendAsync(request);
        }));

        var ids = new HashSet<Guid>();
        foreach (var response in responses)
        {
            ids.Add((await response.Json(HttpStatusCode.Created)).Id());
        }
        Assert.Single(ids);
        var list = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/evidence")).Json(HttpStatusCode.OK);
        Assert.Equal(1, list.GetProperty("total").GetInt32());
        Assert.Single(Directory.EnumerateFiles(app.EvidencePath, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task FiftySubmissionsOfOneAssessmentMakeOneTransition()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());
        var assessment = (await (await admin.PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })).Json(HttpStatusCode.Created)).Id();
        await (await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment}/answers/self",
            new { answers = Worksheets.Top(Worksheets.Lke).Select(a => new { itemCode = a.Key, value = a.Value }).ToArray() })).Json(HttpStatusCode.OK);

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ =>
            app.Admin().PostAsJsonAsync($"/api/v1/assessments/{assessment}/submit", new { note = "siap dinilai" })));

        var succeeded = 0;
        foreach (var response in responses)
        {
            if (response.StatusCode == HttpStatusCode.OK)
            {
                succeeded++;
                continue;
            }
            var problem = await response.Problem(HttpStatusCode.Conflict);
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.True(detail.Contains("self_submitted") || detail.Contains("concurrently"), detail);
        }
        Assert.Equal(1, succeeded);
        var history = await (await admin.GetAsync($"/api/v1/assessments/{assessment}/history")).Json(HttpStatusCode.OK);
        Assert.Equal(1, history.GetArrayLength());
    }

    [Fact]
    public async Task FiftyCreationsOfTheSameAssessmentCreateOne()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var unit = await admin.CreateUnit(await admin.CreateAgency());

        var responses = await Task.WhenAll(Enumerable.Range(0, Parallel).Select(_ =>
            app.Admin().PostJson("/api/v1/assessments", new { unitId = unit, year = 2026, target = "WBK" })));

        Assert.Equal(1, responses.Count(r => r.StatusCode == HttpStatusCode.Created));
        foreach (var response in responses.Where(r => r.StatusCode != HttpStatusCode.Created))
        {
            Assert.Contains("already has an assessment for 2026", (await response.Problem(HttpStatusCode.Conflict)).GetProperty("detail").GetString());
        }
        var audit = await (await admin.GetAsync("/api/v1/audit?entityType=assessment")).Json(HttpStatusCode.OK);
        Assert.Equal(1, audit.GetProperty("total").GetInt32());
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class PlatformTests
{
    [Fact]
    public async Task MalformedJsonIsA400ProblemAndWritesNothing()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();

        var problem = await (await admin.PostRaw("/api/v1/agencies", "{\"code\": \"X\", \"name\": ")).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("open JSON object", problem.Errors("name")[0]);
        Assert.Equal(0, (await (await admin.GetAsync("/api/v1/agencies")).Json(HttpStatusCode.OK)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AValueOfTheWrongTypeNamesTheField()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();
        var agency = await admin.CreateAgency();

        var problem = await (await admin.PostRaw("/api/v1/declarations",
            $$"""{"agencyId": "{{agency}}", "declaredOn": "2026-01-01", "place": "x", "units": [{"unitId": "not-a-guid"}]}""")).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("could not be converted", problem.Errors("units[0].unitId")[0]);
    }

    [Fact]
    public async Task AWrongContentTypeIs415Problem()
    {
        await using var app = await TestApp.StartAsync();

        var problem = await (await app.Admin().PostRaw("/api/v1/agencies", "code=X", "application/x-www-form-urlencoded")).Problem(HttpStatusCode.UnsupportedMediaType);

        Assert.Contains("application/x-www-form-urlencoded", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task ABodyOverTheLimitIs413Problem()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["Limits:MaxJsonBodyBytes"] = "2048" });
        var name = new string('x', 4000);

        var problem = await (await app.Admin().PostJson("/api/v1/agencies", new { code = "BIG", name, kind = "other" })).Problem(HttpStatusCode.RequestEntityTooLarge);

        Assert.Contains("at most 2048 bytes", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task UnknownRoutesAndMethodsAreProblems()
    {
        await using var app = await TestApp.StartAsync();
        var admin = app.Admin();

        await (await admin.GetAsync("/api/v1/nothing-here")).Problem(HttpStatusCode.NotFound);
        await (await admin.GetAsync($"/api/v1/units/not-a-guid")).Problem(HttpStatusCode.NotFound);
        await (await admin.DeleteAsync("/api/v1/agencies")).Problem(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task AnUnparsableQueryValueIsA400Problem()
    {
        await using var app = await TestApp.StartAsync();

        var problem = await (await app.Admin().GetAsync("/api/v1/units?page=abc")).Problem(HttpStatusCode.BadRequest);

        Assert.Contains("page", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task HealthEndpointsAnswerWithoutAKey()
    {
        await using var app = await TestApp.StartAsync();
        var anonymous = app.ClientWithKey(null);

        Assert.Equal("Healthy", await (await anonymous.GetAsync("/health/live")).Content.ReadAsStringAsync());
        Assert.Equal("Healthy", await (await anonymous.GetAsync("/health/ready")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheOpenApiDocumentDescribesEveryOperationWithTheApiKeyScheme()
    {
        await using var app = await TestApp.StartAsync();

        var document = await (await app.ClientWithKey(null).GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);

        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("ApiKey");
        Assert.Equal("X-Api-Key", scheme.GetProperty("name").GetString());
        var operations = document.GetProperty("paths").EnumerateObject()
            .SelectMany(path => path.Value.EnumerateObject().Select(op => (path: path.Name, method: op.Name, op: op.Value)))
            .Where(o => o.path.StartsWith("/api/v1/"))
            .ToList();
        Assert.True(operations.Count >= 19, $"Only {operations.Count} operations documented.");
        Assert.All(operations, o =>
        {
            Assert.True(o.op.TryGetProperty("summary", out _), $"{o.method} {o.path} has no summary");
            Assert.True(o.op.TryGetProperty("security", out _), $"{o.method} {o.path} has no security requirement");
            Assert.True(o.op.GetProperty("responses").TryGetProperty("401", out _), $"{o.method} {o.path} does not document 401");
            Assert.True(o.op.GetProperty("responses").TryGetProperty("429", out _), $"{o.method} {o.path} does not document 429");
        });
        var declare = document.GetProperty("paths").GetProperty("/api/v1/declarations").GetProperty("post");
        Assert.True(declare.GetProperty("responses").TryGetProperty("409", out _));
        Assert.True(declare.GetProperty("responses").TryGetProperty("400", out _));
    }

    [Fact]
    public async Task SwaggerUiIsServed()
    {
        await using var app = await TestApp.StartAsync();

        var response = await app.ClientWithKey(null).GetAsync("/swagger/index.html");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("swagger", await response.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ServerErrorsDoNotRevealStackTraces()
    {
        await using var app = await TestApp.StartAsync();
        var client = app.ClientWithKey(TestApp.AdminKey);
        // A body nested beyond the configured depth is refused by the serializer, not by a crash.
        var deep = new StringBuilder();
        for (var i = 0; i < 100; i++) deep.Append("{\"a\":");
        deep.Append('1');
        for (var i = 0; i < 100; i++) deep.Append('}');

        var response = await client.PostRaw("/api/v1/agencies", deep.ToString());

        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain("   at ", body);
    }
}

using System.Net;
using System.Text.Json;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

public sealed class OpenApiDocumentTests
{
    private static async Task<JsonElement> Document(TestApp app) =>
        await (await app.Admin().GetAsync("/openapi/v1.json")).Json(HttpStatusCode.OK);

    [Fact]
    public async Task RupiahAreDecimalStringsAndNoNumberIsAlsoAString()
    {
        await using var app = await TestApp.StartAsync();
        var document = await Document(app);
        var schemas = document.GetProperty("components").GetProperty("schemas");

        var ceiling = schemas.GetProperty("Budget").GetProperty("properties").GetProperty("ceiling");
        Assert.Equal("string", ceiling.GetProperty("type").GetString());
        Assert.Equal("decimal", ceiling.GetProperty("format").GetString());
        Assert.Matches(ceiling.GetProperty("pattern").GetString()!, "125000000000000.37");
        Assert.DoesNotMatch(ceiling.GetProperty("pattern").GetString()!, "1.005");
        var raw = document.GetRawText();
        Assert.DoesNotContain("\"integer\",\"string\"", raw.Replace(" ", ""));
        Assert.DoesNotContain("\"number\",\"string\"", raw.Replace(" ", ""));
    }

    [Fact]
    public async Task RequestSchemasRequireWhatTheValidatorsRequireAndResponsesEverythingTheyWrite()
    {
        await using var app = await TestApp.StartAsync();
        var schemas = (await Document(app)).GetProperty("components").GetProperty("schemas");

        var declaration = schemas.GetProperty("CreateDeclarationRequest");
        Assert.Equal(["agencyId", "declaredOn", "place", "units"], declaration.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("string", declaration.GetProperty("properties").GetProperty("place").GetProperty("type").GetString());
        Assert.Equal(300, declaration.GetProperty("properties").GetProperty("place").GetProperty("maxLength").GetInt32());
        var role = schemas.GetProperty("PactRequest").GetProperty("properties").GetProperty("role");
        Assert.Equal(["pimpinan", "pejabat", "pegawai"], role.GetProperty("enum").EnumerateArray().Select(v => v.GetString()));
        Assert.Contains("id", schemas.GetProperty("EvidenceItem").GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Contains("id", schemas.GetProperty("Agency").GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal("object", schemas.GetProperty("AuditEntry").GetProperty("properties").GetProperty("changes").GetProperty("type")[1].GetString());
    }

    [Fact]
    public async Task ListFiltersWithAFixedVocabularyAreEnumsSoGeneratedClientsOfferTheValues()
    {
        await using var app = await TestApp.StartAsync();
        var paths = (await Document(app)).GetProperty("paths");

        string[] Enum(string path, string parameter) => paths.GetProperty(path).GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Single(p => p.GetProperty("name").GetString() == parameter).GetProperty("schema").GetProperty("enum").EnumerateArray().Select(v => v.GetString()!).ToArray();

        Assert.Equal(["not_declared", "declared", "assessing", "proposed", "WBK", "WBBM", "revoked"], Enum("/api/v1/compliance", "stage"));
        Assert.Equal(["WBK", "WBBM"], Enum("/api/v1/compliance", "predikat"));
        Assert.Contains("portalrb_refetch_needed", Enum("/api/v1/compliance", "flag"));
        Assert.Contains("passed_with_notes", Enum("/api/v1/compliance", "nationalStage"));
        Assert.Equal(["WBK", "WBBM"], Enum("/api/v1/designations", "predikat"));
        Assert.Equal(["pending", "succeeded", "dead"], Enum("/api/v1/webhooks/{id}/deliveries", "status"));
        // Query parameters are named as they are sent: camelCase, like the JSON.
        Assert.Equal(["after", "agencyId", "wait", "limit"], paths.GetProperty("/api/v1/changes").GetProperty("get").GetProperty("parameters").EnumerateArray()
            .Select(p => p.GetProperty("name").GetString()!).Where(n => n != "Last-Event-ID"));
    }

    [Fact]
    public async Task EveryClientErrorIsAProblemWithATraceIdAndTheUploadIsAFileForm()
    {
        await using var app = await TestApp.StartAsync();
        var document = await Document(app);
        var problem = document.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails");
        Assert.Contains("traceId", problem.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.True(problem.GetProperty("properties").TryGetProperty("allowedTransitions", out _));

        foreach (var path in document.GetProperty("paths").EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                foreach (var response in operation.Value.GetProperty("responses").EnumerateObject().Where(r => r.Name.StartsWith('4') && r.Name != "416"))
                {
                    // The PortalRB pull endpoints answer every error in the contract's own shape instead (issue 16).
                    var expected = path.Name.StartsWith("/portalrb/", StringComparison.Ordinal) ? "application/json" : "application/problem+json";
                    Assert.True(response.Value.TryGetProperty("content", out var media) && media.TryGetProperty(expected, out _),
                        $"{operation.Name} {path.Name} {response.Name} has no {expected} body");
                }
            }
        }
        var upload = document.GetProperty("paths").GetProperty("/api/v1/assessments/{id}/items/{itemCode}/evidence").GetProperty("post");
        var form = upload.GetProperty("requestBody").GetProperty("content").GetProperty("multipart/form-data").GetProperty("schema");
        Assert.Equal("binary", form.GetProperty("properties").GetProperty("file").GetProperty("format").GetString());
        Assert.True(form.GetProperty("properties").TryGetProperty("capturedAt", out _));
        Assert.Contains(upload.GetProperty("parameters").EnumerateArray(), p => p.GetProperty("name").GetString() == "Idempotency-Key");
        var content = document.GetProperty("paths").GetProperty("/api/v1/evidence/{evidenceId}/content").GetProperty("get").GetProperty("responses");
        Assert.Equal(["200", "206", "304", "416"], new[] { "200", "206", "304", "416" }.Where(c => content.TryGetProperty(c, out _)));
    }

    [Fact]
    public async Task TheChangeStreamDescribesEveryAnswerIncludingTheCursorThatMissedEvents()
    {
        await using var app = await TestApp.StartAsync();
        var document = await Document(app);
        var changes = document.GetProperty("paths").GetProperty("/api/v1/changes").GetProperty("get");
        var responses = changes.GetProperty("responses");
        var problem = document.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails").GetProperty("properties");

        Assert.Subset(responses.EnumerateObject().Select(r => r.Name).ToHashSet(), new HashSet<string> { "200", "400", "401", "404", "410" });
        Assert.All(responses.EnumerateObject(), r => Assert.True(r.Value.GetProperty("description").GetString()!.Length > 30, $"{r.Name} is not described"));
        Assert.Contains("oldestCursor", responses.GetProperty("410").GetProperty("description").GetString());
        Assert.True(responses.GetProperty("410").GetProperty("content").TryGetProperty("application/problem+json", out _));
        Assert.Contains("Webhooks:RetentionDays", changes.GetProperty("description").GetString());
        Assert.Equal("int64", problem.GetProperty("oldestCursor").GetProperty("format").GetString());
        Assert.True(problem.TryGetProperty("parameter", out _));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace ZonaIntegritas.Tests.Infrastructure;

/// <summary>Terse helpers for building fixtures through the public API, the way a client would.</summary>
public static class Fixtures
{
    private static int _sequence;

    public static string UniqueCode(string prefix) => $"{prefix}-{Interlocked.Increment(ref _sequence)}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>A valid NIP: born 1975–1994, started at 25, gender by parity, sequence 001–999.</summary>
    public static string Nip(int n)
    {
        var year = 1975 + n / 999 % 20;
        var month = 1 + n % 12;
        var day = 1 + n % 28;
        var sequence = 1 + n % 999;
        return $"{year:D4}{month:D2}{day:D2}{year + 25:D4}{month:D2}{1 + n % 2}{sequence:D3}";
    }

    public static async Task<JsonElement> Json(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected} {expected} but got {(int)response.StatusCode} {response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts an RFC 9457 problem with the status, and returns it.</summary>
    public static async Task<JsonElement> Problem(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var problem = await response.Json(expected);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        return problem;
    }

    /// <summary>The messages of a validation problem for one field; fails when the field has none.</summary>
    public static string[] Errors(this JsonElement problem, string field)
    {
        Assert.True(problem.TryGetProperty("errors", out var errors), $"No 'errors' in {problem}");
        Assert.True(errors.TryGetProperty(field, out var messages), $"No error for '{field}' in {errors}");
        return messages.EnumerateArray().Select(m => m.GetString()!).ToArray();
    }

    public static Guid Id(this JsonElement element) => element.GetProperty("id").GetGuid();

    public static Task<HttpResponseMessage> PostJson(this HttpClient client, string url, object body) => client.PostAsJsonAsync(url, body);

    public static Task<HttpResponseMessage> PostRaw(this HttpClient client, string url, string body, string contentType = "application/json") =>
        client.PostAsync(url, new StringContent(body, Encoding.UTF8, contentType));

    public static async Task<Guid> CreateAgency(this HttpClient admin, string? code = null)
    {
        var response = await admin.PostJson("/api/v1/agencies", new { code = code ?? UniqueCode("AG"), name = "Kementerian Uji", kind = "kementerian" });
        return (await response.Json(HttpStatusCode.Created)).Id();
    }

    /// <summary>
    /// Records a WTP audit opinion for the agency's fiscal year, issued in January after it: a proposal for year Y needs one
    /// for Y-1 (the proposal prerequisite).
    /// </summary>
    public static async Task RecordWtp(this HttpClient admin, Guid agencyId, int fiscalYear, string opinion = "WTP") =>
        await (await admin.PutAsJsonAsync($"/api/v1/agencies/{agencyId}/audit-opinions/{fiscalYear}",
            new { opinion, reportNumber = $"LHP-{fiscalYear}/BPK", issuedOn = $"{fiscalYear + 1}-01-15" })).Json(HttpStatusCode.OK);

    /// <summary>
    /// Takes a proposed assessment through the national evaluation to field_evaluated, each stage held on
    /// <paramref name="heldOn"/>: administrative selection lulus, desk evaluation, field evaluation online.
    /// </summary>
    public static async Task ThroughNationalEvaluation(this HttpClient evaluator, Guid assessment, string heldOn)
    {
        await (await evaluator.PostJson($"/api/v1/assessments/{assessment}/administrative-selection", new { outcome = "lulus", heldOn })).Json(HttpStatusCode.OK);
        await (await evaluator.PostJson($"/api/v1/assessments/{assessment}/desk-evaluation", new { heldOn, notes = "Dokumen lengkap" })).Json(HttpStatusCode.OK);
        await (await evaluator.PostJson($"/api/v1/assessments/{assessment}/field-evaluation", new { heldOn, mode = "online" })).Json(HttpStatusCode.OK);
    }

    public static async Task<Guid> CreateUnit(this HttpClient admin, Guid agencyId, string? code = null, int employeeCount = 10, Guid? parentUnitId = null)
    {
        var response = await admin.PostJson("/api/v1/units", new
        {
            agencyId,
            code = code ?? UniqueCode("U"),
            name = "Biro Umum",
            parentUnitId,
            kind = "biro",
            providesPublicService = true,
            employeeCount,
        });
        return (await response.Json(HttpStatusCode.Created)).Id();
    }

    public static async Task<string> CreateKey(this HttpClient admin, string role, Guid? agencyId = null, Guid? unitId = null, DateTimeOffset? expiresAt = null)
    {
        var response = await admin.PostJson("/api/v1/api-keys", new { name = $"{role} key", role, agencyId, unitId, expiresAt });
        return (await response.Json(HttpStatusCode.Created)).GetProperty("key").GetString()!;
    }

    public static object DeclarationBody(Guid agencyId, IEnumerable<Guid> unitIds, string declaredOn = "2026-03-15", int nipSeed = 1) => new
    {
        agencyId,
        declaredOn,
        place = "Auditorium Kementerian PUPR, Jakarta",
        publicationUrl = "https://pu.go.id/berita/pencanangan-zi",
        units = unitIds.Select((id, i) => new { unitId = id, head = new { name = $"Kepala {i + 1}", nip = Nip(nipSeed + i), position = "Kepala Biro" } }).ToArray(),
        witnesses = new[]
        {
            new { name = "Sekretaris Jenderal", position = "Sekretaris Jenderal", institution = "Kementerian PUPR" },
            new { name = "Inspektur Jenderal", position = "Inspektur Jenderal", institution = "Kementerian PUPR" },
            new { name = "Perwakilan KPK", position = "Direktur", institution = "Komisi Pemberantasan Korupsi" },
        },
    };

    public static object Pact(string nip, string occasion = "tahunan", string signedOn = "2026-01-10", string role = "pegawai", string name = "Pegawai") =>
        new { nip, name, position = "Analis", role, occasion, signedOn };
}

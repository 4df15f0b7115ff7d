using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Microsoft.Data.Sqlite;

namespace ZonaIntegritas.Tests.Infrastructure;

public sealed record Target(Guid AgencyId, string AgencyCode, Guid UnitId, string UnitCode, Guid DeclarationId, Guid AssessmentId, Guid EvidenceId, Guid DesignationId);

public sealed record World(HttpClient Admin, Target Own, Target Sibling, Target Foreign, Guid SpareKeyId);

/// <summary>A small populated service for tests that walk every endpoint: two agencies, three units with everything attached.</summary>
public static class SampleWorld
{
    private static readonly byte[] Pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");

    public static MultipartFormDataContent PdfForm()
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(Pdf);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", "sk.pdf");
        return form;
    }

    /// <summary>Agency A with units A1 (own) and A2 (sibling), agency B with B1 (foreign); each declared, assessed, evidenced and designated.</summary>
    public static async Task<World> BuildAsync(TestApp app)
    {
        var admin = app.Admin();
        var agencyA = await admin.CreateAgency();
        var agencyB = await admin.CreateAgency();
        var a1 = await CreateTarget(app, admin, agencyA, 1);
        var a2 = await CreateTarget(app, admin, agencyA, 2);
        var b1 = await CreateTarget(app, admin, agencyB, 3);
        var spare = await (await admin.PostJson("/api/v1/api-keys", new { name = "spare", role = "reader" })).Json(HttpStatusCode.Created);
        return new World(admin, a1, a2, b1, spare.GetProperty("apiKey").Id());
    }

    private static async Task<Target> CreateTarget(TestApp app, HttpClient admin, Guid agencyId, int seed)
    {
        var agency = await (await admin.GetAsync($"/api/v1/agencies/{agencyId}")).Json(HttpStatusCode.OK);
        var unitCode = Fixtures.UniqueCode("U");
        var unitId = await admin.CreateUnit(agencyId, unitCode);
        var declaration = await (await admin.PostJson("/api/v1/declarations", Fixtures.DeclarationBody(agencyId, [unitId], nipSeed: seed * 10))).Json(HttpStatusCode.Created);
        var assessment = await (await admin.PostJson("/api/v1/assessments", new { unitId, year = 2027, target = "WBK" })).Json(HttpStatusCode.Created);
        (await admin.PutAsJsonAsync($"/api/v1/assessments/{assessment.Id()}/answers/self/MP.P.1.a", new { value = "Ya" })).EnsureSuccessStatusCode();
        var upload = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/assessments/{assessment.Id()}/items/MP.P.1.a/evidence") { Content = PdfForm() };
        var evidence = await (await admin.SendAsync(upload)).Json(HttpStatusCode.Created);
        // A designation needs a full workflow through the national team; its access rules are all this test needs, so the row is written directly.
        var designationId = Guid.NewGuid();
        await using (var connection = new SqliteConnection(app.Database.ConnectionString))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = """
                INSERT INTO designations (id, unit_id, agency_id, predikat, decree_number, decree_date, assessment_id, created_at, created_by)
                VALUES ($id, $unit, $agency, 'WBK', 'SK 1/2025', '2025-12-01', $assessment, '2025-12-01T00:00:00.0000000+00:00', $id);
                UPDATE compliance_documents SET version = version + 1, valid_until = NULL WHERE unit_id = $unit; -- as a write through the API would
                """;
            command.Parameters.AddWithValue("$id", designationId.ToString());
            command.Parameters.AddWithValue("$unit", unitId.ToString());
            command.Parameters.AddWithValue("$agency", agencyId.ToString());
            command.Parameters.AddWithValue("$assessment", assessment.Id().ToString());
            await command.ExecuteNonQueryAsync();
        }
        return new Target(agencyId, agency.GetProperty("code").GetString()!, unitId, unitCode, declaration.Id(), assessment.Id(), evidence.Id(), designationId);
    }
}

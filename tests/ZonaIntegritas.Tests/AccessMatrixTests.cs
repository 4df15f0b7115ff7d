using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>
/// Every endpoint the application maps × every role × every scope (the caller's own unit, another unit of its agency,
/// another agency's unit, and collections) against the expected outcome. Endpoints come from the endpoint data source,
/// so a new endpoint without an entry in <see cref="Cases"/> fails the test until its access rule is declared.
/// </summary>
public sealed class AccessMatrixTests
{
    public enum Outcome { Allowed, Forbidden, NotFound, Invalid, Unauthorized }

    public enum Scope { Own, Sibling, Foreign, Collection }

    /// <summary>Keys: admin, evaluator (national), inspectorate and reader of agency A, national reader, unit key of A1.</summary>
    public sealed record Caller(string Name, string Role, bool National, string Key);

    private delegate Task<HttpRequestMessage> Build(World world, Target target);

    /// <summary>What an allowed answer may show this caller; a message when the body shows too much.</summary>
    private delegate string? BodyRule(Caller caller, World world, string body);

    private sealed record Case(bool Targeted, Build Request, Func<Caller, Scope, Outcome> Expect, int Order = 0, BodyRule? Body = null);

    /// <summary>A unit key sees its own unit's figures in agency reports, never a sibling's; agency keys see both.</summary>
    private static string? OwnUnitLineOnly(Caller c, World w, string body) =>
        c.Role == "unit"
            ? body.Contains(w.Sibling.UnitId.ToString(), StringComparison.OrdinalIgnoreCase) ? "a unit key was shown its sibling unit's line"
                : !body.Contains(w.Own.UnitId.ToString(), StringComparison.OrdinalIgnoreCase) ? "a unit key was not shown its own line" : null
            : body.Contains(w.Sibling.UnitId.ToString(), StringComparison.OrdinalIgnoreCase) ? null : "an agency-wide key was not shown every unit";

    // Visibility as the service defines it: national keys see everything, agency keys their agency, unit keys their unit.
    private static bool Sees(Caller c, Scope s) => c.National || (s != Scope.Foreign && (c.Role != "unit" || s == Scope.Own));
    private static bool SeesAgency(Caller c, Scope s) => c.National || s != Scope.Foreign;
    private static bool WritesFor(Caller c, Scope s) => c.Role switch
    {
        "admin" => true,
        "inspectorate" => s != Scope.Foreign,
        "unit" => s == Scope.Own,
        _ => false,
    };

    private static Outcome Read(Caller c, Scope s) => Sees(c, s) ? Outcome.Allowed : Outcome.NotFound;
    private static Outcome ReadAgency(Caller c, Scope s) => SeesAgency(c, s) ? Outcome.Allowed : Outcome.NotFound;
    private static Outcome Anyone(Caller c, Scope s) => Outcome.Allowed;
    private static Outcome AdminOnly(Caller c, Scope s) => c.Role == "admin" ? Outcome.Allowed : Outcome.Forbidden;

    /// <summary>The roles of the endpoint's policy may write where their scope reaches; others are refused by role first.</summary>
    private static Func<Caller, Scope, Outcome> Write(params string[] roles) => (c, s) =>
        !roles.Contains(c.Role) ? Outcome.Forbidden : WritesFor(c, s) ? Outcome.Allowed : Outcome.NotFound;

    /// <summary>Decisions are national: admin and evaluator reach every unit.</summary>
    private static Outcome Decide(Caller c, Scope s) => c.Role is "admin" or "evaluator" ? Outcome.Allowed : Outcome.Forbidden;

    /// <summary>A unit or agency named in the body rather than the path: out of scope it is a bad reference (400 naming the field).</summary>
    private static Func<Caller, Scope, Outcome> BodyReference(Func<Caller, Scope, Outcome> rule) => (c, s) =>
        rule(c, s) is Outcome.NotFound ? Outcome.Invalid : rule(c, s);

    private static Outcome WriteSelfAnswers(Caller c, Scope s) =>
        c.Role == "reader" ? Outcome.Forbidden : !Sees(c, s) ? Outcome.NotFound : c.Role == "evaluator" ? Outcome.Forbidden : Outcome.Allowed;

    private static Outcome ReviewEvidence(Caller c, Scope s) =>
        c.Role is not ("admin" or "inspectorate" or "evaluator") ? Outcome.Forbidden : Sees(c, s) ? Outcome.Allowed : Outcome.NotFound;

    private static Build Get(Func<Target, string> url) => (_, t) => Task.FromResult(new HttpRequestMessage(HttpMethod.Get, url(t)));

    private static Build Send(HttpMethod method, Func<Target, string> url, Func<Target, object>? body = null) => (_, t) =>
        Task.FromResult(new HttpRequestMessage(method, url(t)) { Content = body is null ? null : JsonContent.Create(body(t)) });

    private static Build Collection(string url) => (_, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Get, url));

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["GET /api/v1/units/{unitId:guid}/compliance"] = new(true, Get(t => $"/api/v1/units/{t.UnitId}/compliance"), Read),
        ["GET /api/v1/compliance"] = new(false, Collection("/api/v1/compliance"), Anyone),
        ["GET /api/v1/compliance/export"] = new(false, Collection("/api/v1/compliance/export"), Anyone),
        ["GET /api/v1/agencies/{agencyId:guid}/compliance-summary"] = new(true, Get(t => $"/api/v1/agencies/{t.AgencyId}/compliance-summary"), ReadAgency),
        ["GET /api/v1/compliance-summary"] = new(false, Collection("/api/v1/compliance-summary"), Anyone),

        ["POST /api/v1/api-keys"] = new(false, Send(HttpMethod.Post, _ => "/api/v1/api-keys", _ => new { name = "matrix", role = "reader" }), AdminOnly, 1),
        ["GET /api/v1/api-keys"] = new(false, Collection("/api/v1/api-keys"), AdminOnly),
        ["DELETE /api/v1/api-keys/{id:guid}"] = new(false, (w, _) => Task.FromResult(new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/api-keys/{w.SpareKeyId}")), AdminOnly, 2),

        ["POST /api/v1/agencies"] = new(false, Send(HttpMethod.Post, _ => "/api/v1/agencies", _ => new { code = Fixtures.UniqueCode("AG"), name = "Baru", kind = "kementerian" }), AdminOnly, 1),
        ["GET /api/v1/agencies"] = new(false, Collection("/api/v1/agencies"), Anyone),
        ["GET /api/v1/agencies/{id:guid}"] = new(true, Get(t => $"/api/v1/agencies/{t.AgencyId}"), ReadAgency),
        ["PUT /api/v1/agencies/{id:guid}"] = new(true, Send(HttpMethod.Put, t => $"/api/v1/agencies/{t.AgencyId}", t => new { code = t.AgencyCode, name = "Kementerian Uji", kind = "kementerian" }), AdminOnly, 1),

        ["GET /api/v1/assessments/{id:guid}/score"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}/score"), Read),
        ["GET /api/v1/assessments/{id:guid}/gap"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}/gap"), Read),
        ["GET /api/v1/assessments/{id:guid}/workbook"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}/workbook"), Read),

        ["PUT /api/v1/assessments/{id:guid}/answers/{layer}"] = new(true, Send(HttpMethod.Put, t => $"/api/v1/assessments/{t.AssessmentId}/answers/self",
            _ => new { answers = new[] { new { itemCode = "MP.P.1.a", value = "Ya" } } }), WriteSelfAnswers, 1),
        ["GET /api/v1/assessments/{id:guid}/answers/{layer}"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}/answers/self"), Read),
        ["PUT /api/v1/assessments/{id:guid}/answers/{layer}/{itemCode}"] = new(true, Send(HttpMethod.Put, t => $"/api/v1/assessments/{t.AssessmentId}/answers/self/MP.P.1.a",
            _ => new { value = "Ya" }), WriteSelfAnswers, 1),
        // The answer is put back before each call, so that only the caller's access decides the outcome.
        ["DELETE /api/v1/assessments/{id:guid}/answers/{layer}/{itemCode}"] = new(true, async (w, t) =>
        {
            (await w.Admin.PutAsJsonAsync($"/api/v1/assessments/{t.AssessmentId}/answers/self/MP.P.2.a", new { value = "Ya" })).EnsureSuccessStatusCode();
            return new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/assessments/{t.AssessmentId}/answers/self/MP.P.2.a");
        }, WriteSelfAnswers, 2),
        ["GET /api/v1/assessments/{id:guid}/answers/{layer}/{itemCode}/history"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}/answers/self/MP.P.1.a/history"), Read),

        ["POST /api/v1/assessments"] = new(true, Send(HttpMethod.Post, _ => "/api/v1/assessments", t => new { unitId = t.UnitId, year = 2030, target = "WBK" }),
            BodyReference(Write("admin", "inspectorate", "unit")), 1),
        ["GET /api/v1/assessments"] = new(false, Collection("/api/v1/assessments"), Anyone),
        ["GET /api/v1/assessments/{id:guid}"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}"), Read),

        ["GET /api/v1/units/{unitId:guid}/designations"] = new(true, Get(t => $"/api/v1/units/{t.UnitId}/designations"), Read),
        ["GET /api/v1/designations"] = new(false, Collection("/api/v1/designations"), Anyone),
        ["POST /api/v1/designations/{id:guid}/revocation"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/designations/{t.DesignationId}/revocation",
            _ => new { reason = "Pelanggaran integritas", decreeNumber = "SK 9/2026", revokedOn = "2026-11-01" }), Decide, 1),

        ["POST /api/v1/declarations"] = new(true, Send(HttpMethod.Post, _ => "/api/v1/declarations", t => Fixtures.DeclarationBody(t.AgencyId, [t.UnitId])),
            BodyReference(Write("admin", "inspectorate")), 1),
        ["GET /api/v1/declarations"] = new(false, Collection("/api/v1/declarations"), Anyone),
        ["GET /api/v1/declarations/{id:guid}"] = new(true, Get(t => $"/api/v1/declarations/{t.DeclarationId}"), Read),
        ["POST /api/v1/declarations/{id:guid}/units/{unitId:guid}/withdrawal"] = new(true, Send(HttpMethod.Post,
            t => $"/api/v1/declarations/{t.DeclarationId}/units/{t.UnitId}/withdrawal", _ => new { reason = "Reorganisasi" }), Write("admin", "inspectorate"), 3),
        ["GET /api/v1/units/{unitId:guid}/declaration"] = new(true, Get(t => $"/api/v1/units/{t.UnitId}/declaration"), Read),

        ["POST /api/v1/assessments/{id:guid}/items/{itemCode}/evidence"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/items/MP.P.1.a/evidence",
            _ => new { url = "https://drive.example.go.id/sk.pdf", title = "SK" }), Write("admin", "inspectorate", "unit"), 1),
        ["GET /api/v1/assessments/{id:guid}/evidence"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}/evidence"), Read),
        ["GET /api/v1/assessments/{id:guid}/evidence-summary"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}/evidence-summary"), Read),
        ["GET /api/v1/evidence/{evidenceId:guid}"] = new(true, Get(t => $"/api/v1/evidence/{t.EvidenceId}"), Read),
        ["GET /api/v1/evidence/{evidenceId:guid}/content"] = new(true, Get(t => $"/api/v1/evidence/{t.EvidenceId}/content"), Read),
        ["GET /api/v1/evidence/{evidenceId:guid}/versions"] = new(true, Get(t => $"/api/v1/evidence/{t.EvidenceId}/versions"), Read),
        ["POST /api/v1/evidence/{evidenceId:guid}/versions"] = new(true, (_, t) => Task.FromResult(new HttpRequestMessage(HttpMethod.Post, $"/api/v1/evidence/{t.EvidenceId}/versions")
        {
            Content = SampleWorld.PdfForm(),
        }), Write("admin", "inspectorate", "unit"), 1),
        ["POST /api/v1/evidence/{evidenceId:guid}/review"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/evidence/{t.EvidenceId}/review",
            _ => new { decision = "rejected", comment = "Tanda tangan belum lengkap" }), ReviewEvidence, 1),
        // Each withdrawal gets evidence of its own: a withdrawn one would answer 404 to the next caller whatever its access.
        ["DELETE /api/v1/evidence/{evidenceId:guid}"] = new(true, async (w, t) =>
        {
            var created = await (await w.Admin.PostAsJsonAsync($"/api/v1/assessments/{t.AssessmentId}/items/MP.P.1.a/evidence",
                new { url = "https://drive.example.go.id/x.pdf", title = "X" })).Json(HttpStatusCode.Created);
            return new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/evidence/{created.Id()}");
        }, Write("admin", "inspectorate", "unit"), 2),

        ["POST /api/v1/assessments/{id:guid}/submit"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/submit", _ => new { note = "siap" }),
            Write("admin", "inspectorate", "unit"), 1),
        ["POST /api/v1/assessments/{id:guid}/return"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/return", _ => new { note = "lengkapi" }),
            Write("admin", "inspectorate"), 1),
        ["POST /api/v1/assessments/{id:guid}/review"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/review", _ => new { note = "ok" }),
            Write("admin", "inspectorate"), 1),
        ["POST /api/v1/assessments/{id:guid}/propose"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/propose", _ => new { note = "ok" }),
            Write("admin", "inspectorate"), 1),
        ["POST /api/v1/assessments/{id:guid}/decide"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/decide",
            _ => new { outcome = "not_designated", decreeNumber = "SK 1/2027", decreeDate = "2026-11-01", note = "belum" }), Decide, 1),
        ["GET /api/v1/assessments/{id:guid}/history"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}/history"), Read),

        // The sample assessments are not proposed: past the access check every national step is a 409 naming the status.
        ["POST /api/v1/assessments/{id:guid}/administrative-selection"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/administrative-selection",
            _ => new { outcome = "lulus", heldOn = "2020-01-01" }), Decide, 1),
        ["POST /api/v1/assessments/{id:guid}/desk-evaluation"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/desk-evaluation",
            _ => new { heldOn = "2020-01-01" }), Decide, 1),
        ["POST /api/v1/assessments/{id:guid}/field-evaluation"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/field-evaluation",
            _ => new { heldOn = "2020-01-01", mode = "in_person" }), Decide, 1),
        ["POST /api/v1/assessments/{id:guid}/appeal"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/appeal",
            _ => new { reasons = "Dokumen sudah lengkap" }), Write("admin", "inspectorate", "unit"), 1),
        ["POST /api/v1/assessments/{id:guid}/appeal/decision"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/appeal/decision",
            _ => new { outcome = "rejected" }), Decide, 1),
        ["GET /api/v1/assessments/{id:guid}/follow-ups"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}/follow-ups"), Read),
        ["POST /api/v1/assessments/{id:guid}/follow-ups/{followUpId:guid}/fulfilment"] = new(true, Send(HttpMethod.Post,
            t => $"/api/v1/assessments/{t.AssessmentId}/follow-ups/{Guid.NewGuid()}/fulfilment", _ => new { evidenceId = Guid.NewGuid() }), Write("admin", "inspectorate", "unit"), 1),
        ["POST /api/v1/assessments/{id:guid}/follow-ups/{followUpId:guid}/waiver"] = new(true, Send(HttpMethod.Post,
            t => $"/api/v1/assessments/{t.AssessmentId}/follow-ups/{Guid.NewGuid()}/waiver", _ => new { reason = "Diterima melalui surat" }), Decide, 1),
        ["GET /api/v1/assessments/{id:guid}/national-evaluation"] = new(true, Get(t => $"/api/v1/assessments/{t.AssessmentId}/national-evaluation"), Read),
        ["PUT /api/v1/agencies/{id:guid}/audit-opinions/{year:int}"] = new(true, Send(HttpMethod.Put, t => $"/api/v1/agencies/{t.AgencyId}/audit-opinions/2024",
            _ => new { opinion = "WTP", reportNumber = "LHP 1/2025", issuedOn = "2025-05-20" }), Write("admin", "inspectorate"), 1),
        ["GET /api/v1/agencies/{id:guid}/audit-opinions"] = new(true, Get(t => $"/api/v1/agencies/{t.AgencyId}/audit-opinions"), ReadAgency, 2),
        // Read after the PUTs above (order 2), so that the opinion and the quota exist in every scope.
        ["GET /api/v1/agencies/{id:guid}/audit-opinions/{year:int}"] = new(true, Get(t => $"/api/v1/agencies/{t.AgencyId}/audit-opinions/2024"), ReadAgency, 2),
        ["PUT /api/v1/agencies/{id:guid}/proposal-quota/{year:int}"] = new(true, Send(HttpMethod.Put, t => $"/api/v1/agencies/{t.AgencyId}/proposal-quota/2031",
            _ => new { wbk = 3, wbbm = 1 }), AdminOnly, 1),
        ["GET /api/v1/agencies/{id:guid}/proposal-quota/{year:int}"] = new(true, Get(t => $"/api/v1/agencies/{t.AgencyId}/proposal-quota/2031"), ReadAgency, 2),

        ["POST /api/v1/units"] = new(false, Send(HttpMethod.Post, _ => "/api/v1/units", _ => new
        {
            agencyId = Guid.NewGuid(), code = "X", name = "X", kind = "biro", providesPublicService = true, employeeCount = 1,
        }), (c, _) => c.Role == "admin" ? Outcome.Invalid : Outcome.Forbidden, 1),
        ["GET /api/v1/units"] = new(false, Collection("/api/v1/units"), Anyone),
        ["GET /api/v1/units/{id:guid}"] = new(true, Get(t => $"/api/v1/units/{t.UnitId}"), Read),
        ["PUT /api/v1/units/{id:guid}"] = new(true, Send(HttpMethod.Put, t => $"/api/v1/units/{t.UnitId}", t => new
        {
            code = t.UnitCode, name = "Biro Umum", kind = "biro", providesPublicService = true, employeeCount = 10,
        }), AdminOnly, 1),

        ["POST /api/v1/units/{unitId:guid}/integrity-pacts"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/units/{t.UnitId}/integrity-pacts",
            _ => Fixtures.Pact(Fixtures.Nip(77))), Write("admin", "inspectorate", "unit"), 1),
        ["GET /api/v1/units/{unitId:guid}/integrity-pacts"] = new(true, Get(t => $"/api/v1/units/{t.UnitId}/integrity-pacts"), Read),

        ["POST /api/v1/units/{id:guid}/performance-targets"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/units/{t.UnitId}/performance-targets",
            _ => new { year = 2026, indicator = Fixtures.UniqueCode("IKU"), unitOfMeasure = "%", target = 80, direction = "higher_is_better" }),
            Write("admin", "inspectorate", "unit"), 1),
        ["GET /api/v1/units/{id:guid}/performance-targets"] = new(true, Get(t => $"/api/v1/units/{t.UnitId}/performance-targets"), Read),
        // Targets are created by admin first, so that only the caller's access decides the outcome.
        ["GET /api/v1/units/{id:guid}/performance-targets/{targetId:guid}"] = new(true, async (w, t) =>
            new HttpRequestMessage(HttpMethod.Get, $"/api/v1/units/{t.UnitId}/performance-targets/{await PerformanceTarget(w, t)}"), Read),
        ["POST /api/v1/units/{id:guid}/performance-targets/{targetId:guid}/realisations"] = new(true, async (w, t) =>
            new HttpRequestMessage(HttpMethod.Post, $"/api/v1/units/{t.UnitId}/performance-targets/{await PerformanceTarget(w, t)}/realisations")
            {
                Content = JsonContent.Create(new { period = "2026-08", value = 85 }),
            }, Write("admin", "inspectorate", "unit"), 1),
        ["PUT /api/v1/units/{id:guid}/budget/{year:int}"] = new(true, Send(HttpMethod.Put, t => $"/api/v1/units/{t.UnitId}/budget/2026", _ => new { ceiling = 1_000_000_000m }),
            Write("admin", "inspectorate", "unit"), 1),
        ["GET /api/v1/units/{id:guid}/budget/{year:int}"] = new(true, async (w, t) =>
        {
            await Budget(w, t);
            return new HttpRequestMessage(HttpMethod.Get, $"/api/v1/units/{t.UnitId}/budget/2026");
        }, Read),
        ["POST /api/v1/units/{id:guid}/budget/{year:int}/realisations"] = new(true, async (w, t) =>
        {
            await Budget(w, t);
            return new HttpRequestMessage(HttpMethod.Post, $"/api/v1/units/{t.UnitId}/budget/2026/realisations")
            {
                Content = JsonContent.Create(new { month = 8, amount = 1_000m, physicalProgressPercent = 40m }),
            };
        }, Write("admin", "inspectorate", "unit"), 1),
        ["PUT /api/v1/agencies/{id:guid}/absorption-milestones/{year:int}"] = new(true, Send(HttpMethod.Put, t => $"/api/v1/agencies/{t.AgencyId}/absorption-milestones/2026",
            _ => new[] { new { month = 8, minPercent = 60m } }), Write("admin", "inspectorate"), 1),
        ["GET /api/v1/agencies/{id:guid}/absorption-milestones/{year:int}"] = new(true, Get(t => $"/api/v1/agencies/{t.AgencyId}/absorption-milestones/2026"), ReadAgency),
        ["GET /api/v1/agencies/{id:guid}/absorption"] = new(true, async (w, t) =>
        {
            await Budget(w, w.Own);
            await Budget(w, w.Sibling);
            return new HttpRequestMessage(HttpMethod.Get, $"/api/v1/agencies/{t.AgencyId}/absorption?year=2026&month=8");
        }, ReadAgency, Body: OwnUnitLineOnly),
        ["POST /api/v1/assessments/{id:guid}/answers/self/derive"] = new(true, Send(HttpMethod.Post, t => $"/api/v1/assessments/{t.AssessmentId}/answers/self/derive", _ => new { }),
            WriteSelfAnswers, 1),

        ["GET /api/v1/audit"] = new(false, Collection("/api/v1/audit"), (c, _) => c.Role is "admin" or "inspectorate" ? Outcome.Allowed : Outcome.Forbidden),
        ["GET /api/v1/frameworks"] = new(false, Collection("/api/v1/frameworks"), Anyone),
        ["GET /api/v1/frameworks/{code}"] = new(false, Collection("/api/v1/frameworks/PERMENPANRB-90-2021"), Anyone),

        ["PUT /api/v1/proposal-windows/{year:int}"] = new(false, Send(HttpMethod.Put, _ => "/api/v1/proposal-windows/2031", _ => new { opensOn = "2031-04-01", closesOn = "2031-06-30" }),
            AdminOnly, 1),
        ["GET /api/v1/proposal-windows/{year:int}"] = new(false, Collection("/api/v1/proposal-windows/2031"), Anyone),
        ["GET /api/v1/portalrb/fetches"] = new(false, Collection("/api/v1/portalrb/fetches"), (c, _) => c.Role is "admin" or "inspectorate" ? Outcome.Allowed : Outcome.Forbidden),

        // Webhooks: admin, or an inspectorate for its agency; each case gets a webhook (and a delivery) of its own.
        ["POST /api/v1/webhooks"] = new(true, Send(HttpMethod.Post, _ => "/api/v1/webhooks", t => new { url = MatrixHook, events = new[] { "*" }, agencyId = t.AgencyId }),
            BodyReference(Write("admin", "inspectorate")), 1),
        ["GET /api/v1/webhooks"] = new(false, Collection("/api/v1/webhooks"), (c, _) => c.Role is "admin" or "inspectorate" ? Outcome.Allowed : Outcome.Forbidden),
        ["GET /api/v1/webhooks/{id:guid}"] = new(true, async (w, t) => new HttpRequestMessage(HttpMethod.Get, $"/api/v1/webhooks/{await Webhook(w, t)}"), Write("admin", "inspectorate")),
        ["DELETE /api/v1/webhooks/{id:guid}"] = new(true, async (w, t) => new HttpRequestMessage(HttpMethod.Delete, $"/api/v1/webhooks/{await Webhook(w, t)}"),
            Write("admin", "inspectorate"), 2),
        ["POST /api/v1/webhooks/{id:guid}/test"] = new(true, async (w, t) => new HttpRequestMessage(HttpMethod.Post, $"/api/v1/webhooks/{await Webhook(w, t)}/test"),
            Write("admin", "inspectorate"), 1),
        ["GET /api/v1/webhooks/{id:guid}/deliveries"] = new(true, async (w, t) => new HttpRequestMessage(HttpMethod.Get, $"/api/v1/webhooks/{await Webhook(w, t)}/deliveries"),
            Write("admin", "inspectorate")),
        ["POST /api/v1/webhooks/{id:guid}/deliveries/{deliveryId:guid}/redeliver"] = new(true, async (w, t) =>
        {
            var (webhook, delivery) = await WebhookDelivery(w, t);
            return new HttpRequestMessage(HttpMethod.Post, $"/api/v1/webhooks/{webhook}/deliveries/{delivery}/redeliver");
        }, Write("admin", "inspectorate"), 1),
        ["GET /api/v1/changes"] = new(false, Collection("/api/v1/changes"), Anyone),
    };

    // Nothing listens there: deliveries fail, which does not matter for access.
    private const string MatrixHook = "https://127.0.0.1:9/hook";

    private static async Task<Guid> Webhook(World world, Target target) =>
        (await (await world.Admin.PostJson("/api/v1/webhooks", new { url = MatrixHook, events = new[] { "*" }, agencyId = target.AgencyId }))
            .Json(HttpStatusCode.Created)).GetProperty("webhook").Id();

    // Above the NIPs other cases record (Nip(77)), below where Fixtures.Nip starts repeating.
    private static int _deliveryNip = 1000;

    /// <summary>A webhook of the target's agency with one delivery: a pact recorded in the target's unit, once projected.</summary>
    private static async Task<(Guid Webhook, Guid Delivery)> WebhookDelivery(World world, Target target)
    {
        var webhook = await Webhook(world, target);
        // A NIP never used before: a pact already recorded is counted, not written, and so would project no delivery.
        await (await world.Admin.PostJson($"/api/v1/units/{target.UnitId}/integrity-pacts", Fixtures.Pact(Fixtures.Nip(Interlocked.Increment(ref _deliveryNip)))))
            .Json(HttpStatusCode.Created);
        for (var i = 0; i < 400; i++)
        {
            var items = (await (await world.Admin.GetAsync($"/api/v1/webhooks/{webhook}/deliveries")).Json(HttpStatusCode.OK)).GetProperty("items");
            if (items.GetArrayLength() > 0)
            {
                return (webhook, items[0].Id());
            }
            await Task.Delay(25);
        }
        throw new InvalidOperationException("No delivery was projected within 10 s.");
    }

    private static async Task<Guid> PerformanceTarget(World world, Target target) =>
        (await (await world.Admin.PostJson($"/api/v1/units/{target.UnitId}/performance-targets",
            new { year = 2026, indicator = Fixtures.UniqueCode("IKU"), unitOfMeasure = "%", target = 80, direction = "higher_is_better" })).Json(HttpStatusCode.Created)).Id();

    private static async Task Budget(World world, Target target) =>
        (await world.Admin.PutAsJsonAsync($"/api/v1/units/{target.UnitId}/budget/2026", new { ceiling = 1_000_000_000m })).EnsureSuccessStatusCode();

    private static List<string> MappedEndpoints(TestApp app) => app.Services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.RoutePattern.RawText?.StartsWith("/api/", StringComparison.Ordinal) == true)
        .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"])
            .Select(m => $"{m} {e.RoutePattern.RawText!.TrimEnd('/')}"))
        .Distinct()
        .Order()
        .ToList();

    [Fact]
    public async Task EveryMappedEndpointHasADeclaredAccessRule()
    {
        await using var app = await TestApp.StartAsync();

        var undeclared = MappedEndpoints(app).Where(e => !Cases.ContainsKey(e)).ToList();
        var stale = Cases.Keys.Except(MappedEndpoints(app)).ToList();

        Assert.True(undeclared.Count == 0, "Endpoints without an access rule in AccessMatrixTests.Cases:\n" + string.Join('\n', undeclared));
        Assert.True(stale.Count == 0, "Access rules for endpoints that no longer exist:\n" + string.Join('\n', stale));
    }

    [Fact]
    public async Task EveryEndpointRefusesRequestsWithoutAKey()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["RateLimits:FailedAuthenticationsPerIp"] = "100000" });
        var world = await SampleWorld.BuildAsync(app);
        var anonymous = app.ClientWithKey(null);
        var wrong = new List<string>();

        foreach (var endpoint in MappedEndpoints(app))
        {
            var request = await Cases[endpoint].Request(world, world.Own);
            var response = await anonymous.SendAsync(request);
            if (response.StatusCode != HttpStatusCode.Unauthorized || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                wrong.Add($"{endpoint}: {(int)response.StatusCode} {response.Content.Headers.ContentType}");
            }
        }

        Assert.True(wrong.Count == 0, "Answered without a key:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public async Task EveryEndpointRefusesPortalRbKeys()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["RateLimits:RequestsPerKey"] = "100000" });
        var world = await SampleWorld.BuildAsync(app);
        var portalRb = app.ClientWithKey(await world.Admin.CreateKey("portalrb", agencyId: world.Own.AgencyId));
        var wrong = new List<string>();

        foreach (var endpoint in MappedEndpoints(app))
        {
            var response = await portalRb.SendAsync(await Cases[endpoint].Request(world, world.Own));
            if (response.StatusCode != HttpStatusCode.Forbidden || response.Content.Headers.ContentType?.MediaType != "application/problem+json")
            {
                wrong.Add($"{endpoint}: {(int)response.StatusCode} {response.Content.Headers.ContentType}");
            }
        }

        Assert.True(wrong.Count == 0, "Answered a portalrb key:\n" + string.Join('\n', wrong));
    }

    [Fact]
    public async Task EveryEndpointAnswersEveryRoleAndScopeAsDeclared()
    {
        await using var app = await TestApp.StartAsync(settings: new() { ["RateLimits:RequestsPerKey"] = "100000" });
        var world = await SampleWorld.BuildAsync(app);
        var admin = world.Admin;
        var agencyA = world.Own.AgencyId;
        Caller[] callers =
        [
            new("admin", "admin", true, TestApp.AdminKey),
            new("evaluator", "evaluator", true, await admin.CreateKey("evaluator")),
            new("national reader", "reader", true, await admin.CreateKey("reader")),
            new("inspectorate of A", "inspectorate", false, await admin.CreateKey("inspectorate", agencyId: agencyA)),
            new("reader of A", "reader", false, await admin.CreateKey("reader", agencyId: agencyA)),
            new("unit key of A1", "unit", false, await admin.CreateKey("unit", unitId: world.Own.UnitId)),
        ];
        var clients = callers.ToDictionary(c => c, c => app.ClientWithKey(c.Key));
        var mismatches = new List<string>();
        var checkedCount = 0;

        foreach (var endpoint in MappedEndpoints(app).OrderBy(e => Cases[e].Order).ThenBy(e => e))
        {
            var @case = Cases[endpoint];
            foreach (var scope in @case.Targeted ? [Scope.Own, Scope.Sibling, Scope.Foreign] : new[] { Scope.Collection })
            {
                foreach (var caller in callers)
                {
                    var expected = @case.Expect(caller, scope);
                    var response = await clients[caller].SendAsync(await @case.Request(world, scope switch { Scope.Own => world.Own, Scope.Sibling => world.Sibling, _ => world.Foreign }));
                    var actual = Classify(response.StatusCode);
                    checkedCount++;
                    var isProblem = (int)response.StatusCode < 400 || response.Content.Headers.ContentType?.MediaType == "application/problem+json";
                    if (actual != expected || !isProblem || (int)response.StatusCode >= 500)
                    {
                        mismatches.Add($"{endpoint} as {caller.Name} on {scope}: expected {expected}, got {(int)response.StatusCode} "
                            + await response.Content.ReadAsStringAsync());
                    }
                    else if (actual == Outcome.Allowed && scope != Scope.Foreign && @case.Body?.Invoke(caller, world, await response.Content.ReadAsStringAsync()) is { } leak)
                    {
                        mismatches.Add($"{endpoint} as {caller.Name} on {scope}: {leak}");
                    }
                }
            }
        }

        Assert.True(checkedCount > 400, $"Only {checkedCount} combinations were checked.");
        Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {checkedCount} combinations differ:\n" + string.Join('\n', mismatches));
    }

    private static Outcome Classify(HttpStatusCode status) => (int)status switch
    {
        401 => Outcome.Unauthorized,
        403 => Outcome.Forbidden,
        404 => Outcome.NotFound,
        400 => Outcome.Invalid,
        // Past the access check: success, or a refusal about the resource's state (409 conflict, 422 rule not met).
        < 300 or 304 or 409 or 422 => Outcome.Allowed,
        _ => (Outcome)(-1),
    };
}

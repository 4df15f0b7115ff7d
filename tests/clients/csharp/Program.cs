using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Kiota.Abstractions;
using Microsoft.Kiota.Abstractions.Authentication;
using Microsoft.Kiota.Http.HttpClientLibrary;
using ZonaIntegritas.Client;
using ZonaIntegritas.Client.Models;

// The issue's end-to-end scenario, only through the Kiota client generated from the live OpenAPI document:
// agency → 10 units → one declaration with 3 witnesses → 5,000 pacts → assessment → the LKE answers → PDF evidence
// (multipart, Idempotency-Key) → submit / review / WTP opinion / propose / selection / desk and field evaluation / decide → compliance; and a rupiah round trip.
// Usage: dotnet run -- <base url> <admin key> <answers.json>
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: ZonaIntegritas.ClientCheck <base url> <admin key> <answers.json>");
    return 2;
}
var (baseUrl, adminKey, answersFile) = (args[0], args[1], args[2]);
var adapter = new HttpClientRequestAdapter(new ApiKeyHeader(adminKey)) { BaseUrl = baseUrl };
var client = new ZonaIntegritasClient(adapter);
var api = client.Api.V1;
var suffix = Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
var today = DateOnly.FromDateTime(DateTime.UtcNow);
var year = today.Year; // its proposal window is opened below, so the scenario runs on any date
var failures = 0;

void Check(bool ok, string what)
{
    Console.WriteLine($"{(ok ? "ok  " : "FAIL")} {what}");
    failures += ok ? 0 : 1;
}

try
{
    var agency = await api.Agencies.PostAsync(new AgencyRequest { Code = $"KIOTA-{suffix}", Name = "Kementerian Pekerjaan Umum", Kind = AgencyRequest_kind.Kementerian });
    Check(agency?.Id is not null, $"agency {agency?.Code} created");

    var units = new List<WorkUnit>();
    for (var i = 1; i <= 10; i++)
    {
        units.Add((await api.Units.PostAsync(new CreateUnitRequest
        {
            AgencyId = agency!.Id, Code = $"BIRO-{i:D2}", Name = $"Biro {i}", Kind = CreateUnitRequest_kind.Biro, ProvidesPublicService = true, EmployeeCount = 500,
        }))!);
    }
    Check(units.Count == 10 && units.All(u => u.Id is not null), "10 units created");

    var declaration = await api.Declarations.PostAsync(new CreateDeclarationRequest
    {
        AgencyId = agency!.Id,
        DeclaredOn = new Date(today.Year, today.Month, today.Day),
        Place = "Auditorium Kementerian PUPR, Jakarta",
        PublicationUrl = "https://pu.go.id/berita/pencanangan-zi",
        Units = units.Select((u, i) => new DeclaredUnitRequest
        {
            UnitId = u.Id, Head = new UnitHead { Name = $"Kepala Biro {i + 1}", Nip = Nip(10_000 + i), Position = "Kepala Biro" },
        }).ToList(),
        Witnesses =
        [
            new WitnessRequest { Name = "Sekretaris Jenderal", Position = "Sekretaris Jenderal", Institution = "Kementerian PUPR" },
            new WitnessRequest { Name = "Inspektur Jenderal", Position = "Inspektur Jenderal", Institution = "Kementerian PUPR" },
            new WitnessRequest { Name = "Perwakilan KPK", Position = "Direktur", Institution = "Komisi Pemberantasan Korupsi" },
        ],
    });
    Check(declaration?.Units?.Count == 10 && declaration.Witnesses?.Count == 3, "one declaration of all 10 units with 3 witnesses");

    var unit = units[0];
    var signedOn = new Date(today.Year, today.Month, today.Day);
    var pacts = await api.Units[unit.Id!.Value].IntegrityPacts.PostAsync(new PactSubmission
    {
        Pacts = Enumerable.Range(1, 5_000).Select(n => new PactRequest
        {
            Nip = Nip(n), Name = $"Pegawai {n}", Position = "Analis", Role = PactRequest_role.Pegawai, Occasion = PactRequest_occasion.Tahunan, SignedOn = signedOn,
        }).ToList(),
    });
    Check(pacts?.Created == 5_000 && pacts.AlreadyRecorded == 0, $"5,000 pacts recorded ({pacts?.Created} created)");

    var assessment = await api.Assessments.PostAsync(new CreateAssessmentRequest { UnitId = unit.Id, Year = year, Target = CreateAssessmentRequest_target.WBK });
    Check(assessment?.Status == Assessment_status.Draft, $"assessment {year} started");
    var id = assessment!.Id!.Value;

    using var answersJson = JsonDocument.Parse(await File.ReadAllTextAsync(answersFile));
    var answers = new AnswerBatchRequest
    {
        Answers = answersJson.RootElement.GetProperty("answers").EnumerateArray()
            .Select(a => new AnswerInput { ItemCode = a.GetProperty("itemCode").GetString(), Value = a.GetProperty("value").GetString() }).ToList(),
    };
    var self = await api.Assessments[id].Answers["self"].PutAsync(answers);
    Check(self?.Answers?.Count == answers.Answers.Count, $"self layer: {self?.Answers?.Count} answers covering every scored item");

    var pdf = Encoding.ASCII.GetBytes("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n");
    var idempotencyKey = Guid.NewGuid().ToString();
    async Task<EvidenceItem?> Upload()
    {
        var form = new MultipartBody();
        form.AddOrReplacePart("file", "application/pdf", pdf, "sk-tim-zi.pdf");
        form.AddOrReplacePart("description", "text/plain", "SK Tim Kerja Pembangunan ZI");
        form.AddOrReplacePart("capturedAt", "text/plain", DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture));
        return await api.Assessments[id].Items["MP.P.1.a"].Evidence.PostAsync(form, c => c.Headers.Add("Idempotency-Key", idempotencyKey));
    }
    var evidence = await Upload();
    var retried = await Upload();
    Check(evidence?.Kind == "file" && evidence.ContentType == "application/pdf" && evidence.Size == pdf.Length, $"PDF evidence uploaded ({evidence?.Size} bytes)");
    Check(retried?.Id == evidence?.Id, "a retry with the same Idempotency-Key returns the same evidence");
    var reviewed = await api.Evidence[evidence!.Id!.Value].Review.PostAsync(new ReviewRequest { Decision = ReviewRequest_decision.Accepted });
    Check(reviewed?.Status == "accepted", "evidence accepted");

    Check((await api.Assessments[id].Submit.PostAsync(new TransitionRequest()))?.Status == Assessment_status.Self_submitted, "submitted");
    await api.Assessments[id].Answers["tpi"].PutAsync(answers);
    Check((await api.Assessments[id].Review.PostAsync(new TransitionRequest { Note = "Sesuai" }))?.Status == Assessment_status.Tpi_reviewed, "reviewed by the TPI");
    var window = await api.ProposalWindows[year].PutAsync(new ProposalWindowRequest { OpensOn = new Date(year, 1, 1), ClosesOn = new Date(year, 12, 31) });
    Check(window?.Year == year, $"proposal window {year} open all year");
    var opinion = await api.Agencies[agency.Id!.Value].AuditOpinions[year - 1].PutAsync(new AuditOpinionRequest
    {
        Opinion = AuditOpinionRequest_opinion.WTP, ReportNumber = $"LHP {suffix}", IssuedOn = new Date(today.Year, today.Month, today.Day),
    });
    Check(opinion?.Opinion == AuditOpinion_opinion.WTP, $"WTP audit opinion for {year - 1} recorded");
    Check((await api.Assessments[id].Propose.PostAsync(new ProposeRequest { Afirmasi = false }))?.Status == Assessment_status.Proposed, "proposed");
    await api.Assessments[id].Answers["tpn"].PutAsync(answers);
    var heldOn = new Date(today.Year, today.Month, today.Day);
    Check((await api.Assessments[id].AdministrativeSelection.PostAsync(new SelectionRequest { Outcome = SelectionRequest_outcome.Lulus, HeldOn = heldOn }))?.Status
        == Assessment_status.Selection_passed, "administrative selection: lulus");
    Check((await api.Assessments[id].DeskEvaluation.PostAsync(new EvaluationRequest { HeldOn = heldOn, Notes = "Dokumen lengkap" }))?.Status == Assessment_status.Desk_evaluated, "desk evaluation");
    Check((await api.Assessments[id].FieldEvaluation.PostAsync(new EvaluationRequest { HeldOn = heldOn, Mode = EvaluationRequest_mode.Online }))?.Status
        == Assessment_status.Field_evaluated, "field evaluation online");
    var decided = await api.Assessments[id].Decide.PostAsync(new DecisionRequest
    {
        Outcome = DecisionRequest_outcome.Designated, DecreeNumber = $"SK MENPANRB {suffix}", DecreeDate = new Date(today.Year, today.Month, today.Day),
    });
    Check(decided?.Status == Assessment_status.Designated, "decided: designated");

    var compliance = await api.Units[unit.Id.Value].Compliance.GetAsync();
    Check(compliance?.Designation?.Predikat == "WBK" && compliance.Designation.Active == true, $"compliance shows the WBK designation (stage {compliance?.Stage})");
    Check(compliance?.Pacts?.SignedEmployees is not null, $"compliance counts {compliance?.Pacts?.SignedEmployees} signed employees");

    const string ministryBudget = "125000000000000.37";
    var put = await api.Units[unit.Id.Value].Budget[today.Year].PutAsync(new BudgetCeilingRequest { Ceiling = ministryBudget });
    var read = await api.Units[unit.Id.Value].Budget[today.Year].GetAsync();
    Check(put?.Ceiling == ministryBudget && read?.Ceiling == ministryBudget, $"rupiah round trip: sent {ministryBudget}, got {read?.Ceiling}");

    try
    {
        await api.Agencies.PostAsync(new AgencyRequest { Code = $"KIOTA-{suffix}", Name = "Duplikat", Kind = AgencyRequest_kind.Lembaga });
        Check(false, "a duplicate agency code is refused");
    }
    catch (ProblemDetails problem)
    {
        Check(problem.Status == 409 && problem.ExistingAgencyId == agency.Id && !string.IsNullOrEmpty(problem.TraceId), "a duplicate agency code is a typed 409 ProblemDetails naming the existing agency");
    }
}
catch (ProblemDetails problem)
{
    Console.Error.WriteLine($"FAIL {problem.Status} {problem.Title}: {problem.Detail} {JsonSerializer.Serialize(problem.Errors?.AdditionalData)}");
    return 1;
}

Console.WriteLine(failures == 0 ? "end-to-end scenario passed through the generated C# client" : $"{failures} check(s) failed");
return failures == 0 ? 0 : 1;

// A valid NIP: birth date, start month at age 25, gender, sequence (distinct for n up to 19,980).
static string Nip(int n)
{
    var birthYear = 1975 + n / 999 % 20;
    var month = 1 + n % 12;
    var day = 1 + n % 28;
    return $"{birthYear:D4}{month:D2}{day:D2}{birthYear + 25:D4}{month:D2}{1 + n % 2}{1 + n % 999:D3}";
}

/// <summary>Kiota's own API-key provider insists on https; the CI server listens on loopback http.</summary>
internal sealed class ApiKeyHeader(string key) : IAuthenticationProvider
{
    public Task AuthenticateRequestAsync(RequestInformation request, Dictionary<string, object>? additionalAuthenticationContext = null, CancellationToken cancellationToken = default)
    {
        request.Headers.Add("X-Api-Key", key);
        return Task.CompletedTask;
    }
}

using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Designations;
using ZonaIntegritas.Api.Features.Evidence;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Scoring;
using ZonaIntegritas.Api.Features.Workflow;
using ZonaIntegritas.Api.Http;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>Where one unit stands, in one document, for other agency systems.</summary>
public sealed record UnitCompliance(
    Guid UnitId,
    string UnitCode,
    Guid AgencyId,
    int Year,
    bool Declared,
    DeclarationSummary? Declaration,
    PactCoverage Pacts,
    AssessmentStanding? Assessment,
    EvidenceStanding? Evidence,
    DesignationStanding? Designation,
    string Stage,
    IReadOnlyList<string> Flags);

public sealed record DeclarationSummary(Guid Id, DateOnly DeclaredOn);

/// <summary>
/// Pact coverage for one calendar year: distinct employees (by NIP) with a pact in the unit that year, against the
/// unit's employee count. <c>headSigned</c>: the head named in the active declaration signed that year (without a
/// declaration: any pimpinan signed).
/// </summary>
public sealed record PactCoverage(int SignedEmployees, int EmployeeCount, decimal Coverage, bool HeadSigned);

public sealed record LayerStanding(decimal Total, bool? Eligible);

public sealed record AssessmentStanding(Guid Id, int Year, string Target, string Status, IReadOnlyDictionary<string, LayerStanding> Scores);

public sealed record EvidenceStanding(int ItemsWithAcceptedEvidence, int ItemsWithoutAcceptedEvidence);

public sealed record DesignationStanding(string Predikat, string DecreeNumber, DateOnly DecreeDate, bool Active, DateOnly? RevokedOn, DateOnly? EligibleAgainOn);

public static class ComplianceEndpoints
{
    public const decimal PactCoverageMinimum = 0.8m;

    public static RouteGroupBuilder MapCompliance(this RouteGroupBuilder api)
    {
        api.MapGet("/units/{unitId:guid}/compliance", GetUnitCompliance)
            .WithTags("Compliance")
            .WithName(nameof(GetUnitCompliance))
            .WithSummary("Where a unit stands: declaration, pacts, assessment scores, evidence, predikat, stage and flags")
            .WithDescription("""
                For other agency systems asking "is this unit compliant?". `year` (default: the current year) selects the pacts counted
                and the assessment shown (default: the unit's latest). `coverage` = signed employees ÷ employee count, 0–1, 4 decimals.
                `stage`: not_declared, declared, assessing, proposed, WBK, WBBM or revoked (within 2 years of a revocation).
                `flags`: head_has_not_signed_pact, pact_coverage_below_80_percent, evidence_missing, deadline_passed.
                The response has a strong ETag; send it in If-None-Match to get 304 while nothing changed.
                """)
            .Produces(StatusCodes.Status304NotModified)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Ok<UnitCompliance>, StatusCodeHttpResult, ValidationProblem, ProblemHttpResult>> GetUnitCompliance(
        Guid unitId, HttpContext http, Caller caller, DbConnectionFactory db, FrameworkCatalogue catalogue, IOptions<ProposalOptions> proposals,
        IOptions<JsonOptions> json, TimeProvider time, int? year, CancellationToken cancellationToken)
    {
        if (year is < 2000 or > 2200)
        {
            return Problems.Invalid("year", "year must be between 2000 and 2200.");
        }
        var today = IndonesiaClock.Today(time);
        var coverageYear = year ?? today.Year;
        await using var connection = await db.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ComplianceRow>(UnitSql, new { UnitId = unitId, Year = coverageYear });
        if (row is null || !caller.CanSeeUnit(row.UnitId, row.AgencyId))
        {
            return Problems.NotFound("Unit", unitId);
        }
        var document = await Build(connection, catalogue, proposals.Value, row, coverageYear, year, today);

        // A strong validator: the hash of exactly the bytes this document serialises to.
        var body = JsonSerializer.SerializeToUtf8Bytes(document, json.Value.SerializerOptions);
        var etag = $"\"{Convert.ToHexStringLower(SHA256.HashData(body))[..32]}\"";
        http.Response.Headers.ETag = etag;
        if (http.Request.Headers.IfNoneMatch.Any(value => value is not null && value.Split(',').Any(tag => tag.Trim() == etag || tag.Trim() == "*")))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }
        return TypedResults.Ok(document);
    }

    private const string UnitSql = """
        SELECT u.id AS unit_id, u.code AS unit_code, u.agency_id, u.employee_count,
               du.declaration_id, d.declared_on, du.head_nip,
               (SELECT COUNT(DISTINCT p.nip) FROM integrity_pacts p WHERE p.unit_id = u.id AND p.signed_year = @Year) AS signed_employees,
               CASE
                   WHEN du.head_nip IS NOT NULL THEN
                       (SELECT COUNT(*) FROM integrity_pacts p WHERE p.unit_id = u.id AND p.signed_year = @Year AND p.nip = du.head_nip)
                   ELSE
                       (SELECT COUNT(*) FROM integrity_pacts p WHERE p.unit_id = u.id AND p.signed_year = @Year AND p.role = 'pimpinan')
               END AS head_pacts
        FROM units u
        LEFT JOIN declaration_units du ON du.unit_id = u.id AND du.withdrawn_at IS NULL
        LEFT JOIN declarations d ON d.id = du.declaration_id
        WHERE u.id = @UnitId
        """;

    private static async Task<UnitCompliance> Build(DbConnection connection, FrameworkCatalogue catalogue, ProposalOptions proposals,
        ComplianceRow row, int coverageYear, int? requestedYear, DateOnly today)
    {
        var coverage = row.EmployeeCount == 0
            ? 0m
            : Math.Round(Math.Min(1m, (decimal)row.SignedEmployees / row.EmployeeCount), 4, MidpointRounding.AwayFromZero);
        var pacts = new PactCoverage(row.SignedEmployees, row.EmployeeCount, coverage, row.HeadPacts > 0);

        const string assessmentSql = $"""
            SELECT {AssessmentEndpoints.Columns} FROM assessments
            WHERE unit_id = @UnitId AND (@Year IS NULL OR year = @Year)
            ORDER BY year DESC
            """;
        var assessment = (await connection.QueryAsync<Assessment>(assessmentSql, new { row.UnitId, Year = requestedYear })).FirstOrDefault();
        const string designationSql = $"""
            SELECT {DesignationRules.Columns} FROM designations WHERE unit_id = @UnitId ORDER BY decree_date DESC, created_at DESC
            """;
        var designations = (await connection.QueryAsync<Designation>(designationSql, new { row.UnitId })).ToList();
        var holdsWbk = designations.Any(d => d.Predikat == "WBK" && d.Active);

        AssessmentStanding? standing = null;
        EvidenceStanding? evidence = null;
        if (assessment is not null && catalogue.TryGet(assessment.FrameworkCode, out var framework))
        {
            const string answersSql = "SELECT layer, item_code, value FROM answers WHERE assessment_id = @Id";
            var answers = (await connection.QueryAsync<LayerAnswer>(answersSql, new { assessment.Id })).ToLookup(a => a.Layer);
            var scores = Layers.All.ToDictionary(layer => layer, layer =>
            {
                var report = ScoreCalculator.Calculate(framework, answers[layer].ToDictionary(a => a.ItemCode, a => a.Value), holdsWbk, layer);
                return new LayerStanding(report.Total, report.Eligibility[assessment.Target].Eligible);
            });
            standing = new AssessmentStanding(assessment.Id, assessment.Year, assessment.Target, assessment.Status, scores);
            var summary = await EvidenceEndpoints.Summarize(connection, catalogue, assessment, today);
            evidence = new EvidenceStanding(summary.ItemsWithAcceptedEvidence.Count, summary.ItemsWithoutAcceptedEvidence.Count);
        }

        var latest = designations.FirstOrDefault();
        var active = designations.FirstOrDefault(d => d.Active);
        var shown = active ?? latest;
        var designation = shown is null ? null
            : new DesignationStanding(shown.Predikat, shown.DecreeNumber, shown.DecreeDate, shown.Active, shown.RevokedOn, shown.EligibleAgainOn);

        var stage = active is not null ? active.Predikat
            : latest is { EligibleAgainOn: { } again } && today < again ? "revoked"
            : assessment?.Status == AssessmentStatus.Proposed ? "proposed"
            : assessment is not null && assessment.Status is not (AssessmentStatus.Designated or AssessmentStatus.NotDesignated) ? "assessing"
            : row.DeclarationId is not null ? "declared"
            : "not_declared";

        var flags = new List<string>();
        if (row.DeclarationId is not null && !pacts.HeadSigned) flags.Add("head_has_not_signed_pact");
        if (coverage < PactCoverageMinimum) flags.Add("pact_coverage_below_80_percent");
        if (evidence is { ItemsWithoutAcceptedEvidence: > 0 }) flags.Add("evidence_missing");
        if (assessment is not null
            && assessment.Status is AssessmentStatus.Draft or AssessmentStatus.Returned or AssessmentStatus.SelfSubmitted or AssessmentStatus.TpiReviewed
            && today > proposals.DeadlineFor(assessment.Year))
        {
            flags.Add("deadline_passed");
        }

        return new UnitCompliance(row.UnitId, row.UnitCode, row.AgencyId, coverageYear, row.DeclarationId is not null,
            row.DeclarationId is { } declarationId ? new DeclarationSummary(declarationId, row.DeclaredOn!.Value) : null,
            pacts, standing, evidence, designation, stage, flags);
    }

    private sealed class LayerAnswer
    {
        public string Layer { get; init; } = "";
        public string ItemCode { get; init; } = "";
        public string Value { get; init; } = "";
    }

    private sealed class ComplianceRow
    {
        public Guid UnitId { get; init; }
        public string UnitCode { get; init; } = "";
        public Guid AgencyId { get; init; }
        public int EmployeeCount { get; init; }
        public Guid? DeclarationId { get; init; }
        public DateOnly? DeclaredOn { get; init; }
        public string? HeadNip { get; init; }
        public int SignedEmployees { get; init; }
        public int HeadPacts { get; init; }
    }
}

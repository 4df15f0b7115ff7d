using ZonaIntegritas.Api.Features.Accountability;
using ZonaIntegritas.Api.Features.PortalRb;
using ZonaIntegritas.Api.Features.Workflow;

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
    IReadOnlyList<string> Flags,
    AbsorptionStanding? Absorption,
    PerformanceStanding Performance,
    PortalRbStanding? PortalRb,
    NationalStanding? National,
    ProposalPrerequisitesStanding? Prerequisites);

public sealed record DeclarationSummary(Guid Id, DateOnly DeclaredOn);

/// <summary>
/// Pact coverage for one calendar year: distinct employees (by NIP) with a pact in the unit that year, against the
/// unit's employee count. <c>headSigned</c>: the head named in the active declaration signed that year (without a
/// declaration: any pimpinan signed).
/// </summary>
public sealed record PactCoverage(int SignedEmployees, int EmployeeCount, decimal Coverage, bool HeadSigned)
{
    /// <summary>Units with less coverage carry the pact_coverage_below_80_percent flag.</summary>
    public const decimal Minimum = 0.8m;

    /// <summary>Signed employees over the employee count, capped at 1; 0 for a unit without employees. Exact.</summary>
    public static decimal Ratio(int signedEmployees, int employeeCount) =>
        employeeCount == 0 ? 0m : Math.Min(1m, (decimal)signedEmployees / employeeCount);

    /// <summary>A coverage (or an average of coverages) as shown: 4 decimals.</summary>
    public static decimal Shown(decimal ratio) => Math.Round(ratio, 4, MidpointRounding.AwayFromZero);
}

public sealed record LayerStanding(decimal Total, bool? Eligible);

public sealed record AssessmentStanding(Guid Id, int Year, string Target, string Status, IReadOnlyDictionary<string, LayerStanding> Scores, bool Afirmasi);

public sealed record EvidenceStanding(int ItemsWithAcceptedEvidence, int ItemsWithoutAcceptedEvidence);

public sealed record DesignationStanding(string Predikat, string DecreeNumber, DateOnly DecreeDate, bool Active, DateOnly? RevokedOn, DateOnly? EligibleAgainOn);

/// <summary>Counts for one agency (or all agencies, in the national totals).</summary>
public sealed record ComplianceSummary(
    Guid? AgencyId,
    string? AgencyCode,
    int Year,
    int Units,
    int Declared,
    int DeclaredThisYear,
    decimal AveragePactCoverage,
    IReadOnlyDictionary<string, int> ByStage,
    IReadOnlyDictionary<string, int> ByPredikat,
    AbsorptionTotals Absorption,
    PerformanceStanding Performance,
    IReadOnlyDictionary<string, int> ByNationalStage);

public sealed record NationalComplianceSummary(int Year, ComplianceSummary Totals, IReadOnlyList<ComplianceSummary> Agencies);

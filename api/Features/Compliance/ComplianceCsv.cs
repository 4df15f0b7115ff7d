namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>The compliance list as CSV or .xlsx (one row per unit), through the one spreadsheet writer.</summary>
public static class ComplianceCsv
{
    internal static readonly string[] Header =
    [
        "agencyCode", "unitId", "unitCode", "year", "stage", "declared", "declaredOn", "signedEmployees", "employeeCount", "pactCoverage",
        "headSigned", "assessmentId", "assessmentYear", "target", "assessmentStatus", "selfTotal", "tpiTotal", "tpnTotal", "tpiEligible",
        "itemsWithoutAcceptedEvidence", "predikat", "predikatActive", "decreeNumber", "eligibleAgainOn", "flags",
        "absorptionPercent", "absorptionMilestonePercent", "absorptionBehind", "performanceTargets", "performanceMet",
        "nationalStage", "openFollowUps", "appealStatus", "auditOpinion",
    ];

    internal static FileContentHttpResult Bytes(HttpRequest request, IReadOnlyList<(UnitCompliance Document, string AgencyCode)> rows) =>
        CsvText.Bytes(request, "Kepatuhan", Header, rows.Select(row => Row(row.Document, row.AgencyCode)));

    /// <summary>One unit's line of the spreadsheet exports (the paged list and GET /compliance/export), in <see cref="Header"/> order.</summary>
    internal static object?[] Row(UnitCompliance d, string agencyCode) =>
        [
            agencyCode, d.UnitId, d.UnitCode, d.Year, d.Stage, d.Declared, d.Declaration?.DeclaredOn, d.Pacts.SignedEmployees, d.Pacts.EmployeeCount,
            d.Pacts.Coverage, d.Pacts.HeadSigned, d.Assessment?.Id, d.Assessment?.Year, d.Assessment?.Target, d.Assessment?.Status,
            d.Assessment?.Scores["self"].Total, d.Assessment?.Scores["tpi"].Total, d.Assessment?.Scores["tpn"].Total, d.Assessment?.Scores["tpi"].Eligible,
            d.Evidence?.ItemsWithoutAcceptedEvidence, d.Designation?.Predikat, d.Designation?.Active, d.Designation?.DecreeNumber,
            d.Designation?.EligibleAgainOn, string.Join(';', d.Flags),
            d.Absorption?.Percent, d.Absorption?.Milestone?.MinPercent, d.Absorption?.Behind, d.Performance.Targets, d.Performance.Met,
            d.National?.Stage, d.National?.OpenFollowUps, d.National?.Appeal?.Status, d.Prerequisites?.AuditOpinion,
        ];
}

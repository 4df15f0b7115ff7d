namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>The compliance list as CSV (one row per unit), through the one CSV writer.</summary>
public static class ComplianceCsv
{
    private static readonly string[] Header =
    [
        "agencyCode", "unitId", "unitCode", "year", "stage", "declared", "declaredOn", "signedEmployees", "employeeCount", "pactCoverage",
        "headSigned", "assessmentId", "assessmentYear", "target", "assessmentStatus", "selfTotal", "tpiTotal", "tpnTotal", "tpiEligible",
        "itemsWithoutAcceptedEvidence", "predikat", "predikatActive", "decreeNumber", "eligibleAgainOn", "flags",
        "absorptionPercent", "absorptionMilestonePercent", "absorptionBehind", "performanceTargets", "performanceMet",
    ];

    internal static FileContentHttpResult Bytes(IReadOnlyList<(UnitCompliance Document, string AgencyCode)> rows) =>
        CsvText.Bytes(Header, rows.Select(row =>
        {
            var (d, agencyCode) = row;
            return new object?[]
            {
                agencyCode, d.UnitId, d.UnitCode, d.Year, d.Stage, d.Declared, d.Declaration?.DeclaredOn, d.Pacts.SignedEmployees, d.Pacts.EmployeeCount,
                d.Pacts.Coverage, d.Pacts.HeadSigned, d.Assessment?.Id, d.Assessment?.Year, d.Assessment?.Target, d.Assessment?.Status,
                d.Assessment?.Scores["self"].Total, d.Assessment?.Scores["tpi"].Total, d.Assessment?.Scores["tpn"].Total, d.Assessment?.Scores["tpi"].Eligible,
                d.Evidence?.ItemsWithoutAcceptedEvidence, d.Designation?.Predikat, d.Designation?.Active, d.Designation?.DecreeNumber,
                d.Designation?.EligibleAgainOn, string.Join(';', d.Flags),
                d.Absorption?.Percent, d.Absorption?.Milestone?.MinPercent, d.Absorption?.Behind, d.Performance.Targets, d.Performance.Met,
            };
        }));

}

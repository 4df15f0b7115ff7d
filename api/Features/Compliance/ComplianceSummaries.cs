using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Accountability;
using ZonaIntegritas.Api.Features.Assessments;
using static ZonaIntegritas.Api.Features.Compliance.ComplianceQueries;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>Counts over units' rows: by stage and predikat, declarations, average pact coverage, budgets and targets.</summary>
public static class ComplianceSummaries
{
    internal static ComplianceSummary Summarize(Guid? agencyId, string? agencyCode, int year, IReadOnlyList<ComplianceRow> rows,
        IReadOnlyDictionary<Guid, AccountabilityStandings.UnitFigures> accountability)
    {
        var figures = rows.Select(r => accountability[r.UnitId]).ToList();
        var byStage = ComplianceQueries.Stages.ToDictionary(s => s, _ => 0);
        foreach (var row in rows)
        {
            byStage[row.Stage]++;
        }
        var coverage = rows.Count == 0 ? 0m : PactCoverage.Shown(rows.Average(r => PactCoverage.Ratio(r.SignedEmployees, r.EmployeeCount)));
        return new ComplianceSummary(agencyId, agencyCode, year, rows.Count,
            rows.Count(r => r.DeclarationId is not null),
            rows.Count(r => r.DeclaredOn?.Year == year),
            coverage,
            byStage,
            new Dictionary<string, int> { [Predikat.Wbk] = rows.Count(r => r.ActivePredikat == Predikat.Wbk), [Predikat.Wbbm] = rows.Count(r => r.ActivePredikat == Predikat.Wbbm) },
            AccountabilityStandings.Totals(figures, singleAgency: agencyId is not null),
            AccountabilityStandings.PerformanceTotals(figures),
            AssessmentStatus.National.ToDictionary(s => s, s => rows.Count(r => r.AssessmentStatus == s)));
    }

}

using System.Net;
using System.Text.Json;

namespace ZonaIntegritas.Tests.Infrastructure;

// The main resources as a client reads them, so that assertions read `document.Pacts.Coverage` rather than chains of
// GetProperty. Only the fields tests look at; unknown fields are ignored as a client would.

public sealed record PageOf<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

public sealed record AgencyResource(Guid Id, string Code, string Name, string Kind);

public sealed record UnitResource(Guid Id, Guid AgencyId, string Code, string Name, Guid? ParentUnitId, string Kind, int EmployeeCount);

public sealed record AssessmentResource(Guid Id, Guid UnitId, Guid AgencyId, int Year, string Target, string Status, string FrameworkCode);

public sealed record DeclarationSummaryResource(Guid Id, DateOnly DeclaredOn);

public sealed record PactCoverageResource(int SignedEmployees, int EmployeeCount, decimal Coverage, bool HeadSigned);

public sealed record UnitComplianceResource(
    Guid UnitId, string UnitCode, Guid AgencyId, int Year, bool Declared, DeclarationSummaryResource? Declaration, PactCoverageResource Pacts,
    string Stage, IReadOnlyList<string> Flags);

public sealed record ComplianceSummaryResource(Guid? AgencyId, int Year, int Units, int Declared, decimal AveragePactCoverage, IReadOnlyDictionary<string, int> ByStage);

public sealed record NationalComplianceSummaryResource(int Year, ComplianceSummaryResource Totals, IReadOnlyList<ComplianceSummaryResource> Agencies);

public static class Resources
{
    private static readonly JsonSerializerOptions Web = new(JsonSerializerDefaults.Web);

    /// <summary>Asserts the status and reads the body as <typeparamref name="T"/>.</summary>
    public static async Task<T> As<T>(this HttpResponseMessage response, HttpStatusCode expected) =>
        (await response.Json(expected)).Deserialize<T>(Web)!;
}

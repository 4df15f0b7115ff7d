using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using ZonaIntegritas.Api.Auth;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Http;

namespace ZonaIntegritas.Api.Features.Compliance;

public sealed record UnitCompliance(
    Guid UnitId,
    string UnitCode,
    Guid AgencyId,
    int Year,
    bool Declared,
    DeclarationSummary? Declaration,
    PactCoverage Pacts);

public sealed record DeclarationSummary(Guid Id, DateOnly DeclaredOn);

/// <summary>
/// Pact coverage for one calendar year: distinct employees (by NIP) with a pact in the unit that year, against the
/// unit's employee count. <c>headSigned</c>: the head named in the active declaration signed that year (without a
/// declaration: any pimpinan signed).
/// </summary>
public sealed record PactCoverage(int SignedEmployees, int EmployeeCount, decimal Coverage, bool HeadSigned);

public static class ComplianceEndpoints
{
    public static RouteGroupBuilder MapCompliance(this RouteGroupBuilder api)
    {
        api.MapGet("/units/{unitId:guid}/compliance", GetUnitCompliance)
            .WithTags("Compliance")
            .WithName(nameof(GetUnitCompliance))
            .WithSummary("Where a unit stands: declaration and integrity-pact coverage")
            .WithDescription("""
                For other agency systems asking "is this unit compliant?". `year` (default: the current year) selects the pacts counted.
                `coverage` = signed employees ÷ employee count, between 0 and 1, 4 decimals (0 when the unit reports no employees).
                """)
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    public static async Task<Results<Ok<UnitCompliance>, ValidationProblem, ProblemHttpResult>> GetUnitCompliance(
        Guid unitId, Caller caller, DbConnectionFactory db, TimeProvider time, int? year, CancellationToken cancellationToken)
    {
        if (year is < 2000 or > 2200)
        {
            return Problems.Invalid("year", "year must be between 2000 and 2200.");
        }
        var coverageYear = year ?? IndonesiaClock.Today(time).Year;
        const string sql = """
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
        await using var connection = await db.OpenAsync(cancellationToken);
        var row = await connection.QuerySingleOrDefaultAsync<ComplianceRow>(sql, new { UnitId = unitId, Year = coverageYear });
        if (row is null || !caller.CanSeeUnit(row.UnitId, row.AgencyId))
        {
            return Problems.NotFound("Unit", unitId);
        }
        var coverage = row.EmployeeCount == 0
            ? 0m
            : Math.Round(Math.Min(1m, (decimal)row.SignedEmployees / row.EmployeeCount), 4, MidpointRounding.AwayFromZero);
        return TypedResults.Ok(new UnitCompliance(
            row.UnitId,
            row.UnitCode,
            row.AgencyId,
            coverageYear,
            row.DeclarationId is not null,
            row.DeclarationId is { } declarationId ? new DeclarationSummary(declarationId, row.DeclaredOn!.Value) : null,
            new PactCoverage(row.SignedEmployees, row.EmployeeCount, coverage, row.HeadPacts > 0)));
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

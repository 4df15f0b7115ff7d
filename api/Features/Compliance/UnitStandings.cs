using System.Data.Common;
using Dapper;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Domain;
using ZonaIntegritas.Api.Features.Frameworks;
using ZonaIntegritas.Api.Features.Workflow;

namespace ZonaIntegritas.Api.Features.Compliance;

/// <summary>Stage, flags and absorption of some units, exactly as their compliance documents show them (for other features).</summary>
public static class UnitStandings
{
    public sealed record Standing(Guid UnitId, Guid AgencyId, string Stage, IReadOnlyList<string> Flags, bool AbsorptionBehind, decimal? AbsorptionPercent);

    /// <summary>Units that do not exist are left out; the figures are this year's, as the document without <c>year</c> shows.</summary>
    public static async Task<IReadOnlyList<Standing>> ForUnitsAsync(DbConnection connection, ISqlDialect dialect, FrameworkCatalogue catalogue,
        ProposalOptions proposals, IReadOnlyCollection<Guid> unitIds, TimeProvider time)
    {
        if (unitIds.Count == 0)
        {
            return [];
        }
        var today = IndonesiaClock.Today(time);
        var rows = (await connection.QueryAsync<ComplianceQueries.ComplianceRow>(ComplianceQueries.RowsOfUnits,
            ComplianceQueries.RowFilter(today, today.Year, null) with { Ids = dialect.IdList(unitIds) })).AsList();
        if (rows.Count == 0)
        {
            return [];
        }
        var documents = await ComplianceDocuments.BuildAll(connection, dialect, catalogue, proposals, rows, today.Year, today);
        return documents.Select(d => new Standing(d.UnitId, d.AgencyId, d.Stage, d.Flags, d.Absorption?.Behind ?? false, d.Absorption?.Percent)).ToList();
    }
}

using Microsoft.Data.Sqlite;
using ZonaIntegritas.Api.Features.Accountability;
using ZonaIntegritas.Api.Features.Compliance;
using ZonaIntegritas.Tests.Infrastructure;

namespace ZonaIntegritas.Tests;

/// <summary>The compliance and absorption hot paths read by index only: no step of their SQLite plans scans a table.</summary>
public sealed class QueryPlanTests
{
    public static TheoryData<string, string, int> HotPaths() => new()
    {
        { "unit compliance", ComplianceQueries.RowsOfUnit, 6 },
        { "agency compliance list", ComplianceQueries.RowsOfAgency + " ORDER BY x.unit_code LIMIT @Take OFFSET @Skip", 6 },
        { "agency absorption report", AbsorptionEndpoints.ReportSql, 6 },
        { "agency summary budgets", AccountabilityStandings.BudgetsOfAgency, 4 },
        { "agency summary targets", AccountabilityStandings.TargetsOfAgency, 4 },
    };

    [Theory, MemberData(nameof(HotPaths))]
    public async Task TheCompliancePathsUseIndexesOnly(string path, string sql, int minimumSteps)
    {
        await using var app = await TestApp.StartAsync();
        await using var connection = new SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in new[] { "@Year", "@AssessmentYear", "@AgencyId", "@UnitId", "@Stage", "@Predikat", "@BanCutoff", "@Take", "@Skip", "@Month" })
        {
            command.Parameters.AddWithValue(name, DBNull.Value);
        }

        var steps = new List<string>();
        await using (var reader = await command.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync())
            {
                steps.Add(reader.GetString(3));
            }
        }

        Assert.NotEmpty(steps);
        Assert.DoesNotContain(steps, step => step.StartsWith("SCAN ", StringComparison.Ordinal));
        Assert.Contains(steps, step => step.StartsWith("SEARCH u ", StringComparison.Ordinal));
        Assert.True(steps.Count >= minimumSteps, $"{path}: {string.Join(" | ", steps)}");
    }
}

using Microsoft.Data.Sqlite;
using ZonaIntegritas.Api.Data;
using ZonaIntegritas.Api.Features.Accountability;
using ZonaIntegritas.Api.Features.Agencies;
using ZonaIntegritas.Api.Features.Assessments;
using ZonaIntegritas.Api.Features.Evidence;
using ZonaIntegritas.Api.Features.Compliance;
using ZonaIntegritas.Api.Features.PortalRb;
using ZonaIntegritas.Api.Features.Webhooks;
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
        var steps = await PlanAsync(sql, "@Year", "@AssessmentYear", "@AgencyId", "@UnitId", "@Stage", "@Predikat", "@BanCutoff", "@Take", "@Skip", "@Month");

        Assert.NotEmpty(steps);
        Assert.DoesNotContain(steps, step => step.StartsWith("SCAN ", StringComparison.Ordinal));
        Assert.Contains(steps, step => step.StartsWith("SEARCH u ", StringComparison.Ordinal));
        Assert.True(steps.Count >= minimumSteps, $"{path}: {string.Join(" | ", steps)}");
    }

    /// <summary>Each filtered list statement, and the index its plan must search (per-filter SQL, not "@X IS NULL OR ...").</summary>
    public static TheoryData<string, string> StoredDocumentPaths() => new()
    {
        { "stored document of a unit", ComplianceStore.StoredRowSql },
        { "fetch log writer: a document's last fetch", FetchLogWriter.LastFetchSql },
        { "refresher: rows marked stale", ComplianceStore.StaleSql + " LIMIT @Take OFFSET @Skip" },
        { "refresher: rows whose date has come", ComplianceStore.DueSql + " LIMIT @Take OFFSET @Skip" },
    };

    // The refresher asks for stale rows several times a second: it must seek, never read every unit's row.
    [Theory, MemberData(nameof(StoredDocumentPaths))]
    public async Task TheStoredDocumentPathsSeekTheirIndex(string path, string sql)
    {
        var steps = await PlanAsync(sql, "@UnitId", "@Today", "@Take", "@Skip", "@Year", "@At");
        Assert.True(steps.Count > 0 && steps.All(step => step.StartsWith("SEARCH compliance_documents USING ", StringComparison.Ordinal)), $"{path}: {string.Join(" | ", steps)}");
    }

    /// <summary>Retention's statements, and the index each must search: a range of events, and their deliveries by event.</summary>
    public static TheoryData<string, string, string> RetentionPaths() => new()
    {
        { "the next range of events", EventRetention.RangeSql + " LIMIT @Take OFFSET @Skip", "SEARCH events USING INTEGER PRIMARY KEY" },
        { "a range's finished deliveries", EventRetention.DeleteDeliveriesSql, "SEARCH webhook_deliveries USING INDEX ix_webhook_deliveries_event" },
        { "a range's events no delivery refers to", EventRetention.NewestUnreferencedSql, "SEARCH d USING COVERING INDEX ix_webhook_deliveries_event" },
        { "deleting them", EventRetention.DeleteEventsSql, "SEARCH d USING COVERING INDEX ix_webhook_deliveries_event" },
    };

    // Retention runs on every instance while events keep coming: it must walk ranges, never read every event or delivery.
    [Theory, MemberData(nameof(RetentionPaths))]
    public async Task RetentionSearchesItsIndexesInsteadOfScanning(string path, string sql, string expectedSearch)
    {
        var steps = await PlanAsync(sql, "@After", "@From", "@To", "@Cutoff", "@Take", "@Skip");

        Assert.DoesNotContain(steps, step => step.StartsWith("SCAN ", StringComparison.Ordinal));
        Assert.True(steps.Any(step => step.StartsWith(expectedSearch, StringComparison.Ordinal)), $"{path}: {string.Join(" | ", steps)}");
    }

    /// <summary>The readers of the audit trail by position: the webhook projector and the change feed.</summary>
    public static TheoryData<string, string> AuditTrailRanges() => new()
    {
        { "the projector's next entries", SqliteDialect.Instance.OutboxEntries },
        { "the change feed's next entries", SqliteDialect.Instance.ChangeFeedEntries },
    };

    // Both run every few hundred milliseconds on every instance, and the trail only grows: each must seek its range by
    // rowid. (Statistics that record a small trail turn this into a scan of all of it; README says not to ANALYZE.)
    [Theory, MemberData(nameof(AuditTrailRanges))]
    public async Task TheAuditTrailIsReadByRangeOfItsRowid(string path, string sql)
    {
        var steps = await PlanAsync(sql, "@Seen", "@SafeBelow", "@Take", "@Skip");

        Assert.True(steps.Count == 1 && steps[0].StartsWith("SEARCH audit_entries USING INTEGER PRIMARY KEY (rowid>? AND rowid<?)", StringComparison.Ordinal),
            $"{path}: {string.Join(" | ", steps)}");
    }

    public static TheoryData<string, string, string> FilteredLists() => new()
    {
        { "an agency key's agencies", AgencyEndpoints.ListSql(onlyOne: true).Select, "SEARCH agencies USING " },
        { "assessments of one unit", AssessmentEndpoints.ListSql(agency: false, unit: true, requestedUnit: false, year: false).Select, "SEARCH assessments USING INDEX ux_assessments_unit_year" },
        { "assessments of one unit and year", AssessmentEndpoints.ListSql(agency: true, unit: true, requestedUnit: true, year: true).Select, "SEARCH assessments USING INDEX ux_assessments_unit_year" },
        { "assessments of one agency", AssessmentEndpoints.ListSql(agency: true, unit: false, requestedUnit: false, year: false).Select, "SEARCH assessments USING INDEX ix_assessments_agency_year" },
        { "an assessment's evidence", EvidenceReads.ListSql(itemCode: false, status: null).Select, "SEARCH e USING INDEX ix_evidence_assessment_item" },
        { "an item's expired evidence", EvidenceReads.ListSql(itemCode: true, status: "expired").Select, "SEARCH e USING INDEX ix_evidence_assessment_item" },
    };

    [Theory, MemberData(nameof(FilteredLists))]
    public async Task FilteredListsSearchTheirIndexInsteadOfScanning(string path, string sql, string expectedSearch)
    {
        var steps = await PlanAsync(sql + " LIMIT @Take OFFSET @Skip", "@OnlyId", "@AgencyId", "@UnitId", "@RequestedUnitId", "@Year", "@AssessmentId", "@ItemCode", "@Status", "@Today", "@Take", "@Skip");

        Assert.DoesNotContain(steps, step => step.StartsWith("SCAN ", StringComparison.Ordinal));
        Assert.True(steps.Any(step => step.StartsWith(expectedSearch, StringComparison.Ordinal)), $"{path}: {string.Join(" | ", steps)}");
    }

    // PortalRB pulls each proposed unit's sheet, most of them cold: which items have live evidence must come from the
    // index alone, not from one evidence row (a page of its own, once uploads are spread over weeks) per item.
    [Fact]
    public async Task ThePortalRbSheetFindsEvidencedItemsInTheIndexAlone()
    {
        var steps = await PlanAsync(SqliteDialect.Instance.PortalRbSheet.Replace("IN @Statuses", "IN (@Statuses)", StringComparison.Ordinal),
            "@UnitId", "@AgencyId", "@Year", "@Statuses");

        Assert.DoesNotContain(steps, step => step.StartsWith("SCAN ", StringComparison.Ordinal));
        Assert.True(steps.Any(step => step.StartsWith("SEARCH e USING COVERING INDEX ix_evidence_assessment_item", StringComparison.Ordinal)), string.Join(" | ", steps));
    }

    /// <summary>SQLite's plan of the statement (each step's detail) on a freshly migrated database, every parameter NULL.</summary>
    private static async Task<List<string>> PlanAsync(string sql, params string[] parameters)
    {
        await using var app = await TestApp.StartAsync();
        await using var connection = new SqliteConnection(app.Database.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in parameters)
        {
            command.Parameters.AddWithValue(name, DBNull.Value);
        }
        var steps = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            steps.Add(reader.GetString(3));
        }
        return steps;
    }
}

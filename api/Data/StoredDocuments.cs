namespace ZonaIntegritas.Api.Data;

/// <summary>
/// The stored compliance documents' staleness marks (table compliance_documents, migration 0016). Every write's audit
/// entry calls these inside the write's transaction, so a document is never served as fresh once a write that can
/// change it has committed, whichever instance made the write and even if the process dies right after the commit.
/// Building the documents again is the Compliance feature's job (ComplianceStore, ComplianceRefresher).
/// </summary>
public static class StoredDocuments
{
    public static Task MarkUnitAsync(DbConnection connection, DbTransaction? transaction, Guid unitId) =>
        connection.ExecuteAsync(ISqlDialect.Of(connection).MarkUnitDocumentStale, new { UnitId = unitId }, transaction);

    public static Task MarkAgencyAsync(DbConnection connection, DbTransaction? transaction, Guid agencyId) =>
        connection.ExecuteAsync("UPDATE compliance_documents SET version = version + 1, valid_until = NULL WHERE agency_id = @AgencyId",
            new { AgencyId = agencyId }, transaction);

    /// <summary>For writes every unit's document depends on (a proposal window, a framework revision); rare.</summary>
    public static Task MarkAllAsync(DbConnection connection, DbTransaction? transaction) =>
        connection.ExecuteAsync("UPDATE compliance_documents SET version = version + 1, valid_until = NULL", transaction: transaction);
}

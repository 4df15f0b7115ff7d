namespace ZonaIntegritas.Api.Data;

/// <summary>
/// The stored compliance documents' staleness marks (table compliance_documents, migration 0016). Every write's audit
/// entry calls these inside the write's transaction, so a document is never served as fresh once a write that can
/// change it has committed, whichever instance made the write and even if the process dies right after the commit.
/// Building the documents again is the Compliance feature's job (ComplianceStore, ComplianceRefresher).
/// </summary>
public static class StoredDocuments
{
    // markedOn: the Indonesian day of the write. A row rebuilt on a later day than its mark may show a change the date
    // brought that the write's projection, computed on that earlier day, did not (ComplianceStore tells the projector).
    public static Task MarkUnitAsync(DbConnection connection, DbTransaction? transaction, Guid unitId, DateOnly markedOn) =>
        connection.ExecuteAsync(ISqlDialect.Of(connection).MarkUnitDocumentStale, new { UnitId = unitId, MarkedOn = markedOn }, transaction);

    public static Task MarkAgencyAsync(DbConnection connection, DbTransaction? transaction, Guid agencyId, DateOnly markedOn) =>
        connection.ExecuteAsync("UPDATE compliance_documents SET version = version + 1, valid_until = NULL, marked_on = @MarkedOn WHERE agency_id = @AgencyId",
            new { AgencyId = agencyId, MarkedOn = markedOn }, transaction);

    /// <summary>
    /// For writes every unit's document depends on (a proposal window, a framework revision); rare. Such a write names no
    /// unit, so the rebuild of each row compares its standing and tells the projector (<c>marked_for_all</c>).
    /// </summary>
    public static Task MarkAllAsync(DbConnection connection, DbTransaction? transaction, DateOnly markedOn) =>
        connection.ExecuteAsync("UPDATE compliance_documents SET version = version + 1, valid_until = NULL, marked_on = @MarkedOn, marked_for_all = 1",
            new { MarkedOn = markedOn }, transaction);
}

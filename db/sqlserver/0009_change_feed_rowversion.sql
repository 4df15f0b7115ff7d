-- Change feed position (issue 13). Identities are handed out at insert and transactions commit in any order, so an
-- instance that reads audit_entries by id can pass over a lower id that commits later. A rowversion is also assigned at
-- write time, but MIN_ACTIVE_ROWVERSION() tells the reader the lowest value any open transaction may still commit:
-- every row below it is settled. The feed reads only below that bound (api/Data/ChangeFeedCursor.cs). Audit rows are
-- never updated (the trigger of 0005 refuses it), so a row keeps the rowversion it was inserted with.
ALTER TABLE dbo.audit_entries ADD row_version ROWVERSION NOT NULL;
GO

CREATE UNIQUE INDEX ix_audit_entries_row_version ON dbo.audit_entries (row_version) INCLUDE (entity_type, agency_id, unit_id);
GO

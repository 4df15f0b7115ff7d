-- Append-only audit trail: one row per write, inserted in the transaction of the write it records.
-- Enforcement: the INSTEAD OF trigger below refuses UPDATE and DELETE for every login; in production also
-- DENY UPDATE, DELETE, ALTER ON dbo.audit_entries TO the application's role (see docs/security.md), so that
-- disabling the trigger needs a login the service never holds.

CREATE TABLE dbo.audit_entries (
    id           BIGINT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_audit_entries PRIMARY KEY CLUSTERED,
    at           DATETIMEOFFSET(7) NOT NULL,
    api_key_id   UNIQUEIDENTIFIER NULL,
    role         NVARCHAR(20) NULL,
    action       NVARCHAR(60) NOT NULL,
    entity_type  NVARCHAR(40) NOT NULL,
    entity_id    NVARCHAR(100) NOT NULL,
    agency_id    UNIQUEIDENTIFIER NULL,
    unit_id      UNIQUEIDENTIFIER NULL,
    changes      NVARCHAR(MAX) NULL,
    request_id   NVARCHAR(100) NULL,
    client_ip    NVARCHAR(64) NULL
);
CREATE INDEX ix_audit_entries_entity ON dbo.audit_entries (entity_type, entity_id, id);
CREATE INDEX ix_audit_entries_api_key ON dbo.audit_entries (api_key_id, id);
CREATE INDEX ix_audit_entries_agency ON dbo.audit_entries (agency_id, id);
CREATE INDEX ix_audit_entries_at ON dbo.audit_entries (at);
GO

CREATE TRIGGER dbo.audit_entries_append_only ON dbo.audit_entries
INSTEAD OF UPDATE, DELETE
AS
BEGIN
    SET NOCOUNT ON;
    THROW 51000, N'audit_entries is append-only: UPDATE and DELETE are refused.', 1;
END;
GO

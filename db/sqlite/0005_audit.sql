-- Append-only audit trail: one row per write, inserted in the transaction of the write it records.
-- entity_id is text because not every entity has a GUID (a client IP for authentication-failure bursts).

CREATE TABLE audit_entries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           TEXT NOT NULL,
    api_key_id   TEXT NULL,
    role         TEXT NULL,
    action       TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    agency_id    TEXT NULL,
    unit_id      TEXT NULL,
    changes      TEXT NULL,
    request_id   TEXT NULL,
    client_ip    TEXT NULL
);
CREATE INDEX ix_audit_entries_entity ON audit_entries (entity_type, entity_id, id);
CREATE INDEX ix_audit_entries_api_key ON audit_entries (api_key_id, id);
CREATE INDEX ix_audit_entries_agency ON audit_entries (agency_id, id);
CREATE INDEX ix_audit_entries_at ON audit_entries (at);

-- Nothing, not even a maintenance script run through this database file, may rewrite history.
CREATE TRIGGER audit_entries_refuse_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only: UPDATE is refused');
END;

CREATE TRIGGER audit_entries_refuse_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit_entries is append-only: DELETE is refused');
END;

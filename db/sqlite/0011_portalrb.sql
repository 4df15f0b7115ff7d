-- PortalRB integration (evaluation year 2026): the read-only `portalrb` key role, afirmasi on proposals, per-year
-- proposal windows, and the append-only log of every call PortalRB makes.

-- SQLite cannot change a CHECK constraint in place: the key table is rebuilt with the new role allowed.
CREATE TABLE api_keys_new (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'inspectorate', 'evaluator', 'unit', 'reader', 'portalrb')),
    agency_id   TEXT NULL REFERENCES agencies (id),
    unit_id     TEXT NULL REFERENCES units (id),
    key_hash    BLOB NOT NULL,
    key_prefix  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NULL,
    expires_at  TEXT NULL,
    revoked_at  TEXT NULL
);
INSERT INTO api_keys_new (id, name, role, agency_id, unit_id, key_hash, key_prefix, created_at, created_by, expires_at, revoked_at)
SELECT id, name, role, agency_id, unit_id, key_hash, key_prefix, created_at, created_by, expires_at, revoked_at FROM api_keys;
DROP TABLE api_keys;
ALTER TABLE api_keys_new RENAME TO api_keys;
CREATE UNIQUE INDEX ux_api_keys_hash ON api_keys (key_hash);

-- Set when the TPI proposes the unit (POST /assessments/{id}/propose {afirmasi}); PortalRB reports WBK-AFIRMASI.
ALTER TABLE assessments ADD COLUMN afirmasi INTEGER NOT NULL DEFAULT 0 CHECK (afirmasi IN (0, 1));

-- A year's proposal period as PortalRB announces it; years without a row use Proposals:DeadlineMonthDay.
CREATE TABLE proposal_windows (
    year        INTEGER NOT NULL PRIMARY KEY,
    opens_on    TEXT NOT NULL,
    closes_on   TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    CHECK (opens_on <= closes_on)
);

CREATE TABLE portalrb_fetches (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    at          TEXT NOT NULL,
    api_key_id  TEXT NULL,
    agency_id   TEXT NULL,
    endpoint    TEXT NOT NULL,
    unit_id     TEXT NULL,
    year        INTEGER NULL,
    status      INTEGER NOT NULL,
    request_id  TEXT NULL
);
CREATE INDEX ix_portalrb_fetches_unit ON portalrb_fetches (unit_id, year, id);
CREATE INDEX ix_portalrb_fetches_agency ON portalrb_fetches (agency_id, id);

CREATE TRIGGER portalrb_fetches_refuse_update BEFORE UPDATE ON portalrb_fetches
BEGIN
    SELECT RAISE(ABORT, 'portalrb_fetches is append-only: UPDATE is refused');
END;

CREATE TRIGGER portalrb_fetches_refuse_delete BEFORE DELETE ON portalrb_fetches
BEGIN
    SELECT RAISE(ABORT, 'portalrb_fetches is append-only: DELETE is refused');
END;

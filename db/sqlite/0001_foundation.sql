-- Foundation: API keys, agencies, work units, ZI declarations, integrity pacts.
-- GUIDs are lower-case text, timestamps ISO 8601 UTC text, dates yyyy-MM-dd text.

CREATE TABLE agencies (
    id          TEXT NOT NULL PRIMARY KEY,
    code        TEXT NOT NULL COLLATE NOCASE,
    name        TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('kementerian', 'lembaga', 'pemda', 'other')),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_agencies_code ON agencies (code);

CREATE TABLE units (
    id                       TEXT NOT NULL PRIMARY KEY,
    agency_id                TEXT NOT NULL REFERENCES agencies (id),
    code                     TEXT NOT NULL COLLATE NOCASE,
    name                     TEXT NOT NULL,
    parent_unit_id           TEXT NULL REFERENCES units (id),
    kind                     TEXT NOT NULL,
    provides_public_service  INTEGER NOT NULL CHECK (provides_public_service IN (0, 1)),
    employee_count           INTEGER NOT NULL CHECK (employee_count >= 0),
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_units_agency_code ON units (agency_id, code);
CREATE INDEX ix_units_parent ON units (parent_unit_id);

CREATE TABLE api_keys (
    id          TEXT NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('admin', 'inspectorate', 'evaluator', 'unit', 'reader')),
    agency_id   TEXT NULL REFERENCES agencies (id),
    unit_id     TEXT NULL REFERENCES units (id),
    key_hash    BLOB NOT NULL,
    key_prefix  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    created_by  TEXT NULL,
    expires_at  TEXT NULL,
    revoked_at  TEXT NULL
);
CREATE UNIQUE INDEX ux_api_keys_hash ON api_keys (key_hash);

CREATE TABLE declarations (
    id               TEXT NOT NULL PRIMARY KEY,
    agency_id        TEXT NOT NULL REFERENCES agencies (id),
    declared_on      TEXT NOT NULL,
    place            TEXT NOT NULL,
    publication_url  TEXT NULL,
    created_at       TEXT NOT NULL,
    created_by       TEXT NOT NULL
);
CREATE INDEX ix_declarations_agency_date ON declarations (agency_id, declared_on);

CREATE TABLE declaration_witnesses (
    declaration_id  TEXT NOT NULL REFERENCES declarations (id),
    ordinal         INTEGER NOT NULL,
    name            TEXT NOT NULL,
    position        TEXT NOT NULL,
    institution     TEXT NOT NULL,
    PRIMARY KEY (declaration_id, ordinal)
);

CREATE TABLE declaration_units (
    declaration_id     TEXT NOT NULL REFERENCES declarations (id),
    unit_id            TEXT NOT NULL REFERENCES units (id),
    ordinal            INTEGER NOT NULL,
    head_name          TEXT NOT NULL,
    head_nip           TEXT NOT NULL,
    head_position      TEXT NOT NULL,
    withdrawn_at       TEXT NULL,
    withdrawn_by       TEXT NULL,
    withdrawal_reason  TEXT NULL,
    PRIMARY KEY (declaration_id, unit_id)
);
-- A unit has at most one declaration that has not been withdrawn: this index, not application code, decides races.
CREATE UNIQUE INDEX ux_declaration_units_active ON declaration_units (unit_id) WHERE withdrawn_at IS NULL;
CREATE INDEX ix_declaration_units_unit ON declaration_units (unit_id);

CREATE TABLE integrity_pacts (
    id            TEXT NOT NULL PRIMARY KEY,
    unit_id       TEXT NOT NULL REFERENCES units (id),
    nip           TEXT NOT NULL,
    name          TEXT NOT NULL,
    position      TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('pimpinan', 'pejabat', 'pegawai')),
    occasion      TEXT NOT NULL CHECK (occasion IN ('pencanangan', 'pelantikan', 'mutasi', 'tahunan')),
    signed_on     TEXT NOT NULL,
    signed_year   INTEGER NOT NULL,
    document_url  TEXT NULL,
    created_at    TEXT NOT NULL,
    created_by    TEXT NOT NULL
);
-- One pact per employee, unit, occasion and year.
CREATE UNIQUE INDEX ux_integrity_pacts_signature ON integrity_pacts (unit_id, nip, occasion, signed_year);
CREATE INDEX ix_integrity_pacts_unit_year ON integrity_pacts (unit_id, signed_year, nip);

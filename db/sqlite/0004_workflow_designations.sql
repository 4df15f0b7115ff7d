-- Assessment workflow history and WBK/WBBM designations (predikat).

CREATE TABLE assessment_transitions (
    id             TEXT NOT NULL PRIMARY KEY,
    assessment_id  TEXT NOT NULL REFERENCES assessments (id),
    sequence       INTEGER NOT NULL,
    action         TEXT NOT NULL,
    from_status    TEXT NOT NULL,
    to_status      TEXT NOT NULL,
    note           TEXT NULL,
    transitioned_at TEXT NOT NULL,
    by_key         TEXT NOT NULL
);
CREATE UNIQUE INDEX ux_assessment_transitions_sequence ON assessment_transitions (assessment_id, sequence);

CREATE TABLE designations (
    id                        TEXT NOT NULL PRIMARY KEY,
    unit_id                   TEXT NOT NULL REFERENCES units (id),
    agency_id                 TEXT NOT NULL REFERENCES agencies (id),
    predikat                  TEXT NOT NULL CHECK (predikat IN ('WBK', 'WBBM')),
    decree_number             TEXT NOT NULL,
    decree_date               TEXT NOT NULL,
    assessment_id             TEXT NOT NULL REFERENCES assessments (id),
    created_at                TEXT NOT NULL,
    created_by                TEXT NOT NULL,
    superseded_by             TEXT NULL,
    revoked_on                TEXT NULL,
    revocation_reason         TEXT NULL,
    revocation_decree_number  TEXT NULL,
    revoked_at                TEXT NULL,
    revoked_by                TEXT NULL
);
CREATE UNIQUE INDEX ux_designations_assessment ON designations (assessment_id);
CREATE INDEX ix_designations_unit ON designations (unit_id, revoked_on);
CREATE INDEX ix_designations_agency ON designations (agency_id, predikat);

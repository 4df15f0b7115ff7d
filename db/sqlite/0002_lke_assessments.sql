-- LKE frameworks (loaded from db/frameworks/*.json at start), assessments and their three answer layers.

CREATE TABLE frameworks (
    code           TEXT NOT NULL PRIMARY KEY,
    title          TEXT NOT NULL,
    source_sha256  TEXT NOT NULL,
    loaded_at      TEXT NOT NULL
);

CREATE TABLE framework_items (
    framework_code      TEXT NOT NULL REFERENCES frameworks (code),
    item_code           TEXT NOT NULL,
    ordinal             INTEGER NOT NULL,
    area_code           TEXT NOT NULL,
    sub_indicator_code  TEXT NOT NULL,
    parent_item_code    TEXT NULL,
    answer_type         TEXT NOT NULL,
    scored              INTEGER NOT NULL CHECK (scored IN (0, 1)),
    weight              TEXT NULL,
    PRIMARY KEY (framework_code, item_code)
);

CREATE TABLE assessments (
    id              TEXT NOT NULL PRIMARY KEY,
    unit_id         TEXT NOT NULL REFERENCES units (id),
    agency_id       TEXT NOT NULL REFERENCES agencies (id),
    year            INTEGER NOT NULL,
    target          TEXT NOT NULL CHECK (target IN ('WBK', 'WBBM')),
    framework_code  TEXT NOT NULL REFERENCES frameworks (code),
    status          TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
-- One assessment per unit and year.
CREATE UNIQUE INDEX ux_assessments_unit_year ON assessments (unit_id, year);
CREATE INDEX ix_assessments_agency_year ON assessments (agency_id, year);

CREATE TABLE answers (
    assessment_id   TEXT NOT NULL REFERENCES assessments (id),
    layer           TEXT NOT NULL CHECK (layer IN ('self', 'tpi', 'tpn')),
    framework_code  TEXT NOT NULL,
    item_code       TEXT NOT NULL,
    value           TEXT NOT NULL,
    note            TEXT NULL,
    updated_at      TEXT NOT NULL,
    updated_by      TEXT NOT NULL,
    PRIMARY KEY (assessment_id, layer, item_code),
    FOREIGN KEY (framework_code, item_code) REFERENCES framework_items (framework_code, item_code)
);

CREATE TABLE answer_history (
    id             TEXT NOT NULL PRIMARY KEY,
    assessment_id  TEXT NOT NULL REFERENCES assessments (id),
    layer          TEXT NOT NULL,
    item_code      TEXT NOT NULL,
    old_value      TEXT NULL,
    new_value      TEXT NULL,
    old_note       TEXT NULL,
    new_note       TEXT NULL,
    changed_at     TEXT NOT NULL,
    changed_by     TEXT NOT NULL,
    sequence       INTEGER NOT NULL
);
CREATE INDEX ix_answer_history_item ON answer_history (assessment_id, layer, item_code, sequence);

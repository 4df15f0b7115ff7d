-- Answers are always read by assessment (a sheet, a score, a compliance page). Without a rowid the primary key is the
-- table itself: one B-tree instead of a table plus its key index, an assessment's answers stored together, and half the
-- pages written per answer. SQL Server's clustered primary key (0002) already stores them this way.

CREATE TABLE answers_clustered (
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
) WITHOUT ROWID;

INSERT INTO answers_clustered (assessment_id, layer, framework_code, item_code, value, note, updated_at, updated_by)
SELECT assessment_id, layer, framework_code, item_code, value, note, updated_at, updated_by FROM answers;

DROP TABLE answers;

ALTER TABLE answers_clustered RENAME TO answers;

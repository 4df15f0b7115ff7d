-- The national evaluation after a proposal (PermenPANRB 90/2021 ch. IV; KemenPANRB announcements 2022-2024): the
-- TPN's recorded stages, the one appeal (sanggah) per unit and year, the follow-ups of a conditional pass, and the
-- proposal prerequisites per agency and year: the prior year's BPK audit opinion and an optional quota.

-- One row per recorded stage (administrative selection, desk and field evaluation, decision); a selection is recorded
-- again after an accepted appeal, so the latest row of a stage is the one in force.
CREATE TABLE assessment_stage_records (
    id                  TEXT NOT NULL PRIMARY KEY,
    assessment_id       TEXT NOT NULL REFERENCES assessments (id),
    stage               TEXT NOT NULL CHECK (stage IN ('administrative_selection', 'desk_evaluation', 'field_evaluation', 'decision')),
    outcome             TEXT NULL,
    held_on             TEXT NOT NULL,
    mode                TEXT NULL CHECK (mode IN ('in_person', 'online')),
    notes               TEXT NULL,
    recommendations     TEXT NULL,
    follow_ups_due_on   TEXT NULL,
    appeal_opens_on     TEXT NULL,
    appeal_closes_on    TEXT NULL,
    recorded_at         TEXT NOT NULL,
    recorded_by         TEXT NOT NULL
);
CREATE INDEX ix_assessment_stage_records_assessment ON assessment_stage_records (assessment_id, stage, recorded_at);

-- One appeal per unit and year: the unique indexes decide races.
CREATE TABLE assessment_appeals (
    id              TEXT NOT NULL PRIMARY KEY,
    assessment_id   TEXT NOT NULL REFERENCES assessments (id),
    unit_id         TEXT NOT NULL REFERENCES units (id),
    year            INTEGER NOT NULL,
    reasons         TEXT NOT NULL,
    evidence_ids    TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('filed', 'accepted', 'rejected')),
    filed_at        TEXT NOT NULL,
    filed_by        TEXT NOT NULL,
    decision_note   TEXT NULL,
    decided_at      TEXT NULL,
    decided_by      TEXT NULL
);
CREATE UNIQUE INDEX ux_assessment_appeals_assessment ON assessment_appeals (assessment_id);
CREATE UNIQUE INDEX ux_assessment_appeals_unit_year ON assessment_appeals (unit_id, year);

CREATE TABLE assessment_follow_ups (
    id               TEXT NOT NULL PRIMARY KEY,
    assessment_id    TEXT NOT NULL REFERENCES assessments (id),
    selection_id     TEXT NOT NULL REFERENCES assessment_stage_records (id),
    sequence         INTEGER NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('sptjm', 'lke_workbook', 'document')),
    description      TEXT NOT NULL,
    due_on           TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('open', 'fulfilled', 'waived')),
    evidence_id      TEXT NULL REFERENCES evidence (id),
    tpi_layer_stamp  TEXT NULL,
    waiver_reason    TEXT NULL,
    resolved_at      TEXT NULL,
    resolved_by      TEXT NULL
);
CREATE UNIQUE INDEX ux_assessment_follow_ups_sequence ON assessment_follow_ups (assessment_id, sequence);

CREATE TABLE agency_audit_opinions (
    agency_id      TEXT NOT NULL REFERENCES agencies (id),
    year           INTEGER NOT NULL,
    opinion        TEXT NOT NULL CHECK (opinion IN ('WTP', 'WDP', 'TW', 'TMP')),
    report_number  TEXT NOT NULL,
    issued_on      TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL,
    PRIMARY KEY (agency_id, year)
);

-- NULL: no limit for that predikat.
CREATE TABLE agency_proposal_quotas (
    agency_id   TEXT NOT NULL REFERENCES agencies (id),
    year        INTEGER NOT NULL,
    wbk         INTEGER NULL CHECK (wbk >= 0),
    wbbm        INTEGER NULL CHECK (wbbm >= 0),
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    PRIMARY KEY (agency_id, year)
);

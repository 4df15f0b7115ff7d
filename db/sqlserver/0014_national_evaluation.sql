-- The national evaluation after a proposal (PermenPANRB 90/2021 ch. IV; KemenPANRB announcements 2022-2024): the
-- TPN's recorded stages, the one appeal (sanggah) per unit and year, the follow-ups of a conditional pass, and the
-- proposal prerequisites per agency and year: the prior year's BPK audit opinion and an optional quota.

-- One row per recorded stage (administrative selection, desk and field evaluation, decision); a selection is recorded
-- again after an accepted appeal, so the latest row of a stage is the one in force.
CREATE TABLE dbo.assessment_stage_records (
    id                  UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_assessment_stage_records PRIMARY KEY,
    assessment_id       UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_assessment_stage_records_assessment REFERENCES dbo.assessments (id),
    stage               NVARCHAR(30) NOT NULL CONSTRAINT ck_assessment_stage_records_stage
                            CHECK (stage IN (N'administrative_selection', N'desk_evaluation', N'field_evaluation', N'decision')),
    outcome             NVARCHAR(30) NULL,
    held_on             DATE NOT NULL,
    mode                NVARCHAR(20) NULL CONSTRAINT ck_assessment_stage_records_mode CHECK (mode IN (N'in_person', N'online')),
    notes               NVARCHAR(4000) NULL,
    recommendations     NVARCHAR(4000) NULL,
    follow_ups_due_on   DATE NULL,
    appeal_opens_on     DATE NULL,
    appeal_closes_on    DATE NULL,
    recorded_at         DATETIMEOFFSET(7) NOT NULL,
    recorded_by         UNIQUEIDENTIFIER NOT NULL
);
CREATE INDEX ix_assessment_stage_records_assessment ON dbo.assessment_stage_records (assessment_id, stage, recorded_at);

-- One appeal per unit and year: the unique indexes decide races.
CREATE TABLE dbo.assessment_appeals (
    id              UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_assessment_appeals PRIMARY KEY,
    assessment_id   UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_assessment_appeals_assessment REFERENCES dbo.assessments (id),
    unit_id         UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_assessment_appeals_unit REFERENCES dbo.units (id),
    year            INT NOT NULL,
    reasons         NVARCHAR(4000) NOT NULL,
    evidence_ids    NVARCHAR(4000) NOT NULL,
    status          NVARCHAR(10) NOT NULL CONSTRAINT ck_assessment_appeals_status CHECK (status IN (N'filed', N'accepted', N'rejected')),
    filed_at        DATETIMEOFFSET(7) NOT NULL,
    filed_by        UNIQUEIDENTIFIER NOT NULL,
    decision_note   NVARCHAR(4000) NULL,
    decided_at      DATETIMEOFFSET(7) NULL,
    decided_by      UNIQUEIDENTIFIER NULL
);
CREATE UNIQUE INDEX ux_assessment_appeals_assessment ON dbo.assessment_appeals (assessment_id);
CREATE UNIQUE INDEX ux_assessment_appeals_unit_year ON dbo.assessment_appeals (unit_id, year);

CREATE TABLE dbo.assessment_follow_ups (
    id               UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_assessment_follow_ups PRIMARY KEY NONCLUSTERED,
    assessment_id    UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_assessment_follow_ups_assessment REFERENCES dbo.assessments (id),
    selection_id     UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_assessment_follow_ups_selection REFERENCES dbo.assessment_stage_records (id),
    sequence         INT NOT NULL,
    kind             NVARCHAR(20) NOT NULL CONSTRAINT ck_assessment_follow_ups_kind CHECK (kind IN (N'sptjm', N'lke_workbook', N'document')),
    description      NVARCHAR(500) NOT NULL,
    due_on           DATE NOT NULL,
    status           NVARCHAR(10) NOT NULL CONSTRAINT ck_assessment_follow_ups_status CHECK (status IN (N'open', N'fulfilled', N'waived')),
    evidence_id      UNIQUEIDENTIFIER NULL CONSTRAINT fk_assessment_follow_ups_evidence REFERENCES dbo.evidence (id),
    tpi_layer_stamp  NVARCHAR(100) NULL,
    waiver_reason    NVARCHAR(2000) NULL,
    resolved_at      DATETIMEOFFSET(7) NULL,
    resolved_by      UNIQUEIDENTIFIER NULL
);
CREATE UNIQUE CLUSTERED INDEX ux_assessment_follow_ups_sequence ON dbo.assessment_follow_ups (assessment_id, sequence);

CREATE TABLE dbo.agency_audit_opinions (
    agency_id      UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_agency_audit_opinions_agency REFERENCES dbo.agencies (id),
    year           INT NOT NULL,
    opinion        NVARCHAR(3) NOT NULL CONSTRAINT ck_agency_audit_opinions_opinion CHECK (opinion IN (N'WTP', N'WDP', N'TW', N'TMP')),
    report_number  NVARCHAR(200) NOT NULL,
    issued_on      DATE NOT NULL,
    updated_at     DATETIMEOFFSET(7) NOT NULL,
    updated_by     UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT pk_agency_audit_opinions PRIMARY KEY (agency_id, year)
);

-- NULL: no limit for that predikat.
CREATE TABLE dbo.agency_proposal_quotas (
    agency_id   UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_agency_proposal_quotas_agency REFERENCES dbo.agencies (id),
    year        INT NOT NULL,
    wbk         INT NULL CONSTRAINT ck_agency_proposal_quotas_wbk CHECK (wbk >= 0),
    wbbm        INT NULL CONSTRAINT ck_agency_proposal_quotas_wbbm CHECK (wbbm >= 0),
    updated_at  DATETIMEOFFSET(7) NOT NULL,
    updated_by  UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT pk_agency_proposal_quotas PRIMARY KEY (agency_id, year)
);

-- Assessment workflow history and WBK/WBBM designations (predikat).

CREATE TABLE dbo.assessment_transitions (
    id             UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_assessment_transitions PRIMARY KEY NONCLUSTERED,
    assessment_id  UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_assessment_transitions_assessment REFERENCES dbo.assessments (id),
    sequence       INT NOT NULL,
    action         NVARCHAR(20) NOT NULL,
    from_status    NVARCHAR(20) NOT NULL,
    to_status      NVARCHAR(20) NOT NULL,
    note           NVARCHAR(2000) NULL,
    transitioned_at DATETIMEOFFSET(7) NOT NULL,
    by_key         UNIQUEIDENTIFIER NOT NULL
);
CREATE UNIQUE CLUSTERED INDEX ux_assessment_transitions_sequence ON dbo.assessment_transitions (assessment_id, sequence);

CREATE TABLE dbo.designations (
    id                        UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_designations PRIMARY KEY,
    unit_id                   UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_designations_unit REFERENCES dbo.units (id),
    agency_id                 UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_designations_agency REFERENCES dbo.agencies (id),
    predikat                  NVARCHAR(4) NOT NULL CONSTRAINT ck_designations_predikat CHECK (predikat IN (N'WBK', N'WBBM')),
    decree_number             NVARCHAR(200) NOT NULL,
    decree_date               DATE NOT NULL,
    assessment_id             UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_designations_assessment REFERENCES dbo.assessments (id),
    created_at                DATETIMEOFFSET(7) NOT NULL,
    created_by                UNIQUEIDENTIFIER NOT NULL,
    superseded_by             UNIQUEIDENTIFIER NULL,
    revoked_on                DATE NULL,
    revocation_reason         NVARCHAR(2000) NULL,
    revocation_decree_number  NVARCHAR(200) NULL,
    revoked_at                DATETIMEOFFSET(7) NULL,
    revoked_by                UNIQUEIDENTIFIER NULL
);
CREATE UNIQUE INDEX ux_designations_assessment ON dbo.designations (assessment_id);
CREATE INDEX ix_designations_unit ON dbo.designations (unit_id, revoked_on);
CREATE INDEX ix_designations_agency ON dbo.designations (agency_id, predikat);

-- LKE frameworks (loaded from db/frameworks/*.json at start), assessments and their three answer layers.

CREATE TABLE dbo.frameworks (
    code           NVARCHAR(50) NOT NULL CONSTRAINT pk_frameworks PRIMARY KEY,
    title          NVARCHAR(500) NOT NULL,
    source_sha256  CHAR(64) NOT NULL,
    loaded_at      DATETIMEOFFSET(7) NOT NULL
);

CREATE TABLE dbo.framework_items (
    framework_code      NVARCHAR(50) NOT NULL CONSTRAINT fk_framework_items_framework REFERENCES dbo.frameworks (code),
    item_code           NVARCHAR(30) NOT NULL,
    ordinal             INT NOT NULL,
    area_code           NVARCHAR(20) NOT NULL,
    sub_indicator_code  NVARCHAR(40) NOT NULL,
    parent_item_code    NVARCHAR(30) NULL,
    answer_type         NVARCHAR(20) NOT NULL,
    scored              BIT NOT NULL,
    weight              NVARCHAR(40) NULL,
    CONSTRAINT pk_framework_items PRIMARY KEY (framework_code, item_code)
);

CREATE TABLE dbo.assessments (
    id              UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_assessments PRIMARY KEY,
    unit_id         UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_assessments_unit REFERENCES dbo.units (id),
    agency_id       UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_assessments_agency REFERENCES dbo.agencies (id),
    year            INT NOT NULL,
    target          NVARCHAR(4) NOT NULL CONSTRAINT ck_assessments_target CHECK (target IN (N'WBK', N'WBBM')),
    framework_code  NVARCHAR(50) NOT NULL CONSTRAINT fk_assessments_framework REFERENCES dbo.frameworks (code),
    status          NVARCHAR(20) NOT NULL,
    created_at      DATETIMEOFFSET(7) NOT NULL,
    created_by      UNIQUEIDENTIFIER NOT NULL,
    updated_at      DATETIMEOFFSET(7) NOT NULL
);
-- One assessment per unit and year.
CREATE UNIQUE INDEX ux_assessments_unit_year ON dbo.assessments (unit_id, year);
CREATE INDEX ix_assessments_agency_year ON dbo.assessments (agency_id, year);

CREATE TABLE dbo.answers (
    assessment_id   UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_answers_assessment REFERENCES dbo.assessments (id),
    layer           NVARCHAR(4) NOT NULL CONSTRAINT ck_answers_layer CHECK (layer IN (N'self', N'tpi', N'tpn')),
    framework_code  NVARCHAR(50) NOT NULL,
    item_code       NVARCHAR(30) NOT NULL,
    value           NVARCHAR(40) NOT NULL,
    note            NVARCHAR(2000) NULL,
    updated_at      DATETIMEOFFSET(7) NOT NULL,
    updated_by      UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT pk_answers PRIMARY KEY (assessment_id, layer, item_code),
    CONSTRAINT fk_answers_item FOREIGN KEY (framework_code, item_code) REFERENCES dbo.framework_items (framework_code, item_code)
);

CREATE TABLE dbo.answer_history (
    id             UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_answer_history PRIMARY KEY NONCLUSTERED,
    assessment_id  UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_answer_history_assessment REFERENCES dbo.assessments (id),
    layer          NVARCHAR(4) NOT NULL,
    item_code      NVARCHAR(30) NOT NULL,
    old_value      NVARCHAR(40) NULL,
    new_value      NVARCHAR(40) NULL,
    old_note       NVARCHAR(2000) NULL,
    new_note       NVARCHAR(2000) NULL,
    changed_at     DATETIMEOFFSET(7) NOT NULL,
    changed_by     UNIQUEIDENTIFIER NOT NULL,
    sequence       BIGINT NOT NULL
);
CREATE CLUSTERED INDEX ix_answer_history_item ON dbo.answer_history (assessment_id, layer, item_code, sequence);

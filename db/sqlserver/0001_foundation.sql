-- Foundation: API keys, agencies, work units, ZI declarations, integrity pacts.

CREATE TABLE dbo.agencies (
    id          UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_agencies PRIMARY KEY,
    code        NVARCHAR(50) NOT NULL,
    name        NVARCHAR(300) NOT NULL,
    kind        NVARCHAR(20) NOT NULL CONSTRAINT ck_agencies_kind CHECK (kind IN (N'kementerian', N'lembaga', N'pemda', N'other')),
    created_at  DATETIMEOFFSET(7) NOT NULL,
    updated_at  DATETIMEOFFSET(7) NOT NULL
);
CREATE UNIQUE INDEX ux_agencies_code ON dbo.agencies (code);

CREATE TABLE dbo.units (
    id                       UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_units PRIMARY KEY,
    agency_id                UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_units_agency REFERENCES dbo.agencies (id),
    code                     NVARCHAR(50) NOT NULL,
    name                     NVARCHAR(300) NOT NULL,
    parent_unit_id           UNIQUEIDENTIFIER NULL CONSTRAINT fk_units_parent REFERENCES dbo.units (id),
    kind                     NVARCHAR(30) NOT NULL,
    provides_public_service  BIT NOT NULL,
    employee_count           INT NOT NULL CONSTRAINT ck_units_employee_count CHECK (employee_count >= 0),
    created_at               DATETIMEOFFSET(7) NOT NULL,
    updated_at               DATETIMEOFFSET(7) NOT NULL
);
CREATE UNIQUE INDEX ux_units_agency_code ON dbo.units (agency_id, code);
CREATE INDEX ix_units_parent ON dbo.units (parent_unit_id);

CREATE TABLE dbo.api_keys (
    id          UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_api_keys PRIMARY KEY,
    name        NVARCHAR(200) NOT NULL,
    role        NVARCHAR(20) NOT NULL CONSTRAINT ck_api_keys_role CHECK (role IN (N'admin', N'inspectorate', N'evaluator', N'unit', N'reader')),
    agency_id   UNIQUEIDENTIFIER NULL CONSTRAINT fk_api_keys_agency REFERENCES dbo.agencies (id),
    unit_id     UNIQUEIDENTIFIER NULL CONSTRAINT fk_api_keys_unit REFERENCES dbo.units (id),
    key_hash    VARBINARY(32) NOT NULL,
    key_prefix  NVARCHAR(16) NOT NULL,
    created_at  DATETIMEOFFSET(7) NOT NULL,
    created_by  UNIQUEIDENTIFIER NULL,
    expires_at  DATETIMEOFFSET(7) NULL,
    revoked_at  DATETIMEOFFSET(7) NULL
);
CREATE UNIQUE INDEX ux_api_keys_hash ON dbo.api_keys (key_hash);

CREATE TABLE dbo.declarations (
    id               UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_declarations PRIMARY KEY,
    agency_id        UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_declarations_agency REFERENCES dbo.agencies (id),
    declared_on      DATE NOT NULL,
    place            NVARCHAR(300) NOT NULL,
    publication_url  NVARCHAR(2000) NULL,
    created_at       DATETIMEOFFSET(7) NOT NULL,
    created_by       UNIQUEIDENTIFIER NOT NULL
);
CREATE INDEX ix_declarations_agency_date ON dbo.declarations (agency_id, declared_on);

CREATE TABLE dbo.declaration_witnesses (
    declaration_id  UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_declaration_witnesses_declaration REFERENCES dbo.declarations (id),
    ordinal         INT NOT NULL,
    name            NVARCHAR(200) NOT NULL,
    position        NVARCHAR(300) NOT NULL,
    institution     NVARCHAR(300) NOT NULL,
    CONSTRAINT pk_declaration_witnesses PRIMARY KEY (declaration_id, ordinal)
);

CREATE TABLE dbo.declaration_units (
    declaration_id     UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_declaration_units_declaration REFERENCES dbo.declarations (id),
    unit_id            UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_declaration_units_unit REFERENCES dbo.units (id),
    ordinal            INT NOT NULL,
    head_name          NVARCHAR(200) NOT NULL,
    head_nip           CHAR(18) NOT NULL,
    head_position      NVARCHAR(300) NOT NULL,
    withdrawn_at       DATETIMEOFFSET(7) NULL,
    withdrawn_by       UNIQUEIDENTIFIER NULL,
    withdrawal_reason  NVARCHAR(1000) NULL,
    CONSTRAINT pk_declaration_units PRIMARY KEY (declaration_id, unit_id)
);
-- A unit has at most one declaration that has not been withdrawn: this filtered index, not application code, decides races.
CREATE UNIQUE INDEX ux_declaration_units_active ON dbo.declaration_units (unit_id) WHERE withdrawn_at IS NULL;
CREATE INDEX ix_declaration_units_unit ON dbo.declaration_units (unit_id);

CREATE TABLE dbo.integrity_pacts (
    id            UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_integrity_pacts PRIMARY KEY NONCLUSTERED,
    unit_id       UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_integrity_pacts_unit REFERENCES dbo.units (id),
    nip           CHAR(18) NOT NULL,
    name          NVARCHAR(200) NOT NULL,
    position      NVARCHAR(300) NOT NULL,
    role          NVARCHAR(20) NOT NULL CONSTRAINT ck_integrity_pacts_role CHECK (role IN (N'pimpinan', N'pejabat', N'pegawai')),
    occasion      NVARCHAR(20) NOT NULL CONSTRAINT ck_integrity_pacts_occasion CHECK (occasion IN (N'pencanangan', N'pelantikan', N'mutasi', N'tahunan')),
    signed_on     DATE NOT NULL,
    signed_year   INT NOT NULL,
    document_url  NVARCHAR(2000) NULL,
    created_at    DATETIMEOFFSET(7) NOT NULL,
    created_by    UNIQUEIDENTIFIER NOT NULL
);
-- One pact per employee, unit, occasion and year; clustered so a unit's pacts sit together.
CREATE UNIQUE CLUSTERED INDEX ux_integrity_pacts_signature ON dbo.integrity_pacts (unit_id, nip, occasion, signed_year);
CREATE INDEX ix_integrity_pacts_unit_year ON dbo.integrity_pacts (unit_id, signed_year, nip);

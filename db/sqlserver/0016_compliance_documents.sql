-- Stored compliance documents (issue 19): each unit's document for the current year (its latest assessment), as
-- GET /units/{id}/compliance sends it, so that a cold read is one indexed row. Every write that can change a unit's
-- document bumps version and clears valid_until in the write's own transaction (AuditTrail), so a row is served only
-- while nothing committed since it was built; it is rebuilt right after the write (ComplianceRefresher) or by the
-- first read. valid_until is the first Indonesian day on which a date the document depends on may change it.
CREATE TABLE dbo.compliance_documents (
    unit_id            UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_compliance_documents PRIMARY KEY
                       CONSTRAINT fk_compliance_documents_unit REFERENCES dbo.units (id),
    agency_id          UNIQUEIDENTIFIER NOT NULL,
    version            BIGINT NOT NULL CONSTRAINT df_compliance_documents_version DEFAULT 1,
    valid_until        DATE NULL,
    stage              NVARCHAR(20) NULL,
    predikat           NVARCHAR(10) NULL,
    assessment_status  NVARCHAR(40) NULL,
    flags              NVARCHAR(400) NULL,
    body               NVARCHAR(MAX) NULL,
    etag               NVARCHAR(40) NULL,
    assessment_year    INT NULL,
    answers_changed_at DATETIMEOFFSET(7) NULL,
    portalrb_fetched_at DATETIMEOFFSET(7) NULL
);
CREATE INDEX ix_compliance_documents_agency ON dbo.compliance_documents (agency_id, valid_until);
CREATE INDEX ix_compliance_documents_valid ON dbo.compliance_documents (valid_until);

INSERT INTO dbo.compliance_documents (unit_id, agency_id, version) SELECT id, agency_id, 1 FROM dbo.units;

-- PortalRB integration (evaluation year 2026): the read-only `portalrb` key role, afirmasi on proposals, per-year
-- proposal windows, and the append-only log of every call PortalRB makes.

ALTER TABLE dbo.api_keys DROP CONSTRAINT ck_api_keys_role;
ALTER TABLE dbo.api_keys ADD CONSTRAINT ck_api_keys_role
    CHECK (role IN (N'admin', N'inspectorate', N'evaluator', N'unit', N'reader', N'portalrb'));

-- Set when the TPI proposes the unit (POST /assessments/{id}/propose {afirmasi}); PortalRB reports WBK-AFIRMASI.
ALTER TABLE dbo.assessments ADD afirmasi BIT NOT NULL CONSTRAINT df_assessments_afirmasi DEFAULT 0;

-- A year's proposal period as PortalRB announces it; years without a row use Proposals:DeadlineMonthDay.
CREATE TABLE dbo.proposal_windows (
    year        INT NOT NULL CONSTRAINT pk_proposal_windows PRIMARY KEY,
    opens_on    DATE NOT NULL,
    closes_on   DATE NOT NULL,
    updated_at  DATETIMEOFFSET(7) NOT NULL,
    updated_by  UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT ck_proposal_windows_order CHECK (opens_on <= closes_on)
);

CREATE TABLE dbo.portalrb_fetches (
    id          BIGINT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_portalrb_fetches PRIMARY KEY,
    at          DATETIMEOFFSET(7) NOT NULL,
    api_key_id  UNIQUEIDENTIFIER NULL,
    agency_id   UNIQUEIDENTIFIER NULL,
    endpoint    NVARCHAR(100) NOT NULL,
    unit_id     UNIQUEIDENTIFIER NULL,
    year        INT NULL,
    status      INT NOT NULL,
    request_id  NVARCHAR(100) NULL
);
CREATE INDEX ix_portalrb_fetches_unit ON dbo.portalrb_fetches (unit_id, year, id);
CREATE INDEX ix_portalrb_fetches_agency ON dbo.portalrb_fetches (agency_id, id);
GO

CREATE TRIGGER dbo.portalrb_fetches_append_only ON dbo.portalrb_fetches
INSTEAD OF UPDATE, DELETE
AS
BEGIN
    SET NOCOUNT ON;
    THROW 51000, N'portalrb_fetches is append-only: UPDATE and DELETE are refused.', 1;
END;

-- Evidence (data dukung): files (content-addressed blobs on disk, one row per version) and links, reviewed per item.

CREATE TABLE dbo.evidence (
    id              UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_evidence PRIMARY KEY,
    assessment_id   UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_evidence_assessment REFERENCES dbo.assessments (id),
    item_code       NVARCHAR(30) NOT NULL,
    kind            NVARCHAR(4) NOT NULL CONSTRAINT ck_evidence_kind CHECK (kind IN (N'file', N'link')),
    url             NVARCHAR(2000) NULL,
    title           NVARCHAR(300) NULL,
    description     NVARCHAR(2000) NULL,
    captured_at     DATETIMEOFFSET(7) NULL,
    current_version INT NOT NULL,
    status          NVARCHAR(20) NOT NULL CONSTRAINT ck_evidence_status CHECK (status IN (N'submitted', N'accepted', N'rejected', N'revision_requested')),
    review_comment  NVARCHAR(2000) NULL,
    reviewed_at     DATETIMEOFFSET(7) NULL,
    reviewed_by     UNIQUEIDENTIFIER NULL,
    valid_until     DATE NULL,
    withdrawn_at    DATETIMEOFFSET(7) NULL,
    withdrawn_by    UNIQUEIDENTIFIER NULL,
    created_at      DATETIMEOFFSET(7) NOT NULL,
    created_by      UNIQUEIDENTIFIER NOT NULL
);
CREATE INDEX ix_evidence_assessment_item ON dbo.evidence (assessment_id, item_code);

CREATE TABLE dbo.evidence_versions (
    evidence_id   UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_evidence_versions_evidence REFERENCES dbo.evidence (id),
    version       INT NOT NULL,
    sha256        CHAR(64) NOT NULL,
    size          BIGINT NOT NULL,
    content_type  NVARCHAR(100) NOT NULL,
    file_name     NVARCHAR(255) NOT NULL,
    uploaded_at   DATETIMEOFFSET(7) NOT NULL,
    uploaded_by   UNIQUEIDENTIFIER NOT NULL,
    CONSTRAINT pk_evidence_versions PRIMARY KEY (evidence_id, version)
);
CREATE INDEX ix_evidence_versions_sha ON dbo.evidence_versions (sha256);

-- Idempotency-Key replays: the first response to a key is kept and returned again for the same request.
CREATE TABLE dbo.idempotency_keys (
    api_key_id     UNIQUEIDENTIFIER NOT NULL,
    idempotency_key NVARCHAR(200) NOT NULL,
    fingerprint    CHAR(64) NOT NULL,
    status_code    INT NOT NULL,
    location       NVARCHAR(400) NULL,
    response_body  NVARCHAR(MAX) NOT NULL,
    created_at     DATETIMEOFFSET(7) NOT NULL,
    CONSTRAINT pk_idempotency_keys PRIMARY KEY (api_key_id, idempotency_key)
);

-- Evidence (data dukung): files (content-addressed blobs on disk, one row per version) and links, reviewed per item.

CREATE TABLE evidence (
    id              TEXT NOT NULL PRIMARY KEY,
    assessment_id   TEXT NOT NULL REFERENCES assessments (id),
    item_code       TEXT NOT NULL,
    kind            TEXT NOT NULL CHECK (kind IN ('file', 'link')),
    url             TEXT NULL,
    title           TEXT NULL,
    description     TEXT NULL,
    captured_at     TEXT NULL,
    current_version INTEGER NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('submitted', 'accepted', 'rejected', 'revision_requested')),
    review_comment  TEXT NULL,
    reviewed_at     TEXT NULL,
    reviewed_by     TEXT NULL,
    valid_until     TEXT NULL,
    withdrawn_at    TEXT NULL,
    withdrawn_by    TEXT NULL,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL
);
CREATE INDEX ix_evidence_assessment_item ON evidence (assessment_id, item_code);

CREATE TABLE evidence_versions (
    evidence_id   TEXT NOT NULL REFERENCES evidence (id),
    version       INTEGER NOT NULL,
    sha256        TEXT NOT NULL,
    size          INTEGER NOT NULL,
    content_type  TEXT NOT NULL,
    file_name     TEXT NOT NULL,
    uploaded_at   TEXT NOT NULL,
    uploaded_by   TEXT NOT NULL,
    PRIMARY KEY (evidence_id, version)
);
CREATE INDEX ix_evidence_versions_sha ON evidence_versions (sha256);

-- Idempotency-Key replays: the first response to a key is kept and returned again for the same request.
CREATE TABLE idempotency_keys (
    api_key_id     TEXT NOT NULL,
    idempotency_key TEXT NOT NULL,
    fingerprint    TEXT NOT NULL,
    status_code    INTEGER NOT NULL,
    location       TEXT NULL,
    response_body  TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (api_key_id, idempotency_key)
);

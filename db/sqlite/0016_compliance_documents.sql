-- Stored compliance documents (issue 19): each unit's document for the current year (its latest assessment), as
-- GET /units/{id}/compliance sends it, so that a cold read is one indexed row. Every write that can change a unit's
-- document bumps version and clears valid_until in the write's own transaction (AuditTrail), so a row is served only
-- while nothing committed since it was built; it is rebuilt right after the write (ComplianceRefresher) or by the
-- first read. valid_until is the first Indonesian day on which a date the document depends on (a deadline, an
-- expiry, a follow-up due date, the end of a ban, the next month of absorption figures) may change it.
CREATE TABLE compliance_documents (
    unit_id            TEXT NOT NULL PRIMARY KEY REFERENCES units (id),
    agency_id          TEXT NOT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    valid_until        TEXT NULL,      -- NULL: stale (changed since built, or never built)
    stage              TEXT NULL,
    predikat           TEXT NULL,      -- the active designation's predikat (the list's predikat filter)
    assessment_status  TEXT NULL,      -- the shown assessment's status (the list's nationalStage filter)
    flags              TEXT NULL,      -- ' flag1 flag2 ': space-delimited on both sides, for LIKE '% flag %'
    body               TEXT NULL,      -- the document's JSON, exactly as sent
    etag               TEXT NULL,
    -- The PortalRB part is settled at read time from the fetch log (a fetch must not rebuild the document): the
    -- assessment's year, the last change PortalRB would see, and the fetch the stored body shows.
    assessment_year    INTEGER NULL,
    answers_changed_at TEXT NULL,
    portalrb_fetched_at TEXT NULL
);
CREATE INDEX ix_compliance_documents_agency ON compliance_documents (agency_id, valid_until);
CREATE INDEX ix_compliance_documents_valid ON compliance_documents (valid_until);

-- The backfill: one stale row per existing unit; the refresher builds them after start-up.
INSERT INTO compliance_documents (unit_id, agency_id, version) SELECT id, agency_id, 1 FROM units;

-- Webhooks and the change stream (issue 20). The audit trail is the transactional outbox: every write already appends
-- its entry in its own transaction, so a projector turns committed entries into events (and their deliveries) after
-- the fact, and nothing here is written by the writes themselves.

CREATE TABLE webhooks (
    id          TEXT NOT NULL PRIMARY KEY,
    url         TEXT NOT NULL,
    events      TEXT NOT NULL,   -- event types, space-separated
    agency_id   TEXT NULL REFERENCES agencies (id),
    secret      TEXT NOT NULL,   -- whsec_…, needed in clear to sign
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    deleted_at  TEXT NULL
);
CREATE INDEX ix_webhooks_agency ON webhooks (agency_id, created_at);

-- Events in projection order: seq is the change stream's cursor; body is the JSON sent to receivers.
CREATE TABLE events (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    type        TEXT NOT NULL,
    at          TEXT NOT NULL,
    agency_id   TEXT NULL,
    unit_id     TEXT NULL,
    body        TEXT NOT NULL
);
CREATE INDEX ix_events_agency ON events (agency_id, seq);
CREATE INDEX ix_events_unit ON events (unit_id, seq);

CREATE TABLE webhook_deliveries (
    id                TEXT NOT NULL PRIMARY KEY,
    webhook_id        TEXT NOT NULL REFERENCES webhooks (id),
    event_seq         INTEGER NOT NULL REFERENCES events (seq),
    ordering_key      TEXT NOT NULL,  -- the unit (or agency) whose events this webhook receives in order
    status            TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'dead')),
    attempts          INTEGER NOT NULL DEFAULT 0,
    next_attempt_at   TEXT NULL,
    lease_until       TEXT NULL,
    lease_holder      TEXT NULL,
    last_status_code  INTEGER NULL,
    last_error        TEXT NULL,
    last_attempt_at   TEXT NULL,
    delivered_at      TEXT NULL,
    created_at        TEXT NOT NULL
);
CREATE INDEX ix_webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_order ON webhook_deliveries (webhook_id, ordering_key, status, event_seq);
CREATE INDEX ix_webhook_deliveries_list ON webhook_deliveries (webhook_id, event_seq);

-- The projector's position in the audit trail and its lease (one projecting instance at a time). History written
-- before this migration is not projected: the position starts at the newest entry.
CREATE TABLE outbox_projection (
    name          TEXT NOT NULL PRIMARY KEY,
    position      INTEGER NOT NULL,
    lease_holder  TEXT NULL,
    lease_until   TEXT NULL
);
INSERT INTO outbox_projection (name, position) SELECT 'events', COALESCE(MAX(id), 0) FROM audit_entries;

-- answers.changed is debounced: one row per assessment and layer while answers keep changing.
CREATE TABLE pending_answer_changes (
    assessment_id  TEXT NOT NULL,
    layer          TEXT NOT NULL,
    agency_id      TEXT NULL,
    unit_id        TEXT NULL,
    first_at       TEXT NOT NULL,
    last_at        TEXT NOT NULL,
    changes        INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, layer)
);

-- The last stage, flags and absorption standing announced per unit, to tell compliance.changed and absorption.behind.
CREATE TABLE unit_event_states (
    unit_id            TEXT NOT NULL PRIMARY KEY,
    stage              TEXT NOT NULL,
    flags              TEXT NOT NULL,
    absorption_behind  INTEGER NOT NULL
);

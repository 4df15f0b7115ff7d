-- Webhooks and the change stream (issue 20). The audit trail is the transactional outbox: every write already appends
-- its entry in its own transaction, so a projector turns committed entries into events (and their deliveries) after
-- the fact, and nothing here is written by the writes themselves.

CREATE TABLE dbo.webhooks (
    id          UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_webhooks PRIMARY KEY,
    url         NVARCHAR(2000) NOT NULL,
    events      NVARCHAR(1000) NOT NULL,
    agency_id   UNIQUEIDENTIFIER NULL CONSTRAINT fk_webhooks_agency REFERENCES dbo.agencies (id),
    secret      NVARCHAR(200) NOT NULL,
    created_at  DATETIMEOFFSET(7) NOT NULL,
    created_by  UNIQUEIDENTIFIER NOT NULL,
    deleted_at  DATETIMEOFFSET(7) NULL
);
CREATE INDEX ix_webhooks_agency ON dbo.webhooks (agency_id, created_at);

-- Events in projection order: seq is the change stream's cursor (one projector at a time, so seq order is commit order).
CREATE TABLE dbo.events (
    seq         BIGINT IDENTITY(1, 1) NOT NULL CONSTRAINT pk_events PRIMARY KEY CLUSTERED,
    id          UNIQUEIDENTIFIER NOT NULL CONSTRAINT ux_events_id UNIQUE,
    type        NVARCHAR(60) NOT NULL,
    at          DATETIMEOFFSET(7) NOT NULL,
    agency_id   UNIQUEIDENTIFIER NULL,
    unit_id     UNIQUEIDENTIFIER NULL,
    body        NVARCHAR(MAX) NOT NULL
);
CREATE INDEX ix_events_agency ON dbo.events (agency_id, seq);
CREATE INDEX ix_events_unit ON dbo.events (unit_id, seq);

CREATE TABLE dbo.webhook_deliveries (
    id                UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_webhook_deliveries PRIMARY KEY,
    webhook_id        UNIQUEIDENTIFIER NOT NULL CONSTRAINT fk_webhook_deliveries_webhook REFERENCES dbo.webhooks (id),
    event_seq         BIGINT NOT NULL CONSTRAINT fk_webhook_deliveries_event REFERENCES dbo.events (seq),
    ordering_key      NVARCHAR(100) NOT NULL,
    status            NVARCHAR(20) NOT NULL CONSTRAINT ck_webhook_deliveries_status CHECK (status IN (N'pending', N'succeeded', N'dead')),
    attempts          INT NOT NULL CONSTRAINT df_webhook_deliveries_attempts DEFAULT 0,
    next_attempt_at   DATETIMEOFFSET(7) NULL,
    lease_until       DATETIMEOFFSET(7) NULL,
    lease_holder      NVARCHAR(100) NULL,
    last_status_code  INT NULL,
    last_error        NVARCHAR(500) NULL,
    last_attempt_at   DATETIMEOFFSET(7) NULL,
    delivered_at      DATETIMEOFFSET(7) NULL,
    created_at        DATETIMEOFFSET(7) NOT NULL
);
CREATE INDEX ix_webhook_deliveries_due ON dbo.webhook_deliveries (status, next_attempt_at);
CREATE INDEX ix_webhook_deliveries_order ON dbo.webhook_deliveries (webhook_id, ordering_key, status, event_seq);
CREATE INDEX ix_webhook_deliveries_list ON dbo.webhook_deliveries (webhook_id, event_seq);

-- The projector's position (an audit rowversion, see 0009) and its lease. History before this migration is not
-- projected: the position starts below the oldest rowversion still open.
CREATE TABLE dbo.outbox_projection (
    name          NVARCHAR(40) NOT NULL CONSTRAINT pk_outbox_projection PRIMARY KEY,
    position      BIGINT NOT NULL,
    lease_holder  NVARCHAR(100) NULL,
    lease_until   DATETIMEOFFSET(7) NULL
);
INSERT INTO dbo.outbox_projection (name, position) VALUES (N'events', CAST(MIN_ACTIVE_ROWVERSION() AS BIGINT) - 1);

CREATE TABLE dbo.pending_answer_changes (
    assessment_id  UNIQUEIDENTIFIER NOT NULL,
    layer          NVARCHAR(10) NOT NULL,
    agency_id      UNIQUEIDENTIFIER NULL,
    unit_id        UNIQUEIDENTIFIER NULL,
    first_at       DATETIMEOFFSET(7) NOT NULL,
    last_at        DATETIMEOFFSET(7) NOT NULL,
    changes        INT NOT NULL,
    CONSTRAINT pk_pending_answer_changes PRIMARY KEY (assessment_id, layer)
);

CREATE TABLE dbo.unit_event_states (
    unit_id            UNIQUEIDENTIFIER NOT NULL CONSTRAINT pk_unit_event_states PRIMARY KEY,
    stage              NVARCHAR(20) NOT NULL,
    flags              NVARCHAR(400) NOT NULL,
    absorption_behind  BIT NOT NULL
);

-- Date-driven events and event retention (issue 20).

-- The Indonesian day of the last write that marked the stored document stale (AuditTrail sets it with the mark). A
-- document rebuilt on a later day than that may show a change the date brought which the write's projection, made on
-- the earlier day, did not see; the rebuild then tells the projector to look again (ComplianceStore).
ALTER TABLE dbo.compliance_documents ADD marked_on DATE NULL;
GO

-- Retention deletes a range of events together with their final deliveries, and keeps an event while any delivery
-- still refers to it: both questions ask for the deliveries of an event.
CREATE INDEX ix_webhook_deliveries_event ON dbo.webhook_deliveries (event_seq);
GO

-- The newest event the retention job has deleted: a change-stream cursor below it has missed events (410).
CREATE TABLE dbo.event_retention (
    name            NVARCHAR(40) NOT NULL CONSTRAINT pk_event_retention PRIMARY KEY,
    purged_through  BIGINT NOT NULL
);
INSERT INTO dbo.event_retention (name, purged_through) VALUES (N'events', 0);
GO

-- Date-driven events and event retention (issue 20).

-- The Indonesian day of the last write that marked the stored document stale (AuditTrail sets it with the mark). A
-- document rebuilt on a later day than that may show a change the date brought which the write's projection, made on
-- the earlier day, did not see; the rebuild then tells the projector to look again (ComplianceStore).
ALTER TABLE compliance_documents ADD COLUMN marked_on TEXT NULL;

-- Retention deletes a range of events together with their final deliveries, and keeps an event while any delivery
-- still refers to it: both questions ask for the deliveries of an event.
CREATE INDEX ix_webhook_deliveries_event ON webhook_deliveries (event_seq);

-- The newest event the retention job has deleted: a change-stream cursor below it has missed events (410).
CREATE TABLE event_retention (
    name            TEXT NOT NULL PRIMARY KEY,
    purged_through  INTEGER NOT NULL
);
INSERT INTO event_retention (name, purged_through) VALUES ('events', 0);

-- A write every unit's document depends on (a proposal window, a framework revision) marked this document stale: its
-- rebuild compares the standing it shows with the stored one and tells the projector when it differs (ComplianceStore),
-- since such a write names no unit for the projector to look at.
ALTER TABLE compliance_documents ADD COLUMN marked_for_all INTEGER NOT NULL DEFAULT 0;

-- A write every unit's document depends on (a proposal window, a framework revision) marked this document stale: its
-- rebuild compares the standing it shows with the stored one and tells the projector when it differs (ComplianceStore),
-- since such a write names no unit for the projector to look at.
ALTER TABLE dbo.compliance_documents ADD marked_for_all BIT NOT NULL CONSTRAINT df_compliance_documents_marked_for_all DEFAULT 0;
GO

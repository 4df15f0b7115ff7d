-- PortalRB's answer sheet asks which items of an assessment have evidence that is not withdrawn. With withdrawn_at in
-- the index the answer comes from the index alone, instead of one key lookup per evidence item.
DROP INDEX ix_evidence_assessment_item ON dbo.evidence;
GO

CREATE INDEX ix_evidence_assessment_item ON dbo.evidence (assessment_id, item_code) INCLUDE (withdrawn_at);
GO

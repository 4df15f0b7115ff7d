-- PortalRB's answer sheet asks which items of an assessment have evidence that is not withdrawn. With withdrawn_at in
-- the index the answer comes from the index alone, instead of one table row per evidence item: evidence is uploaded
-- over weeks, so a unit's rows lie on as many pages, each a disk read when the sheet is read cold.
DROP INDEX ix_evidence_assessment_item;
CREATE INDEX ix_evidence_assessment_item ON evidence (assessment_id, item_code, withdrawn_at);

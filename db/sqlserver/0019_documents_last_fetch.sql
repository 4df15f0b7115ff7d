-- When PortalRB last fetched the answers of the year the document shows (MAX(at) of the unit's successful jawaban-unit
-- calls for assessment_year), kept on the row so that a cold read is one row and no seek into the fetch log. The fetch
-- log's writer sets it in the transaction that appends the fetches; a document's save sets it for the year it shows.
ALTER TABLE dbo.compliance_documents ADD last_fetched_at DATETIMEOFFSET(7) NULL;
GO

UPDATE dbo.compliance_documents SET last_fetched_at = (
    SELECT MAX(f.at) FROM dbo.portalrb_fetches f
    WHERE f.unit_id = compliance_documents.unit_id AND f.year = compliance_documents.assessment_year AND f.endpoint = N'jawaban-unit' AND f.status = 200)
WHERE assessment_year IS NOT NULL;
GO

-- Change feed position (issue 13), kept at the same number as the SQL Server script. SQLite serialises writers: an
-- entry's id is allocated inside the one write transaction and no other writer runs until it commits, so ids become
-- visible in id order and the feed keeps reading by id here. Nothing to change in the schema.
SELECT 1;

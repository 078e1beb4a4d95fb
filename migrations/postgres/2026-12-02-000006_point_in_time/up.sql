-- A term keeps its earlier versions (JSON, oldest first), so compliance can be re-performed with
-- the terms as they stood on a date.
ALTER TABLE terms ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
-- A proposed consequence whose breach a later correction cleared is `superseded`, naming the
-- return that cleared it.
ALTER TABLE consequences ADD COLUMN cleared_by TEXT;
ALTER TABLE consequences DROP CONSTRAINT consequences_status_check;
ALTER TABLE consequences ADD CONSTRAINT consequences_status_check
    CHECK (status IN ('proposed', 'applied', 'waived', 'superseded'));

DELETE FROM consequences WHERE status = 'superseded';
ALTER TABLE consequences DROP CONSTRAINT consequences_status_check;
ALTER TABLE consequences ADD CONSTRAINT consequences_status_check
    CHECK (status IN ('proposed', 'applied', 'waived'));
ALTER TABLE consequences DROP COLUMN cleared_by;
ALTER TABLE terms DROP COLUMN history;

DROP INDEX observations_current;
ALTER TABLE audit_events ALTER COLUMN entity_id TYPE TEXT COLLATE "default";
DROP INDEX bids_authority_id;
DROP INDEX evaluator_scores_authority_bid;
DROP INDEX moderated_scores_authority_bid;
DROP INDEX evaluations_authority_id;
DROP INDEX awards_authority_id;
DROP INDEX terms_authority_id;
DROP INDEX observations_authority_id;
DROP INDEX consequences_authority_id;
DROP INDEX performance_notices_authority_id;
DELETE FROM consequences WHERE status = 'superseded';
ALTER TABLE consequences DROP CONSTRAINT consequences_status_check;
ALTER TABLE consequences ADD CONSTRAINT consequences_status_check
    CHECK (status IN ('proposed', 'applied', 'waived'));
ALTER TABLE consequences DROP COLUMN cleared_by;
ALTER TABLE terms DROP COLUMN history;

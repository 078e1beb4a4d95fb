-- A term keeps its earlier versions (JSON, oldest first), so compliance can be re-performed with
-- the terms as they stood on a date.
ALTER TABLE terms ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
-- A proposed consequence whose breach a later correction cleared is `superseded`, naming the
-- return that cleared it.
ALTER TABLE consequences ADD COLUMN cleared_by TEXT;
ALTER TABLE consequences DROP CONSTRAINT consequences_status_check;
ALTER TABLE consequences ADD CONSTRAINT consequences_status_check
    CHECK (status IN ('proposed', 'applied', 'waived', 'superseded'));
-- Verification reads every kind of record a page at a time in id order, per authority.
CREATE INDEX bids_authority_id ON bids (authority, id);
CREATE INDEX evaluator_scores_authority_bid ON evaluator_scores (authority, bid_id);
CREATE INDEX moderated_scores_authority_bid ON moderated_scores (authority, bid_id);
CREATE INDEX evaluations_authority_id ON evaluations (authority, id);
CREATE INDEX awards_authority_id ON awards (authority, id);
CREATE INDEX terms_authority_id ON terms (authority, id);
CREATE INDEX observations_authority_id ON observations (authority, id);
CREATE INDEX consequences_authority_id ON consequences (authority, id);
CREATE INDEX performance_notices_authority_id ON performance_notices (authority, id);
-- Entity ids compare byte by byte, as the ids of the records they name do.
ALTER TABLE audit_events ALTER COLUMN entity_id TYPE TEXT COLLATE "C";
-- One current (not superseded) return per term and period, held by the database itself.
CREATE UNIQUE INDEX observations_current ON observations (term_id, period_start) WHERE superseded_by IS NULL;

-- A term keeps its earlier versions (JSON, oldest first), so compliance can be re-performed with
-- the terms as they stood on a date.
ALTER TABLE terms ADD COLUMN history TEXT NOT NULL DEFAULT '[]';
-- A proposed consequence whose breach a later correction cleared is `superseded`, naming the
-- return that cleared it. SQLite cannot change a CHECK constraint: the table is rebuilt.
CREATE TABLE consequences_new (
    id           TEXT PRIMARY KEY NOT NULL,
    authority    TEXT NOT NULL,
    contract_id  TEXT NOT NULL REFERENCES contracts (id),
    term_id      TEXT NOT NULL REFERENCES terms (id),
    period_start DATE NOT NULL,
    period_end   DATE NOT NULL,
    kind         TEXT NOT NULL,
    amount       TEXT,
    detail       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('proposed', 'applied', 'waived', 'superseded')),
    reason       TEXT,
    decided_by   TEXT,
    decided_at   TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    cleared_by   TEXT,
    UNIQUE (term_id, period_start, kind)
);
INSERT INTO consequences_new
    SELECT id, authority, contract_id, term_id, period_start, period_end, kind, amount, detail,
           status, reason, decided_by, decided_at, created_at, NULL
    FROM consequences;
DROP TABLE consequences;
ALTER TABLE consequences_new RENAME TO consequences;
CREATE INDEX consequences_contract ON consequences (authority, contract_id, id);
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
-- One current (not superseded) return per term and period, held by the database itself.
CREATE UNIQUE INDEX observations_current ON observations (term_id, period_start) WHERE superseded_by IS NULL;

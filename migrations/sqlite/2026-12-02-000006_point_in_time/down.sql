DROP INDEX observations_current;
DROP INDEX bids_authority_id;
DROP INDEX evaluator_scores_authority_bid;
DROP INDEX moderated_scores_authority_bid;
DROP INDEX evaluations_authority_id;
DROP INDEX awards_authority_id;
DROP INDEX terms_authority_id;
DROP INDEX observations_authority_id;
DROP INDEX consequences_authority_id;
DROP INDEX performance_notices_authority_id;
CREATE TABLE consequences_old (
    id           TEXT PRIMARY KEY NOT NULL,
    authority    TEXT NOT NULL,
    contract_id  TEXT NOT NULL REFERENCES contracts (id),
    term_id      TEXT NOT NULL REFERENCES terms (id),
    period_start DATE NOT NULL,
    period_end   DATE NOT NULL,
    kind         TEXT NOT NULL,
    amount       TEXT,
    detail       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('proposed', 'applied', 'waived')),
    reason       TEXT,
    decided_by   TEXT,
    decided_at   TIMESTAMP,
    created_at   TIMESTAMP NOT NULL,
    UNIQUE (term_id, period_start, kind)
);
INSERT INTO consequences_old
    SELECT id, authority, contract_id, term_id, period_start, period_end, kind, amount, detail,
           status, reason, decided_by, decided_at, created_at
    FROM consequences WHERE status <> 'superseded';
DROP TABLE consequences;
ALTER TABLE consequences_old RENAME TO consequences;
CREATE INDEX consequences_contract ON consequences (authority, contract_id, id);
ALTER TABLE terms DROP COLUMN history;

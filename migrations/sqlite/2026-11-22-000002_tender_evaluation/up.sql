-- Tenders with their evaluation model (criteria and category minimums, one JSON document
-- replaced whole by PUT .../criteria). Decimals are canonical text on both backends and are
-- never summed in SQL.
CREATE TABLE tenders (
    id                     TEXT PRIMARY KEY NOT NULL,
    authority              TEXT NOT NULL,
    title                  TEXT NOT NULL,
    description            TEXT NOT NULL,
    estimated_value        TEXT,
    currency               TEXT NOT NULL,
    award_method           TEXT NOT NULL CHECK (award_method IN ('weighted_score', 'price_per_quality_point', 'lowest_price_after_gates')),
    tie_break              TEXT NOT NULL,
    abnormally_low_percent TEXT NOT NULL,
    spread_threshold       TEXT NOT NULL,
    mission_ids            TEXT NOT NULL,
    status                 TEXT NOT NULL CHECK (status IN ('draft', 'open', 'evaluation', 'awarded', 'cancelled')),
    evaluation_model       TEXT NOT NULL,
    version                BIGINT NOT NULL,
    created_at             TIMESTAMP NOT NULL,
    updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX tenders_authority_id ON tenders (authority, id);

CREATE TABLE bids (
    id                         TEXT PRIMARY KEY NOT NULL,
    authority                  TEXT NOT NULL,
    tender_id                  TEXT NOT NULL REFERENCES tenders (id),
    supplier_name              TEXT NOT NULL,
    supplier_identifier        TEXT NOT NULL,
    supplier_sme               BOOLEAN NOT NULL,
    supplier_vcse              BOOLEAN NOT NULL,
    supplier_locality          TEXT,
    price                      TEXT NOT NULL,
    submitted_at               TIMESTAMP NOT NULL,
    status                     TEXT NOT NULL CHECK (status IN ('valid', 'disqualified', 'withdrawn')),
    status_reason              TEXT,
    responses                  TEXT NOT NULL,
    abnormally_low_explanation TEXT,
    version                    BIGINT NOT NULL,
    created_at                 TIMESTAMP NOT NULL,
    updated_at                 TIMESTAMP NOT NULL
);
CREATE INDEX bids_tender ON bids (authority, tender_id, id);

-- Each evaluator's own score; one per bid, criterion and evaluator (a resubmission replaces it).
CREATE TABLE evaluator_scores (
    authority      TEXT NOT NULL,
    tender_id      TEXT NOT NULL REFERENCES tenders (id),
    bid_id         TEXT NOT NULL REFERENCES bids (id),
    criterion_code TEXT NOT NULL,
    evaluator      TEXT NOT NULL,
    score          TEXT NOT NULL,
    rationale      TEXT NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (bid_id, criterion_code, evaluator)
);
CREATE INDEX evaluator_scores_tender ON evaluator_scores (authority, tender_id);

CREATE TABLE moderated_scores (
    authority      TEXT NOT NULL,
    tender_id      TEXT NOT NULL REFERENCES tenders (id),
    bid_id         TEXT NOT NULL REFERENCES bids (id),
    criterion_code TEXT NOT NULL,
    moderator      TEXT NOT NULL,
    score          TEXT NOT NULL,
    rationale      TEXT NOT NULL,
    updated_at     TIMESTAMP NOT NULL,
    PRIMARY KEY (bid_id, criterion_code)
);
CREATE INDEX moderated_scores_tender ON moderated_scores (authority, tender_id);

-- Frozen evaluations: the engine's complete input and result, its version and a SHA-256
-- over their canonical JSON, so the scoring can be re-performed and compared later.
CREATE TABLE evaluations (
    id             TEXT PRIMARY KEY NOT NULL,
    authority      TEXT NOT NULL,
    tender_id      TEXT NOT NULL REFERENCES tenders (id),
    engine_version TEXT NOT NULL,
    input          TEXT NOT NULL,
    result         TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);
CREATE INDEX evaluations_tender ON evaluations (authority, tender_id, id);

CREATE TABLE awards (
    id             TEXT PRIMARY KEY NOT NULL,
    authority      TEXT NOT NULL,
    tender_id      TEXT NOT NULL UNIQUE REFERENCES tenders (id),
    evaluation_id  TEXT NOT NULL REFERENCES evaluations (id),
    bid_id         TEXT NOT NULL REFERENCES bids (id),
    justification  TEXT,
    standstill_ends DATE NOT NULL,
    decided_by     TEXT NOT NULL,
    created_at     TIMESTAMP NOT NULL
);

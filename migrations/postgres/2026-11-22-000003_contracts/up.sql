-- Contracts: from an award or entered directly (legacy contracts).
CREATE TABLE contracts (
    id                  TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    authority           TEXT NOT NULL,
    title               TEXT NOT NULL,
    tender_id           TEXT REFERENCES tenders (id),
    bid_id              TEXT REFERENCES bids (id),
    supplier_name       TEXT NOT NULL,
    supplier_identifier TEXT NOT NULL,
    supplier_sme        BOOLEAN NOT NULL,
    supplier_vcse       BOOLEAN NOT NULL,
    supplier_locality   TEXT,
    value               TEXT NOT NULL,
    currency            TEXT NOT NULL,
    start_date          DATE NOT NULL,
    end_date            DATE NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('pending', 'active', 'terminated', 'expired', 'cancelled')),
    status_changed_on   DATE,
    mission_ids         TEXT NOT NULL,
    grace_days          INTEGER NOT NULL,
    version             BIGINT NOT NULL,
    created_at          TIMESTAMP NOT NULL,
    updated_at          TIMESTAMP NOT NULL
);
CREATE INDEX contracts_authority_id ON contracts (authority, id);

-- Terms: an obligation with its monitoring plan; `spec` is the term's full definition as JSON.
CREATE TABLE terms (
    id          TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    authority   TEXT NOT NULL,
    contract_id TEXT NOT NULL REFERENCES contracts (id),
    title       TEXT NOT NULL,
    mission_id  TEXT,
    source      TEXT,
    spec        TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX terms_contract ON terms (authority, contract_id, id);

-- Monitoring returns: append-only. A correction is a new row that supersedes an earlier one.
CREATE TABLE observations (
    id            TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    authority     TEXT NOT NULL,
    contract_id   TEXT NOT NULL REFERENCES contracts (id),
    term_id       TEXT NOT NULL REFERENCES terms (id),
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    measures      TEXT NOT NULL,
    dimensions    TEXT NOT NULL,
    evidence      TEXT NOT NULL,
    reported_by   TEXT NOT NULL,
    reported_at   TIMESTAMP NOT NULL,
    supersedes    TEXT REFERENCES observations (id),
    superseded_by TEXT,
    status        TEXT NOT NULL CHECK (status IN ('submitted', 'verified', 'disputed')),
    status_note   TEXT,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX observations_term_period ON observations (authority, term_id, period_start);
CREATE INDEX observations_contract ON observations (authority, contract_id, id);

-- Consequences of breaches: proposed by the service, applied or waived by an officer.
CREATE TABLE consequences (
    id           TEXT COLLATE "C" PRIMARY KEY NOT NULL,
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
CREATE INDEX consequences_contract ON consequences (authority, contract_id, id);

-- Contract performance notices (Procurement Act 2023 s.71, Procurement Regulations 2024 reg. 39).
CREATE TABLE performance_notices (
    id            TEXT COLLATE "C" PRIMARY KEY NOT NULL,
    authority     TEXT NOT NULL,
    contract_id   TEXT NOT NULL REFERENCES contracts (id),
    period_start  DATE NOT NULL,
    period_end    DATE NOT NULL,
    payload       TEXT NOT NULL,
    justification TEXT NOT NULL,
    created_by    TEXT NOT NULL,
    created_at    TIMESTAMP NOT NULL
);
CREATE INDEX performance_notices_contract ON performance_notices (authority, contract_id, id);

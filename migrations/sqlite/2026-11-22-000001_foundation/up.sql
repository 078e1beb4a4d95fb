-- Missions of each authority; outcomes (theory of change) are one JSON document, always read
-- and replaced whole with the mission.
CREATE TABLE missions (
    id          TEXT PRIMARY KEY NOT NULL,
    authority   TEXT NOT NULL,
    statement   TEXT NOT NULL,
    target_year INTEGER NOT NULL CHECK (target_year BETWEEN 2000 AND 2100),
    status      TEXT NOT NULL CHECK (status IN ('draft', 'active', 'achieved', 'retired')),
    outcomes    TEXT NOT NULL,
    version     BIGINT NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    updated_at  TIMESTAMP NOT NULL
);
CREATE INDEX missions_authority_id ON missions (authority, id);

-- The hash-chained audit trail: one chain per authority.
CREATE TABLE audit_events (
    id           TEXT PRIMARY KEY NOT NULL,
    authority    TEXT NOT NULL,
    seq          BIGINT NOT NULL,
    occurred_at  TIMESTAMP NOT NULL,
    actor        TEXT NOT NULL,
    roles        TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity_type  TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    state_digest TEXT NOT NULL,
    request_id   TEXT NOT NULL,
    note         TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL,
    UNIQUE (authority, seq)
);
CREATE INDEX audit_events_entity ON audit_events (authority, entity_type, entity_id, seq);

-- The head of each authority's chain. Every write transaction locks its authority's row
-- first, so concurrent writers (even several instances on one database) never fork the chain.
CREATE TABLE audit_chain_heads (
    authority TEXT PRIMARY KEY NOT NULL,
    seq       BIGINT NOT NULL,
    head_hash TEXT NOT NULL
);

-- Responses to POSTs sent with an Idempotency-Key, replayed on retry.
CREATE TABLE idempotency_keys (
    authority        TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    status_code      INTEGER NOT NULL,
    response_body    TEXT NOT NULL,
    location         TEXT,
    etag             TEXT,
    created_at       TIMESTAMP NOT NULL,
    PRIMARY KEY (authority, idempotency_key)
);

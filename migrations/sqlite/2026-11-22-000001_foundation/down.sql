DROP TABLE idempotency_keys;
DROP TABLE audit_chain_heads;
DROP TABLE audit_events;
DROP TABLE missions;

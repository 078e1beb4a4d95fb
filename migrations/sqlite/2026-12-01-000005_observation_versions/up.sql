-- Counts the writes to a monitoring return (its review status), backing its ETag so that a
-- verification or dispute is based on the state the officer saw.
ALTER TABLE observations ADD COLUMN version BIGINT NOT NULL DEFAULT 1;

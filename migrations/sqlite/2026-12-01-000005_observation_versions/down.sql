ALTER TABLE observations DROP COLUMN version;

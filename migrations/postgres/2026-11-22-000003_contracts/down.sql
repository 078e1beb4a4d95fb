DROP TABLE performance_notices;
DROP TABLE consequences;
DROP TABLE observations;
DROP TABLE terms;
DROP TABLE contracts;

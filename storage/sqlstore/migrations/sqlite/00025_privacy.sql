-- Retention and erasure of personal data (issue 13); see the PostgreSQL file for
-- what each column means. Timestamps are INTEGER microseconds (see 00001);
-- booleans 0 and 1.

-- +goose Up
ALTER TABLE cases ADD COLUMN anonymised BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN anonymised_at TIMESTAMP;
ALTER TABLE cases ADD COLUMN legal_hold BOOLEAN NOT NULL DEFAULT FALSE;

CREATE TABLE job_leases (
    name        TEXT      PRIMARY KEY,
    holder      TEXT      NOT NULL DEFAULT '',
    lease_until TIMESTAMP,
    next_run_at TIMESTAMP
);

INSERT INTO job_leases (name) VALUES ('retention');

-- +goose Down
DROP TABLE job_leases;
ALTER TABLE cases DROP COLUMN legal_hold;
ALTER TABLE cases DROP COLUMN anonymised_at;
ALTER TABLE cases DROP COLUMN anonymised;

-- Retention and erasure of personal data (issue 13).
--
-- cases.anonymised / anonymised_at: the case's personal data (name, phone, openid,
-- free text, evidence bytes) was removed, by the retention job or at the
-- consumer's request; what the figures need stays. anonymised_at is NULL until then.
-- cases.legal_hold: a supervisor keeps the case from anonymisation (litigation,
-- a regulator's request) until they clear it.
-- job_leases: one row per periodic job that must run on one instance at a time.
-- An instance takes the job by one UPDATE that succeeds only when the lease is
-- free (lease_until passed) and the job is due (next_run_at passed); a plain row,
-- not a session-level advisory lock, because PostgreSQL may sit behind a pooler
-- in transaction mode, where a session lock would outlive or miss its holder.

-- +goose Up
ALTER TABLE cases ADD COLUMN anonymised boolean NOT NULL DEFAULT false;
ALTER TABLE cases ADD COLUMN anonymised_at timestamptz;
ALTER TABLE cases ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;

CREATE TABLE job_leases (
    name        text        PRIMARY KEY,
    holder      text        NOT NULL DEFAULT '',
    lease_until timestamptz,
    next_run_at timestamptz
);

INSERT INTO job_leases (name) VALUES ('retention');

-- +goose Down
DROP TABLE job_leases;
ALTER TABLE cases DROP COLUMN legal_hold;
ALTER TABLE cases DROP COLUMN anonymised_at;
ALTER TABLE cases DROP COLUMN anonymised;

-- The case desk: staff accounts, API tokens, the audit log, canned replies; on cases
-- the assignee, the unread flag and the outcome; on notifications the event they
-- report; and the indexes of the console's queue. Applied files are never edited.
--
-- Timestamps are INTEGER microseconds declared TIMESTAMP, as in 00001. Booleans are
-- 0 and 1.

-- +goose Up

-- Usernames are stored in lower case, so the unique index makes them unique
-- whatever the case typed at sign-in.
CREATE TABLE staff (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    username      TEXT      NOT NULL UNIQUE CHECK (username = lower(username)),
    name          TEXT      NOT NULL,
    role          TEXT      NOT NULL CHECK (role IN ('mediator', 'supervisor', 'admin')),
    password_hash TEXT      NOT NULL DEFAULT '',
    disabled      BOOLEAN   NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL
);

-- Only the SHA-256 of a token is kept. last_used_at and revoked_at are NULL until
-- the token is used or revoked.
CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id     INTEGER   NOT NULL REFERENCES staff (id),
    name         TEXT      NOT NULL,
    hash         TEXT      NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);

CREATE INDEX api_tokens_staff_id_created_at_idx ON api_tokens (staff_id, created_at, id);

-- The audit log is append-only. staff_id is NULL for a failed sign-in with an
-- unknown username, case_id when the entry is about no case. staff_id has no
-- foreign key on purpose: the log records the actor a change was made under and
-- must never be the reason the change is refused.
CREATE TABLE audit_log (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    staff_id   INTEGER,
    action     TEXT      NOT NULL,
    case_id    INTEGER   REFERENCES cases (id),
    detail     TEXT      NOT NULL DEFAULT '',
    ip         TEXT      NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

CREATE INDEX audit_log_created_at_idx ON audit_log (created_at, id);
CREATE INDEX audit_log_case_id_created_at_idx ON audit_log (case_id, created_at, id);
CREATE INDEX audit_log_staff_id_created_at_idx ON audit_log (staff_id, created_at, id);

-- created_by is NULL for replies no staff member wrote (seeded ones).
CREATE TABLE canned_replies (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    title      TEXT      NOT NULL,
    body       TEXT      NOT NULL,
    created_by INTEGER   REFERENCES staff (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

-- merchant_key is the merchant's name in lower case, as on PostgreSQL, so both
-- dialects search with the same SQL. SQLite can only add a VIRTUAL generated
-- column; it is computed when read.
ALTER TABLE cases ADD COLUMN assignee_id         INTEGER REFERENCES staff (id);
ALTER TABLE cases ADD COLUMN unread              BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN outcome             TEXT    NOT NULL DEFAULT ''
    CHECK (outcome IN ('', 'agreement', 'settled', 'withdrawn', 'terminated'));
ALTER TABLE cases ADD COLUMN recovered_fen       INTEGER NOT NULL DEFAULT 0
    CHECK (recovered_fen >= 0);
ALTER TABLE cases ADD COLUMN double_compensation BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE cases ADD COLUMN merchant_key        TEXT
    GENERATED ALWAYS AS (lower(merchant_name)) VIRTUAL;

ALTER TABLE notifications ADD COLUMN event_id INTEGER REFERENCES case_events (id);

-- The console's queue lists cases newest first (created_at DESC, id DESC) under
-- one or more filters; each index below lets one filter walk its cases in that
-- order backwards and stop after a page. (status, created_at) of 00001 gains id.
-- The assignee and category indexes end with status, the filter most often
-- combined with them ("my open cases"): the status is checked, and such cases
-- counted, in the index, without reading the table.
-- The partial index's condition is written as the queries write it, which SQLite
-- needs to use it.
DROP INDEX cases_status_created_at_idx;
CREATE INDEX cases_status_created_at_id_idx ON cases (status, created_at, id);
CREATE INDEX cases_created_at_id_idx ON cases (created_at, id);
CREATE INDEX cases_assignee_id_created_at_idx ON cases (assignee_id, created_at, id, status);
CREATE INDEX cases_category_created_at_idx ON cases (category, created_at, id, status);
CREATE INDEX cases_unread_created_at_idx ON cases (created_at, id) WHERE unread = TRUE;
CREATE INDEX cases_phone_idx ON cases (phone);

-- +goose Down
DROP INDEX cases_phone_idx;
DROP INDEX cases_unread_created_at_idx;
DROP INDEX cases_category_created_at_idx;
DROP INDEX cases_assignee_id_created_at_idx;
DROP INDEX cases_created_at_id_idx;
DROP INDEX cases_status_created_at_id_idx;
CREATE INDEX cases_status_created_at_idx ON cases (status, created_at);
ALTER TABLE notifications DROP COLUMN event_id;
ALTER TABLE cases DROP COLUMN merchant_key;
ALTER TABLE cases DROP COLUMN double_compensation;
ALTER TABLE cases DROP COLUMN recovered_fen;
ALTER TABLE cases DROP COLUMN outcome;
ALTER TABLE cases DROP COLUMN unread;
ALTER TABLE cases DROP COLUMN assignee_id;
DROP TABLE canned_replies;
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE staff;

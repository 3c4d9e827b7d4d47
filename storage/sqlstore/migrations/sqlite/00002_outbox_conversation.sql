-- The outbox of consumer notifications, ratings, evidence downloads into blobs, and
-- idempotent timeline appends. Applied files are never edited.
--
-- Timestamps are INTEGER microseconds declared TIMESTAMP, as in 00001.

-- +goose Up

-- notifications is the transactional outbox: a row is written in the transaction of
-- the change it reports, and the push worker drains it. case_id is NULL for a notice
-- about no case (a late chat answer). lease_until and sent_at are NULL when there is
-- no lease and nothing was sent yet; lease_token is '' when there is no lease.
CREATE TABLE notifications (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id         INTEGER   REFERENCES cases (id),
    open_id         TEXT      NOT NULL,
    kind            TEXT      NOT NULL,
    text            TEXT      NOT NULL DEFAULT '',
    case_number     TEXT      NOT NULL DEFAULT '',
    status_label    TEXT      NOT NULL DEFAULT '',
    summary         TEXT      NOT NULL DEFAULT '',
    state           TEXT      NOT NULL DEFAULT 'pending'
                              CHECK (state IN ('pending', 'sent', 'dead')),
    attempts        INTEGER   NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at TIMESTAMP NOT NULL,
    lease_until     TIMESTAMP,
    lease_token     TEXT      NOT NULL DEFAULT '',
    last_error      TEXT      NOT NULL DEFAULT '',
    via             TEXT      NOT NULL DEFAULT '',
    created_at      TIMESTAMP NOT NULL,
    sent_at         TIMESTAMP
);

-- The claim query scans due rows by state and time, and checks per consumer that no
-- older row is pending; the second index also serves listing a consumer's notices.
CREATE INDEX notifications_state_next_attempt_at_idx ON notifications (state, next_attempt_at);
CREATE INDEX notifications_open_id_id_idx ON notifications (open_id, id);
CREATE INDEX notifications_case_id_id_idx ON notifications (case_id, id);

-- One rating per case; the comment may follow later, once (commented_at NULL until).
CREATE TABLE case_ratings (
    case_id      INTEGER   PRIMARY KEY REFERENCES cases (id),
    rating       TEXT      NOT NULL
                           CHECK (rating IN ('satisfied', 'mostly_satisfied', 'dissatisfied')),
    comment      TEXT      NOT NULL DEFAULT '',
    created_at   TIMESTAMP NOT NULL,
    commented_at TIMESTAMP
);

-- Evidence bytes when no blob directory is configured. Keys are content-addressed, so
-- a row is never updated.
CREATE TABLE blobs (
    key        TEXT      PRIMARY KEY,
    data       BLOB      NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Download bookkeeping for evidence, like the outbox's. SQLite cannot add a NOT NULL
-- column without a constant default, so next_attempt_at gets 0 (the epoch: due) and
-- then, for rows filed before this migration, the time they were filed.
ALTER TABLE evidence ADD COLUMN content_type    TEXT      NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN size            INTEGER   NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN blob_key        TEXT      NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN attempts        INTEGER   NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN next_attempt_at TIMESTAMP NOT NULL DEFAULT 0;
ALTER TABLE evidence ADD COLUMN lease_until     TIMESTAMP;
ALTER TABLE evidence ADD COLUMN lease_token     TEXT      NOT NULL DEFAULT '';
ALTER TABLE evidence ADD COLUMN last_error      TEXT      NOT NULL DEFAULT '';
UPDATE evidence SET next_attempt_at = created_at;

CREATE INDEX evidence_download_state_next_attempt_at_idx
    ON evidence (download_state, next_attempt_at);

-- An event appended with a dedupe key is stored once per case. NULL keys never
-- collide, so appends without a key are unaffected.
ALTER TABLE case_events ADD COLUMN dedupe_key TEXT;
CREATE UNIQUE INDEX case_events_case_id_dedupe_key_idx ON case_events (case_id, dedupe_key);

-- +goose Down
DROP INDEX case_events_case_id_dedupe_key_idx;
ALTER TABLE case_events DROP COLUMN dedupe_key;
DROP INDEX evidence_download_state_next_attempt_at_idx;
ALTER TABLE evidence DROP COLUMN content_type;
ALTER TABLE evidence DROP COLUMN size;
ALTER TABLE evidence DROP COLUMN blob_key;
ALTER TABLE evidence DROP COLUMN attempts;
ALTER TABLE evidence DROP COLUMN next_attempt_at;
ALTER TABLE evidence DROP COLUMN lease_until;
ALTER TABLE evidence DROP COLUMN lease_token;
ALTER TABLE evidence DROP COLUMN last_error;
DROP TABLE blobs;
DROP TABLE case_ratings;
DROP TABLE notifications;

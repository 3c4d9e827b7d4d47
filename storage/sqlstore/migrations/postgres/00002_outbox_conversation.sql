-- The outbox of consumer notifications, ratings, evidence downloads into blobs, and
-- idempotent timeline appends. Applied files are never edited.

-- +goose Up

-- notifications is the transactional outbox: a row is written in the transaction of
-- the change it reports, and the push worker drains it. case_id is NULL for a notice
-- about no case (a late chat answer). lease_until and sent_at are NULL when there is
-- no lease and nothing was sent yet; lease_token is '' when there is no lease.
CREATE TABLE notifications (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id         bigint      REFERENCES cases (id),
    open_id         text        NOT NULL,
    kind            text        NOT NULL,
    text            text        NOT NULL DEFAULT '',
    case_number     text        NOT NULL DEFAULT '',
    status_label    text        NOT NULL DEFAULT '',
    summary         text        NOT NULL DEFAULT '',
    state           text        NOT NULL DEFAULT 'pending'
                                CHECK (state IN ('pending', 'sent', 'dead')),
    attempts        integer     NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    lease_until     timestamptz,
    lease_token     text        NOT NULL DEFAULT '',
    last_error      text        NOT NULL DEFAULT '',
    via             text        NOT NULL DEFAULT '',
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz
);

-- The claim query scans due rows by state and time, and checks per consumer that no
-- older row is pending; the second index also serves listing a consumer's notices.
CREATE INDEX notifications_state_next_attempt_at_idx ON notifications (state, next_attempt_at);
CREATE INDEX notifications_open_id_id_idx ON notifications (open_id, id);
CREATE INDEX notifications_case_id_id_idx ON notifications (case_id, id);

-- One rating per case; the comment may follow later, once (commented_at NULL until).
CREATE TABLE case_ratings (
    case_id      bigint      PRIMARY KEY REFERENCES cases (id),
    rating       text        NOT NULL
                             CHECK (rating IN ('satisfied', 'mostly_satisfied', 'dissatisfied')),
    comment      text        NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL,
    commented_at timestamptz
);

-- Evidence bytes when no blob directory is configured. Keys are content-addressed, so
-- a row is never updated.
CREATE TABLE blobs (
    key        text        PRIMARY KEY,
    data       bytea       NOT NULL,
    created_at timestamptz NOT NULL
);

-- Download bookkeeping for evidence, like the outbox's. Rows filed before this
-- migration are due at once: their next attempt is when they were filed.
ALTER TABLE evidence
    ADD COLUMN content_type    text        NOT NULL DEFAULT '',
    ADD COLUMN size            bigint      NOT NULL DEFAULT 0,
    ADD COLUMN blob_key        text        NOT NULL DEFAULT '',
    ADD COLUMN attempts        integer     NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN lease_until     timestamptz,
    ADD COLUMN lease_token     text        NOT NULL DEFAULT '',
    ADD COLUMN last_error      text        NOT NULL DEFAULT '';
UPDATE evidence SET next_attempt_at = created_at;
ALTER TABLE evidence ALTER COLUMN next_attempt_at SET NOT NULL;

CREATE INDEX evidence_download_state_next_attempt_at_idx
    ON evidence (download_state, next_attempt_at);

-- An event appended with a dedupe key is stored once per case. NULL keys never
-- collide, so appends without a key are unaffected.
ALTER TABLE case_events ADD COLUMN dedupe_key text;
CREATE UNIQUE INDEX case_events_case_id_dedupe_key_idx ON case_events (case_id, dedupe_key);

-- +goose Down
DROP INDEX case_events_case_id_dedupe_key_idx;
ALTER TABLE case_events DROP COLUMN dedupe_key;
DROP INDEX evidence_download_state_next_attempt_at_idx;
ALTER TABLE evidence
    DROP COLUMN content_type,
    DROP COLUMN size,
    DROP COLUMN blob_key,
    DROP COLUMN attempts,
    DROP COLUMN next_attempt_at,
    DROP COLUMN lease_until,
    DROP COLUMN lease_token,
    DROP COLUMN last_error;
DROP TABLE blobs;
DROP TABLE case_ratings;
DROP TABLE notifications;

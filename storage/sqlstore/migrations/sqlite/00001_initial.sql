-- The initial schema: cases with their gapless yearly numbers, timeline and evidence.
-- Applied files are never edited; later changes go into new numbered files.
--
-- Timestamps are declared TIMESTAMP but hold INTEGER microseconds since the Unix epoch
-- (UTC): the driver DSN sets _time_integer_format=unix_micro and _inttotime=1, so
-- time.Time values are written as integers and scanned back as UTC time.Time. Integers
-- sort exactly and carry no zone, unlike the driver's text formats. The declared type
-- must stay TIMESTAMP (so no STRICT tables): the driver converts by declared type.

-- +goose Up

-- case_numbers holds the last sequence handed out per prefix and year. CreateCase
-- increments it in the transaction that inserts the case, so a rolled-back case gives
-- its number back and the sequence stays gapless.
CREATE TABLE case_numbers (
    prefix   TEXT    NOT NULL,
    year     INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    PRIMARY KEY (prefix, year)
);

-- AUTOINCREMENT so an id is never reused, even after a rolled-back insert of the
-- highest row: ids leave the database in outbox rows and links.
CREATE TABLE cases (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    number           TEXT      NOT NULL UNIQUE,
    open_id          TEXT      NOT NULL,
    status           TEXT      NOT NULL,
    category         TEXT      NOT NULL,
    merchant_name    TEXT      NOT NULL,
    merchant_address TEXT      NOT NULL DEFAULT '',
    purchase_date    TEXT      NOT NULL DEFAULT '',
    -- Money in fen; a negative amount paid is a bug upstream, refuse it here too.
    amount_fen       INTEGER   NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    description      TEXT      NOT NULL,
    demand           TEXT      NOT NULL,
    complainant_name TEXT      NOT NULL,
    phone            TEXT      NOT NULL,
    -- One case per intake draft: the unique key makes CreateCase idempotent.
    intake_key       TEXT      NOT NULL UNIQUE,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL
);

-- A consumer's own cases ("查询") and the console's status queues, newest first.
CREATE INDEX cases_open_id_created_at_idx ON cases (open_id, created_at);
CREATE INDEX cases_status_created_at_idx ON cases (status, created_at);

-- Events are never updated or deleted, hence no ON DELETE actions.
CREATE TABLE case_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id    INTEGER   NOT NULL REFERENCES cases (id),
    kind       TEXT      NOT NULL,
    actor      TEXT      NOT NULL,
    body       TEXT      NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);

CREATE INDEX case_events_case_id_idx ON case_events (case_id, created_at, id);

CREATE TABLE evidence (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id        INTEGER   NOT NULL REFERENCES cases (id),
    kind           TEXT      NOT NULL,
    media_id       TEXT      NOT NULL DEFAULT '',
    pic_url        TEXT      NOT NULL DEFAULT '',
    download_state TEXT      NOT NULL DEFAULT 'pending',
    sha256         TEXT      NOT NULL DEFAULT '',
    created_at     TIMESTAMP NOT NULL
);

CREATE INDEX evidence_case_id_idx ON evidence (case_id, created_at, id);

-- +goose Down
DROP TABLE evidence;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE case_numbers;

-- The initial schema: cases with their gapless yearly numbers, timeline and evidence.
-- Applied files are never edited; later changes go into new numbered files.

-- +goose Up

-- case_numbers holds the last sequence handed out per prefix and year. CreateCase
-- increments it in the transaction that inserts the case, so a rolled-back case gives
-- its number back and the sequence stays gapless.
CREATE TABLE case_numbers (
    prefix   text    NOT NULL,
    year     integer NOT NULL,
    last_seq bigint  NOT NULL,
    PRIMARY KEY (prefix, year)
);

CREATE TABLE cases (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    number           text        NOT NULL UNIQUE,
    open_id          text        NOT NULL,
    status           text        NOT NULL,
    category         text        NOT NULL,
    merchant_name    text        NOT NULL,
    merchant_address text        NOT NULL DEFAULT '',
    purchase_date    text        NOT NULL DEFAULT '',
    -- Money in fen; a negative amount paid is a bug upstream, refuse it here too.
    amount_fen       bigint      NOT NULL DEFAULT 0 CHECK (amount_fen >= 0),
    description      text        NOT NULL,
    demand           text        NOT NULL,
    complainant_name text        NOT NULL,
    phone            text        NOT NULL,
    -- One case per intake draft: the unique key makes CreateCase idempotent.
    intake_key       text        NOT NULL UNIQUE,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL
);

-- A consumer's own cases ("查询") and the console's status queues, newest first.
CREATE INDEX cases_open_id_created_at_idx ON cases (open_id, created_at);
CREATE INDEX cases_status_created_at_idx ON cases (status, created_at);

-- Events are never updated or deleted, hence no ON DELETE actions.
CREATE TABLE case_events (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id    bigint      NOT NULL REFERENCES cases (id),
    kind       text        NOT NULL,
    actor      text        NOT NULL,
    body       text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);

CREATE INDEX case_events_case_id_idx ON case_events (case_id, created_at, id);

CREATE TABLE evidence (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id        bigint      NOT NULL REFERENCES cases (id),
    kind           text        NOT NULL,
    media_id       text        NOT NULL DEFAULT '',
    pic_url        text        NOT NULL DEFAULT '',
    download_state text        NOT NULL DEFAULT 'pending',
    sha256         text        NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL
);

CREATE INDEX evidence_case_id_idx ON evidence (case_id, created_at, id);

-- +goose Down
DROP TABLE evidence;
DROP TABLE case_events;
DROP TABLE cases;
DROP TABLE case_numbers;

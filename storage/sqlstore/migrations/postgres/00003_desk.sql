-- The case desk: staff accounts, API tokens, the audit log, canned replies; on cases
-- the assignee, the unread flag and the outcome; on notifications the event they
-- report; and the indexes of the console's queue. Applied files are never edited.

-- +goose Up

-- Usernames are stored in lower case, so the unique index makes them unique
-- whatever the case typed at sign-in.
CREATE TABLE staff (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username      text        NOT NULL UNIQUE CHECK (username = lower(username)),
    name          text        NOT NULL,
    role          text        NOT NULL CHECK (role IN ('mediator', 'supervisor', 'admin')),
    password_hash text        NOT NULL DEFAULT '',
    disabled      boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL
);

-- Only the SHA-256 of a token is kept. last_used_at and revoked_at are NULL until
-- the token is used or revoked.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id     bigint      NOT NULL REFERENCES staff (id),
    name         text        NOT NULL,
    hash         text        NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
);

CREATE INDEX api_tokens_staff_id_created_at_idx ON api_tokens (staff_id, created_at, id);

-- The audit log is append-only. staff_id is NULL for a failed sign-in with an
-- unknown username, case_id when the entry is about no case. staff_id has no
-- foreign key on purpose: the log records the actor a change was made under and
-- must never be the reason the change is refused.
CREATE TABLE audit_log (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    staff_id   bigint,
    action     text        NOT NULL,
    case_id    bigint      REFERENCES cases (id),
    detail     text        NOT NULL DEFAULT '',
    ip         text        NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL
);

CREATE INDEX audit_log_created_at_idx ON audit_log (created_at, id);
CREATE INDEX audit_log_case_id_created_at_idx ON audit_log (case_id, created_at, id);
CREATE INDEX audit_log_staff_id_created_at_idx ON audit_log (staff_id, created_at, id);

-- created_by is NULL for replies no staff member wrote (seeded ones).
CREATE TABLE canned_replies (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      text        NOT NULL,
    body       text        NOT NULL,
    created_by bigint      REFERENCES staff (id),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

-- merchant_key is the merchant's name in lower case, kept by the database, so a
-- search compares with a plain LIKE instead of an ILIKE that lower-cases every row.
ALTER TABLE cases
    ADD COLUMN assignee_id         bigint  REFERENCES staff (id),
    ADD COLUMN unread              boolean NOT NULL DEFAULT false,
    ADD COLUMN outcome             text    NOT NULL DEFAULT ''
        CHECK (outcome IN ('', 'agreement', 'settled', 'withdrawn', 'terminated')),
    ADD COLUMN recovered_fen       bigint  NOT NULL DEFAULT 0 CHECK (recovered_fen >= 0),
    ADD COLUMN double_compensation boolean NOT NULL DEFAULT false,
    ADD COLUMN merchant_key        text    GENERATED ALWAYS AS (lower(merchant_name)) STORED;

ALTER TABLE notifications ADD COLUMN event_id bigint REFERENCES case_events (id);

-- The console's queue lists cases newest first (created_at DESC, id DESC) under
-- one or more filters; each index below lets one filter walk its cases in that
-- order backwards and stop after a page. (status, created_at) of 00001 gains id.
-- The assignee and category indexes end with status, the filter most often
-- combined with them ("my open cases"): the status is checked, and such cases
-- counted, in the index, without reading the table.
DROP INDEX cases_status_created_at_idx;
CREATE INDEX cases_status_created_at_id_idx ON cases (status, created_at, id);
CREATE INDEX cases_created_at_id_idx ON cases (created_at, id);
CREATE INDEX cases_assignee_id_created_at_idx ON cases (assignee_id, created_at, id, status);
CREATE INDEX cases_category_created_at_idx ON cases (category, created_at, id, status);
CREATE INDEX cases_unread_created_at_idx ON cases (created_at, id) WHERE unread = TRUE;
CREATE INDEX cases_phone_idx ON cases (phone);

-- Search looks for a part of the merchant's name and for the end of a phone number
-- (LIKE '%…%', LIKE '%…'), which no B-tree serves. Trigram indexes do, for
-- patterns of 3 characters or more (Chinese included). pg_trgm ships with
-- PostgreSQL and is a trusted extension (13+): the database owner may create it
-- without superuser rights. Where it is missing or may not be created, the
-- migration goes on without these indexes and search scans the table instead.
-- An installed pg_trgm is used from whatever schema it lives in.
-- +goose StatementBegin
DO $$
DECLARE
    trgm_schema name;
BEGIN
    SELECT n.nspname INTO trgm_schema
        FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
        WHERE e.extname = 'pg_trgm';
    IF trgm_schema IS NULL THEN
        BEGIN
            CREATE EXTENSION pg_trgm;
        EXCEPTION WHEN OTHERS THEN
            RAISE NOTICE 'pg_trgm cannot be created (%); case search will scan', SQLERRM;
            RETURN;
        END;
        SELECT n.nspname INTO trgm_schema
            FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
            WHERE e.extname = 'pg_trgm';
    END IF;
    EXECUTE format('CREATE INDEX cases_merchant_key_trgm_idx ON cases'
        ' USING gin (merchant_key %I.gin_trgm_ops)', trgm_schema);
    EXECUTE format('CREATE INDEX cases_phone_trgm_idx ON cases'
        ' USING gin (phone %I.gin_trgm_ops)', trgm_schema);
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP INDEX IF EXISTS cases_phone_trgm_idx;
DROP INDEX IF EXISTS cases_merchant_key_trgm_idx;
DROP INDEX cases_phone_idx;
DROP INDEX cases_unread_created_at_idx;
DROP INDEX cases_category_created_at_idx;
DROP INDEX cases_assignee_id_created_at_idx;
DROP INDEX cases_created_at_id_idx;
DROP INDEX cases_status_created_at_id_idx;
CREATE INDEX cases_status_created_at_idx ON cases (status, created_at);
ALTER TABLE notifications DROP COLUMN event_id;
ALTER TABLE cases
    DROP COLUMN merchant_key,
    DROP COLUMN double_compensation,
    DROP COLUMN recovered_fen,
    DROP COLUMN outcome,
    DROP COLUMN unread,
    DROP COLUMN assignee_id;
DROP TABLE canned_replies;
DROP TABLE audit_log;
DROP TABLE api_tokens;
DROP TABLE staff;

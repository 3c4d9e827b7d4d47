-- Merchants (issue 11): the registry of merchants, system-wide (a merchant is
-- complained about in many units), and the link of a case to one of them.
--
-- merchants: name_key is the name as matching compares it (storage.MerchantKey:
-- lower case, no spaces or punctuation), written by the store. credit_code is
-- the 统一社会信用代码 ('' when unknown), unique among live merchants.
-- platform_since is the 入驻 date as YYYY-MM-DD ('' when not on the platform).
-- merged_into marks a duplicate merged into another; merged rows are kept.
--
-- merchant_aliases: other names of a merchant, with their keys.
--
-- cases.merchant_id: the linked merchant, NULL while unlinked. The typed
-- merchant_name is kept as the consumer wrote it.
--
-- Matching a typed name is done in the service (character bigrams over the
-- candidates a LIKE on the keys pre-selects), the same on both dialects, so
-- no extension (pg_trgm) is needed. Booleans are 0 and 1; timestamps as in 00001.

-- +goose Up
CREATE TABLE merchants (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    name           TEXT        NOT NULL,
    name_key       TEXT        NOT NULL,
    credit_code    TEXT        NOT NULL DEFAULT '',
    address        TEXT        NOT NULL DEFAULT '',
    contact_person TEXT        NOT NULL DEFAULT '',
    contact_phone  TEXT        NOT NULL DEFAULT '',
    on_platform    BOOLEAN     NOT NULL DEFAULT FALSE,
    platform_since TEXT        NOT NULL DEFAULT '',
    merged_into    INTEGER     REFERENCES merchants (id),
    created_at     TIMESTAMP   NOT NULL,
    updated_at     TIMESTAMP   NOT NULL
);
CREATE UNIQUE INDEX merchants_credit_code_idx ON merchants (credit_code)
    WHERE credit_code <> '' AND merged_into IS NULL;
CREATE INDEX merchants_name_key_idx ON merchants (name_key);

CREATE TABLE merchant_aliases (
    merchant_id INTEGER NOT NULL REFERENCES merchants (id),
    alias       TEXT    NOT NULL,
    alias_key   TEXT    NOT NULL,
    PRIMARY KEY (merchant_id, alias_key)
);
CREATE INDEX merchant_aliases_alias_key_idx ON merchant_aliases (alias_key);

-- No REFERENCES on cases.merchant_id: SQLite cannot drop a column with a
-- foreign key (the Down); the store only links merchants it found.
ALTER TABLE cases ADD COLUMN merchant_id INTEGER;
CREATE INDEX cases_merchant_id_idx ON cases (merchant_id);

-- +goose Down
DROP INDEX cases_merchant_id_idx;
ALTER TABLE cases DROP COLUMN merchant_id;
DROP TABLE merchant_aliases;
DROP TABLE merchants;

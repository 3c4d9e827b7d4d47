-- The merchant portal (settlement platform): accounts of merchants' staff and
-- the one-time invitations that create them.
--
-- merchant_accounts: one per person of a merchant on the platform; username is
-- normalised (lower case) and unique across the portal; password_hash is bcrypt.
-- merchant_invitations: token_hash is the hex SHA-256 of the link's token (the
-- token itself is shown once and never stored); used_at is set when accepted;
-- created_by is the inviting staff member.
-- Timestamps are INTEGER microseconds (see 00001); booleans 0 and 1.
-- +goose Up
CREATE TABLE merchant_accounts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id   INTEGER     NOT NULL REFERENCES merchants (id),
    username      TEXT        NOT NULL UNIQUE,
    name          TEXT        NOT NULL,
    password_hash TEXT        NOT NULL,
    disabled      BOOLEAN     NOT NULL DEFAULT FALSE,
    must_change   BOOLEAN     NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP   NOT NULL
);
CREATE INDEX merchant_accounts_merchant_idx ON merchant_accounts (merchant_id);

CREATE TABLE merchant_invitations (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    merchant_id INTEGER     NOT NULL REFERENCES merchants (id),
    token_hash  TEXT        NOT NULL UNIQUE,
    expires_at  TIMESTAMP   NOT NULL,
    used_at     TIMESTAMP,
    account_id  INTEGER     REFERENCES merchant_accounts (id),
    created_by  INTEGER     NOT NULL REFERENCES staff (id),
    created_at  TIMESTAMP   NOT NULL
);

-- +goose Down
DROP TABLE merchant_invitations;
DROP TABLE merchant_accounts;

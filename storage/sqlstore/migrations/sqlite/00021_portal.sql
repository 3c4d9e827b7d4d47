-- The merchant portal (settlement platform): accounts of merchants' staff and
-- the one-time invitations that create them.
--
-- merchant_accounts: one per person of a merchant on the platform; username is
-- normalised (lower case) and unique across the portal; password_hash is bcrypt.
-- merchant_invitations: token_hash is the hex SHA-256 of the link's token (the
-- token itself is shown once and never stored); used_at is set when accepted;
-- created_by is the inviting staff member.
-- settlement_proposals: a merchant's answer to a referral on the platform, either
-- a proposal (remedy 退货/换货/退款/维修/赔偿, amount_fen, pay_by YYYY-MM-DD) or a
-- refusal (refused, with reasons); answer is the consumer's ('' until answered,
-- accepted, declined) with answered_at. A refusal needs no answer.
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

CREATE TABLE settlement_proposals (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id     INTEGER NOT NULL REFERENCES cases (id),
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    account_id  INTEGER NOT NULL REFERENCES merchant_accounts (id),
    refused     BOOLEAN     NOT NULL DEFAULT FALSE,
    remedy      TEXT NOT NULL DEFAULT '',
    amount_fen  INTEGER NOT NULL DEFAULT 0,
    pay_by      TEXT NOT NULL DEFAULT '',
    reasons     TEXT NOT NULL DEFAULT '',
    answer      TEXT NOT NULL DEFAULT '',
    answered_at TIMESTAMP,
    created_at  TIMESTAMP NOT NULL
);
CREATE INDEX settlement_proposals_case_idx ON settlement_proposals (case_id);

-- +goose Down
DROP TABLE settlement_proposals;
DROP TABLE merchant_invitations;
DROP TABLE merchant_accounts;

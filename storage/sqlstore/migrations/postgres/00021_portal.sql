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
-- +goose Up
CREATE TABLE merchant_accounts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id   bigint      NOT NULL REFERENCES merchants (id),
    username      text        NOT NULL UNIQUE,
    name          text        NOT NULL,
    password_hash text        NOT NULL,
    disabled      boolean     NOT NULL DEFAULT false,
    must_change   boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL
);
CREATE INDEX merchant_accounts_merchant_idx ON merchant_accounts (merchant_id);

CREATE TABLE merchant_invitations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    merchant_id bigint      NOT NULL REFERENCES merchants (id),
    token_hash  text        NOT NULL UNIQUE,
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    account_id  bigint      REFERENCES merchant_accounts (id),
    created_by  bigint      NOT NULL REFERENCES staff (id),
    created_at  timestamptz NOT NULL
);

CREATE TABLE settlement_proposals (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES cases (id),
    referral_id bigint NOT NULL REFERENCES referrals (id),
    account_id  bigint NOT NULL REFERENCES merchant_accounts (id),
    refused     boolean     NOT NULL DEFAULT false,
    remedy      text NOT NULL DEFAULT '',
    amount_fen  bigint NOT NULL DEFAULT 0,
    pay_by      text NOT NULL DEFAULT '',
    reasons     text NOT NULL DEFAULT '',
    answer      text NOT NULL DEFAULT '',
    answered_at timestamptz,
    created_at  timestamptz NOT NULL
);
CREATE INDEX settlement_proposals_case_idx ON settlement_proposals (case_id);

-- +goose Down
DROP TABLE settlement_proposals;
DROP TABLE merchant_invitations;
DROP TABLE merchant_accounts;

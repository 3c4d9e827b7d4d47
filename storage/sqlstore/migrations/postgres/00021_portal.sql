-- The merchant portal (settlement platform): accounts of merchants' staff and
-- the one-time invitations that create them.
--
-- merchant_accounts: one per person of a merchant on the platform; username is
-- normalised (lower case) and unique across the portal; password_hash is bcrypt.
-- merchant_invitations: token_hash is the hex SHA-256 of the link's token (the
-- token itself is shown once and never stored); used_at is set when accepted;
-- created_by is the inviting staff member.
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

-- +goose Down
DROP TABLE merchant_invitations;
DROP TABLE merchant_accounts;

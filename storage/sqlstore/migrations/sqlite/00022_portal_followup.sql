-- The merchant portal's follow-ups (issue 11, the gaps):
--
-- payment_asks, next_ask_at, payment_answer, payment_answered_at: the payment
-- question of an accepted proposal with money or a refund/compensation due, the
-- same follow-up an issued mediation agreement has (case_agreements, 00019): the
-- payment worker asks on pay_by's morning, once more three days later, and the
-- consumer's 已到账 / 未到账 closes or reopens the case.
-- answer_reminded_at: when the consumer, who had not answered the proposal, was
-- asked once more; a proposal still unanswered some days later goes back to the
-- association (answer 'expired').
-- merchant_api_tokens: a portal account's tokens for the portal's JSON API; hash
-- is the hex SHA-256 of the token (shown once, never stored), revoked_at set
-- when revoked (by its owner, or when the password changes or is reset, or the
-- account is disabled).
-- Timestamps as in 00001; booleans 0 and 1.
-- +goose Up
ALTER TABLE settlement_proposals ADD COLUMN payment_asks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE settlement_proposals ADD COLUMN next_ask_at TIMESTAMP;
ALTER TABLE settlement_proposals ADD COLUMN payment_answer TEXT NOT NULL DEFAULT '';
ALTER TABLE settlement_proposals ADD COLUMN payment_answered_at TIMESTAMP;
ALTER TABLE settlement_proposals ADD COLUMN answer_reminded_at TIMESTAMP;
CREATE INDEX settlement_proposals_next_ask ON settlement_proposals (next_ask_at) WHERE next_ask_at IS NOT NULL;
CREATE INDEX settlement_proposals_waiting ON settlement_proposals (created_at) WHERE answer = '' AND refused = 0;

CREATE TABLE merchant_api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER   NOT NULL REFERENCES merchant_accounts (id),
    name         TEXT      NOT NULL,
    hash         TEXT      NOT NULL UNIQUE,
    created_at   TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at   TIMESTAMP
);
CREATE INDEX merchant_api_tokens_account_idx ON merchant_api_tokens (account_id);

-- +goose Down
DROP TABLE merchant_api_tokens;
DROP INDEX settlement_proposals_waiting;
DROP INDEX settlement_proposals_next_ask;
ALTER TABLE settlement_proposals DROP COLUMN answer_reminded_at;
ALTER TABLE settlement_proposals DROP COLUMN payment_answered_at;
ALTER TABLE settlement_proposals DROP COLUMN payment_answer;
ALTER TABLE settlement_proposals DROP COLUMN next_ask_at;
ALTER TABLE settlement_proposals DROP COLUMN payment_asks;

-- Mediation agreements (调解协议书, issue 11 §5): one per case, a draft staff edit
-- (version counts the edits; each edit is also a note on the case's timeline) until
-- it is issued, after which it never changes. The payment follow-up lives on the
-- same row: how often the bot asked whether the money arrived, when it asks next
-- (NULL when it will not ask again) and the consumer's latest answer.
-- payment_due is a China-time day, YYYY-MM-DD, or '' when nothing is paid.

-- +goose Up
CREATE TABLE case_agreements (
    case_id        bigint      PRIMARY KEY REFERENCES cases (id),
    terms          text        NOT NULL,
    amount_fen     bigint      NOT NULL DEFAULT 0,
    payment_due    text        NOT NULL DEFAULT '',
    merchant_name  text        NOT NULL,
    credit_code    text        NOT NULL,
    mediator       text        NOT NULL,
    version        integer     NOT NULL DEFAULT 1,
    created_by     bigint      NOT NULL REFERENCES staff (id),
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL,
    issued_at      timestamptz,
    payment_asks   integer     NOT NULL DEFAULT 0,
    next_ask_at    timestamptz,
    payment_answer text        NOT NULL DEFAULT '',
    answered_at    timestamptz
);
-- The worker's question: which follow-ups are due.
CREATE INDEX case_agreements_next_ask ON case_agreements (next_ask_at) WHERE next_ask_at IS NOT NULL;

-- +goose Down
DROP TABLE case_agreements;

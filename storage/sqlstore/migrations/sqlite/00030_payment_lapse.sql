-- A payment question that is never answered lapses (issue 11, the gaps).
--
-- last_asked_at: when the payment question of an issued agreement
-- (case_agreements) or an accepted proposal (settlement_proposals) was last
-- asked. casework.payment_answer_days after the last ask an unanswered question
-- lapses: the payment worker sets payment_answer to 'expired' (with its
-- answered_at / payment_answered_at), notes it on the timeline for the mediator
-- and marks the case unread; a later 已到账 / 未到账 is a message, not an answer.
--
-- Rows asked before this migration take the time of the latest ask their case's
-- timeline records ("已询问消费者约定款项是否到账（第 N 次）。"), or now when the
-- timeline has none, so none lapses earlier than the rule says.
-- Timestamps as in 00001 (integer microseconds), so "now" is written as one.
-- +goose Up
ALTER TABLE case_agreements ADD COLUMN last_asked_at TIMESTAMP;
ALTER TABLE settlement_proposals ADD COLUMN last_asked_at TIMESTAMP;
UPDATE case_agreements AS a SET last_asked_at = COALESCE((SELECT max(e.created_at) FROM case_events e
    WHERE e.case_id = a.case_id AND e.body LIKE '已询问消费者约定款项是否到账%'), CAST(strftime('%s', 'now') AS INTEGER) * 1000000)
    WHERE a.payment_asks > 0;
UPDATE settlement_proposals AS p SET last_asked_at = COALESCE((SELECT max(e.created_at) FROM case_events e
    WHERE e.case_id = p.case_id AND e.body LIKE '已询问消费者约定款项是否到账%'), CAST(strftime('%s', 'now') AS INTEGER) * 1000000)
    WHERE p.payment_asks > 0;
-- The worker's question: which asked, unanswered questions had their last ask.
CREATE INDEX case_agreements_lapse ON case_agreements (last_asked_at)
    WHERE payment_answer = '' AND next_ask_at IS NULL AND payment_asks > 0;
CREATE INDEX settlement_proposals_lapse ON settlement_proposals (last_asked_at)
    WHERE payment_answer = '' AND next_ask_at IS NULL AND payment_asks > 0;

-- +goose Down
DROP INDEX settlement_proposals_lapse;
DROP INDEX case_agreements_lapse;
ALTER TABLE settlement_proposals DROP COLUMN last_asked_at;
ALTER TABLE case_agreements DROP COLUMN last_asked_at;

-- Referrals as records (issue 11 §3). A referral (转办) was only the status 已转办
-- with a reason naming its target (cases.referral_target, the periods' referral_target).
--
-- referrals: one row per referral, written in the same transaction as the move to
-- 已转办 (changeStatus). channel is the body's stable id (storage.Channel…:
-- merchant_platform, arbitration, financial, regulator, administrative); contact and
-- note are staff's words; outcome ('' until fed back: settled, failed, refused),
-- amount_fen, result_date (YYYY-MM-DD, China time), fed_back_by and fed_back_at are
-- the result the body reported; closed is set when the result is fed back or the
-- case leaves 已转办 another way.
--
-- arbitration_consents: each time staff asked the consumer in the chat whether they
-- agree to arbitration (征求仲裁意愿), and the answer ('' until answered, agreed,
-- refused) with its time. A referral to 仲裁委员会 needs the latest answer agreed.
--
-- Backfill of existing referrals, one record per 已转办 period of
-- case_status_periods whose referral_target names a known target (a period without
-- one was never counted as a channel and gets no record):
--   1. channel from referral_target, referred_at the period's start, referred_by
--      'system' (the actor is not kept on the period), note saying it was rebuilt;
--   2. closed when a later period exists (the case left 已转办);
--   3. the result is known only where the case went straight from that referral to
--      调解成功, it was the case's latest referral and the case's outcome is still
--      达成调解协议 or 协商和解: then outcome settled, amount_fen the case's money
--      recovered, result_date and fed_back_at the day and time it left 已转办,
--      fed_back_by 'system'. So the channels keep counting the settlements they
--      counted before. Every other referral has no result (结果未反馈).
-- Consents have no history: cases already with arbitration keep their record; only
-- new referrals to arbitration need the consumer's answer.
-- +goose Up
CREATE TABLE referrals (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES cases (id),
    channel     TEXT NOT NULL,
    referred_at timestamptz NOT NULL,
    referred_by TEXT NOT NULL,
    contact     TEXT NOT NULL DEFAULT '',
    note        TEXT NOT NULL DEFAULT '',
    outcome     TEXT NOT NULL DEFAULT '',
    amount_fen  bigint NOT NULL DEFAULT 0,
    result_date TEXT NOT NULL DEFAULT '',
    result_note TEXT NOT NULL DEFAULT '',
    fed_back_by TEXT NOT NULL DEFAULT '',
    fed_back_at timestamptz,
    closed      BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE INDEX referrals_case_idx ON referrals (case_id, id);

CREATE TABLE arbitration_consents (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES cases (id),
    asked_by    TEXT NOT NULL,
    asked_at    timestamptz NOT NULL,
    answer      TEXT NOT NULL DEFAULT '',
    answered_at timestamptz
);

CREATE INDEX arbitration_consents_case_idx ON arbitration_consents (case_id, id);

INSERT INTO referrals (case_id, channel, referred_at, referred_by, note, outcome,
    amount_fen, result_date, fed_back_by, fed_back_at, closed)
SELECT r.case_id, r.channel, r.started_at, 'system', '迁移 00018 由状态记录补建',
    CASE WHEN r.settled THEN 'settled' ELSE '' END,
    CASE WHEN r.settled THEN r.recovered_fen ELSE 0 END,
    CASE WHEN r.settled THEN to_char((r.next_at AT TIME ZONE 'UTC') + interval '8 hours', 'YYYY-MM-DD') ELSE '' END,
    CASE WHEN r.settled THEN 'system' ELSE '' END,
    CASE WHEN r.settled THEN r.next_at ELSE NULL END,
    r.next_at IS NOT NULL
FROM (
    SELECT q.*, (q.next_status = 'resolved' AND q.outcome IN ('agreement', 'settled')
            AND NOT EXISTS (SELECT 1 FROM case_status_periods l WHERE l.case_id = q.case_id
                AND l.status = 'referred' AND l.id > q.id)) AS settled
    FROM (
        SELECT p.id, p.case_id, p.started_at, c.outcome, c.recovered_fen,
            CASE p.referral_target
                WHEN '企业和解（入驻企业）' THEN 'merchant_platform'
                WHEN '仲裁委员会' THEN 'arbitration'
                WHEN '金融纠纷调解中心' THEN 'financial'
                WHEN '市场监管部门' THEN 'regulator'
                WHEN '行政部门' THEN 'administrative'
                ELSE '' END AS channel,
            (SELECT n.started_at FROM case_status_periods n WHERE n.case_id = p.case_id AND n.id > p.id
                ORDER BY n.id LIMIT 1) AS next_at,
            (SELECT n.status FROM case_status_periods n WHERE n.case_id = p.case_id AND n.id > p.id
                ORDER BY n.id LIMIT 1) AS next_status
        FROM case_status_periods p JOIN cases c ON c.id = p.case_id
        WHERE p.status = 'referred'
    ) q
    WHERE q.channel <> ''
) r
ORDER BY r.started_at, r.id;

-- +goose Down
DROP TABLE arbitration_consents;
DROP TABLE referrals;

-- Statutory clocks (issue 9): every case keeps its status history as periods, and
-- the due day of the clock it is working against, so the queue can show, filter
-- and sort by it.
--
-- case_status_periods: one row per status a case entered, written in the same
-- transaction as the move (changeStatus) or the case (CreateCase). A period lasts
-- until the next row's started_at. referral_target is the target of a referral
-- (storage.ReferralTargets; '' otherwise); reopen marks the move of a finished
-- case back to 调解中 (重新调解), which starts a new mediation clock.
--
-- cases.due_kind / due_on / due_paused: the clock the case is working against
-- (storage.ClockKind, '' when none), its last day as YYYY-MM-DD in China time ('' when
-- paused or none), and whether it stands still (待补正, 检测鉴定, the merchant's
-- turn). A date as text compares correctly in both dialects.
--
-- clock_settings: the one row holding the limits (working days) and the calendar
-- version the stored due days were computed with. The service writes its
-- configured limits here and recomputes every open case when they, or the
-- calendar, changed; the row starts with calendar_version -1 so that the first
-- start after this migration computes the due days of the backfilled cases.
--
-- Backfill of existing cases, from the cases and their timeline:
--   1. every case gets a 待受理 period from its created_at (the receipt);
--   2. every status_change event (kind 'status_change') adds a period from its
--      created_at. Its body reads "<from label> → <to label>[（重新调解）][：reason]"
--      (see statusChangeBody): the text after the first "→ " starts with the
--      label of the new status, which gives the status; "（重新调解）" right after
--      the label marks a reopening; for 已转办 the reason starts with the target
--      ("已转办：企业和解（入驻企业）…"), which gives referral_target. A body whose
--      label is none of the known ones adds no period.

-- +goose Up
CREATE TABLE case_status_periods (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id         INTEGER NOT NULL REFERENCES cases (id),
    status          TEXT NOT NULL,
    referral_target TEXT NOT NULL DEFAULT '',
    reopen          BOOLEAN NOT NULL DEFAULT FALSE,
    started_at      TIMESTAMP NOT NULL
);

CREATE INDEX case_status_periods_case_idx ON case_status_periods (case_id, started_at, id);

ALTER TABLE cases ADD COLUMN due_kind text NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN due_on text NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN due_paused BOOLEAN NOT NULL DEFAULT FALSE;

-- The queue's due column sorts and filters on it; cases without a clock are left out.
CREATE INDEX cases_due_on_idx ON cases (due_on, id) WHERE due_on <> '';

CREATE TABLE clock_settings (
    id                      INTEGER PRIMARY KEY CHECK (id = 1),
    acceptance_days         INTEGER NOT NULL,
    mediation_days          INTEGER NOT NULL,
    merchant_days           INTEGER NOT NULL,
    termination_notice_days INTEGER NOT NULL,
    calendar_version        INTEGER NOT NULL
);

INSERT INTO clock_settings (id, acceptance_days, mediation_days, merchant_days,
    termination_notice_days, calendar_version) VALUES (1, 7, 45, 10, 7, -1);

INSERT INTO case_status_periods (case_id, status, started_at)
SELECT id, 'submitted', created_at FROM cases ORDER BY id;

INSERT INTO case_status_periods (case_id, status, referral_target, reopen, started_at)
SELECT case_id, status, referral_target, reopen, created_at FROM (
    SELECT e.id, e.case_id, e.created_at,
        CASE
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '待受理%' THEN 'submitted'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '已受理%' THEN 'accepted'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '不予受理%' THEN 'rejected'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '调解中%' THEN 'mediating'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '已转办%' THEN 'referred'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '调解成功%' THEN 'resolved'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '终止调解%' THEN 'terminated'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '已撤回%' THEN 'withdrawn'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '已办结%' THEN 'closed'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '待补正%' THEN 'awaiting_material'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '检测鉴定%' THEN 'appraisal'
            ELSE '' END AS status,
        CASE
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '已转办：企业和解（入驻企业）%' THEN '企业和解（入驻企业）'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '已转办：仲裁委员会%' THEN '仲裁委员会'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '已转办：金融纠纷调解中心%' THEN '金融纠纷调解中心'
            WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '已转办：行政部门%' THEN '行政部门'
            ELSE '' END AS referral_target,
        CASE WHEN substr(e.body, instr(e.body, '→ ') + 2) LIKE '调解中（重新调解）%' THEN TRUE ELSE FALSE END AS reopen
    FROM case_events e
    WHERE e.kind = 'status_change' AND instr(e.body, '→ ') > 0
) moves
WHERE status <> ''
ORDER BY created_at, id;

-- +goose Down
DROP TABLE clock_settings;
DROP INDEX cases_due_on_idx;
ALTER TABLE cases DROP COLUMN due_paused;
ALTER TABLE cases DROP COLUMN due_on;
ALTER TABLE cases DROP COLUMN due_kind;
DROP TABLE case_status_periods;

-- The status machine of issue 9: requests for material (待补正) and one coherent
-- outcome per case.
--
-- material_requests keeps every request for material: the status the case came
-- from (恢复办理 takes it back there), what was asked, by whom and when (the wait
-- before a rejection for missing material counts from then).
--
-- The repair of old cases. From now on a case has an outcome exactly when its
-- status is 调解成功 (达成调解协议 or 协商和解), 终止调解 (终止调解) or 已撤回 (撤回投诉),
-- or 已办结 after one of them; money recovered and 加倍赔偿 belong to 调解成功 only.
-- Before, the outcome was recorded apart from the status, so old rows may
-- contradict it. The rule, applied to every case:
--
-- 1. The status is the truth. The status whose outcome applies is the case's own,
--    or, for 已办结, the status it was closed from, read from its latest
--    "<status> → 已办结" timeline entry (without one: the status the recorded
--    outcome leads to; none if there is no outcome).
-- 2. 调解成功: a recorded agreement or settlement stays as it is. Any other outcome
--    (none, 终止调解 or 撤回投诉) becomes the latest agreement or settlement the
--    timeline recorded ("调解结果：达成调解协议，挽回经济损失 ¥…" notes), with its
--    money and 加倍赔偿 when the row holds no money of its own; without such a note
--    it becomes 达成调解协议 and keeps the row's money.
-- 3. 终止调解 and 已撤回: the outcome becomes 终止调解 or 撤回投诉, without money or
--    加倍赔偿.
-- 4. Every other status (and 已办结 after 不予受理): no outcome, no money.
-- 5. Money is never dropped silently: every row the rule changes gets a note on
--    its timeline (actor "system", dated at the case's last change) naming the
--    outcome, money and 加倍赔偿 it held before and what it holds now.
--
-- Down drops material_requests only; the repaired outcomes stay repaired (the old
-- values are in the notes).

-- +goose Up
CREATE TABLE material_requests (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint      NOT NULL REFERENCES cases (id),
    from_status  text        NOT NULL,
    material     text        NOT NULL,
    actor        text        NOT NULL,
    requested_at timestamptz NOT NULL
);

CREATE INDEX material_requests_case_id_idx ON material_requests (case_id, id);

CREATE TEMP TABLE outcome_repair AS
SELECT id, status, old_outcome, old_fen, old_double,
    CASE target
        WHEN 'resolved' THEN CASE
            WHEN old_outcome IN ('agreement', 'settled') THEN old_outcome
            WHEN note_body LIKE '调解结果：协商和解%' THEN 'settled'
            ELSE 'agreement' END
        WHEN 'terminated' THEN 'terminated'
        WHEN 'withdrawn' THEN 'withdrawn'
        ELSE '' END AS new_outcome,
    CASE
        WHEN target <> 'resolved' THEN 0
        WHEN old_outcome IN ('agreement', 'settled') OR old_fen > 0 THEN old_fen
        ELSE note_fen END AS new_fen,
    CASE
        WHEN target <> 'resolved' THEN FALSE
        WHEN old_outcome IN ('agreement', 'settled') THEN old_double
        ELSE (old_double OR note_double) END AS new_double
FROM (
    SELECT id, status, old_outcome, old_fen, old_double, target, note_body,
        COALESCE(CAST(replace(substring(note_body from '挽回经济损失 ¥([0-9]+\.[0-9]{2})'), '.', '') AS bigint), 0) AS note_fen,
        COALESCE(note_body LIKE '调解结果：%，加倍赔偿%', FALSE) AS note_double
    FROM (
        SELECT c.id, c.status, c.outcome AS old_outcome, c.recovered_fen AS old_fen,
            c.double_compensation AS old_double,
            CASE
                WHEN c.status IN ('resolved', 'terminated', 'withdrawn') THEN c.status
                WHEN c.status <> 'closed' THEN 'none'
                ELSE COALESCE((
                    SELECT CASE
                        WHEN e.body LIKE '调解成功 → 已办结%' THEN 'resolved'
                        WHEN e.body LIKE '终止调解 → 已办结%' THEN 'terminated'
                        WHEN e.body LIKE '已撤回 → 已办结%' THEN 'withdrawn'
                        ELSE 'none' END
                    FROM case_events e
                    WHERE e.case_id = c.id AND e.kind = 'status_change' AND e.body LIKE '% → 已办结%'
                    ORDER BY e.id DESC LIMIT 1),
                    CASE c.outcome
                        WHEN 'agreement' THEN 'resolved' WHEN 'settled' THEN 'resolved'
                        WHEN 'terminated' THEN 'terminated' WHEN 'withdrawn' THEN 'withdrawn'
                        ELSE 'none' END)
                END AS target,
            (SELECT e.body FROM case_events e
                WHERE e.case_id = c.id AND e.kind = 'note'
                  AND (e.body LIKE '调解结果：达成调解协议%' OR e.body LIKE '调解结果：协商和解%')
                ORDER BY e.id DESC LIMIT 1) AS note_body
        FROM cases c
    ) AS facts
) AS planned;

DELETE FROM outcome_repair
WHERE new_outcome = old_outcome AND new_fen = old_fen AND new_double = old_double;

INSERT INTO case_events (case_id, kind, actor, body, created_at)
SELECT r.id, 'note', 'system',
    '数据修复（迁移 00009）：案件状态“' || CASE r.status WHEN 'submitted' THEN '待受理' WHEN 'accepted' THEN '已受理' WHEN 'rejected' THEN '不予受理' WHEN 'mediating' THEN '调解中' WHEN 'referred' THEN '已转办' WHEN 'resolved' THEN '调解成功' WHEN 'terminated' THEN '终止调解' WHEN 'withdrawn' THEN '已撤回' WHEN 'closed' THEN '已办结' WHEN 'awaiting_material' THEN '待补正' WHEN 'appraisal' THEN '检测鉴定' ELSE r.status END ||
    '”与原登记的调解结果不一致。原登记：' || CASE r.old_outcome WHEN 'agreement' THEN '达成调解协议' WHEN 'settled' THEN '协商和解' WHEN 'withdrawn' THEN '撤回投诉' WHEN 'terminated' THEN '终止调解' WHEN '' THEN '无' ELSE r.old_outcome END ||
    '，挽回经济损失 ¥' || (r.old_fen / 100)::text || '.' || lpad((r.old_fen % 100)::text, 2, '0') ||
    CASE WHEN r.old_double THEN '，加倍赔偿' ELSE '' END ||
    '；现为：' || CASE r.new_outcome WHEN 'agreement' THEN '达成调解协议' WHEN 'settled' THEN '协商和解' WHEN 'withdrawn' THEN '撤回投诉' WHEN 'terminated' THEN '终止调解' WHEN '' THEN '无' ELSE r.new_outcome END ||
    '，挽回经济损失 ¥' || (r.new_fen / 100)::text || '.' || lpad((r.new_fen % 100)::text, 2, '0') ||
    CASE WHEN r.new_double THEN '，加倍赔偿' ELSE '' END || '。',
    c.updated_at
FROM outcome_repair r JOIN cases c ON c.id = r.id
ORDER BY r.id;

UPDATE cases SET
    outcome = (SELECT r.new_outcome FROM outcome_repair r WHERE r.id = cases.id),
    recovered_fen = (SELECT r.new_fen FROM outcome_repair r WHERE r.id = cases.id),
    double_compensation = (SELECT r.new_double FROM outcome_repair r WHERE r.id = cases.id)
WHERE id IN (SELECT id FROM outcome_repair);

DROP TABLE outcome_repair;

-- +goose Down
DROP TABLE material_requests;

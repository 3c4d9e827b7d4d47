-- Fields the association's figures group cases by (issue 9): the second level of
-- the category (subcategory, '' until staff classify it), the nature of the
-- complaint (投诉性质, '' until classified), and where a referred case was sent
-- (referral_target, one of storage.ReferralTargets; '' if never referred; it
-- keeps the latest target after the case comes back, because the figures count
-- the channel that handled the case).
--
-- Existing referred cases get their target back from the timeline: the body of
-- the status change that referred them reads "<from> → 已转办：<target>[（detail）]".

-- +goose Up
ALTER TABLE cases ADD COLUMN subcategory text NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN nature text NOT NULL DEFAULT '';
ALTER TABLE cases ADD COLUMN referral_target text NOT NULL DEFAULT '';

UPDATE cases SET referral_target = COALESCE((
    SELECT CASE
        WHEN e.body LIKE '%→ 已转办：企业和解（入驻企业）%' THEN '企业和解（入驻企业）'
        WHEN e.body LIKE '%→ 已转办：仲裁委员会%' THEN '仲裁委员会'
        WHEN e.body LIKE '%→ 已转办：金融纠纷调解中心%' THEN '金融纠纷调解中心'
        WHEN e.body LIKE '%→ 已转办：行政部门%' THEN '行政部门'
        ELSE '' END
    FROM case_events e
    WHERE e.case_id = cases.id AND e.kind = 'status_change' AND e.body LIKE '%→ 已转办：%'
    ORDER BY e.id DESC LIMIT 1
), '');

-- +goose Down
ALTER TABLE cases DROP COLUMN referral_target;
ALTER TABLE cases DROP COLUMN nature;
ALTER TABLE cases DROP COLUMN subcategory;

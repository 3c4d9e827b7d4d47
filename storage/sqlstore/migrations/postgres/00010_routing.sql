-- Classification and routing (issue 9).
--
-- Teams (汽车消费维权工作室, 金融, 综合) with their members; the routing rules that
-- send a filed case to a team, tried in position order (the first match decides;
-- a case no rule matches goes to the default team, if one is marked); and on each
-- case the team whose queue it is in (NULL: none). Nothing here deletes a case
-- or a team: rules, which are configuration, may be removed.
--
-- Existing categories are mapped onto the category tree (storage/category.go,
-- storage.CategoryOf; a test checks that this SQL follows that rule): a level-1
-- name stays; the CCA spelling with 类, an alias (汽车 → 交通工具) or a level-2
-- name moves to its level-1 category, a level-2 name also becoming the
-- subcategory; anything else becomes 其他 (the original stays on the timeline, in
-- the entry of the submission). The chat only ever offered level-1 names.

-- +goose Up
CREATE TABLE teams (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text        NOT NULL UNIQUE,
    auto_assign boolean     NOT NULL DEFAULT false,
    is_default  boolean     NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);

-- At most one default team.
CREATE UNIQUE INDEX teams_one_default_idx ON teams (is_default) WHERE is_default;

CREATE TABLE team_members (
    team_id  bigint NOT NULL REFERENCES teams (id),
    staff_id bigint NOT NULL REFERENCES staff (id),
    PRIMARY KEY (team_id, staff_id)
);

CREATE INDEX team_members_staff_id_idx ON team_members (staff_id, team_id);

CREATE TABLE routing_rules (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    position   integer     NOT NULL,
    kind       text        NOT NULL CHECK (kind IN ('category', 'keyword', 'merchant')),
    pattern    text        NOT NULL,
    team_id    bigint      NOT NULL REFERENCES teams (id),
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);

ALTER TABLE cases ADD COLUMN team_id bigint REFERENCES teams (id);

-- A team's queue, newest first, like the assignee and category indexes.
CREATE INDEX cases_team_id_created_at_idx ON cases (team_id, created_at, id, status);

UPDATE cases SET subcategory = trim(category)
WHERE subcategory = '' AND trim(category) IN (
    '电视机', '电冰箱', '空调器', '洗衣机', '热水器', '厨房电器', '小家电', '手机',
    '电脑及配件', '音像及摄影器材', '化妆品', '家具', '洗涤及卫生用品', '日用杂品', '儿童用品', '宠物用品',
    '服装', '鞋', '帽子及服饰配件', '箱包', '米面粮油', '肉禽蛋奶及水产品', '蔬菜水果', '预包装食品',
    '保健食品', '婴幼儿配方食品', '汽车及零部件', '新能源汽车', '电动自行车', '摩托车', '自行车', '商品房',
    '二手房', '建筑材料', '装饰装修材料', '酒类', '饮料', '茶叶', '烟草制品', '金银珠宝首饰',
    '钟表眼镜', '文具及办公用品', '体育用品及器材', '玩具', '乐器', '药品', '医疗器械', '保健用品',
    '种子', '化肥', '农药', '农机具', '饲料', '美容美发', '餐饮服务', '住宿服务',
    '家政服务', '洗涤染色服务', '摄影服务', '维修服务', '婚庆服务', '殡葬服务', '网络接入服务', '网络游戏服务',
    '网络直播服务', '在线视听服务', '应用软件及会员服务', '学科类培训', '职业技能培训', '驾驶员培训', '早教及素质教育', '在线教育',
    '移动电话服务', '固定电话服务', '宽带服务', '增值电信服务', '网络购物', '直播带货', '电视购物', '电话及邮购',
    '上门推销', '预付卡消费', '家庭装修', '物业服务', '房屋中介', '银行卡服务', '贷款服务', '理财服务',
    '证券期货服务', '第三方支付', '人身保险', '健康保险', '财产保险', '机动车辆保险', '健身服务', '文艺演出',
    '影院及娱乐场所', '体育场馆服务', '游乐场所', '旅行社服务', '景区服务', '在线旅游平台', '导游服务', '快递服务',
    '邮政服务', '供水', '供电', '供气', '供热', '公共交通', '医疗服务', '医疗美容',
    '口腔服务', '保健服务');

UPDATE cases SET category = CASE
    WHEN trim(category) IN (
        '家用电子电器', '日用商品', '服装鞋帽', '食品', '交通工具', '房屋及建材', '烟酒和饮料', '首饰及文体用品',
        '医药及医疗用品', '农用生产资料', '生活社会服务', '互联网服务', '教育培训服务', '电信服务', '销售服务', '房屋装修及物业服务',
        '金融服务', '保险服务', '文化娱乐体育服务', '旅游服务', '邮政业服务', '公共设施服务', '卫生保健服务', '其他') THEN trim(category)
    WHEN trim(category) IN ('家用电子电器类', '家用电器', '电视机', '电冰箱', '空调器', '洗衣机', '热水器', '厨房电器',
    '小家电', '手机', '电脑及配件', '音像及摄影器材')
        THEN '家用电子电器'
    WHEN trim(category) IN ('日用商品类', '化妆品', '家具', '洗涤及卫生用品', '日用杂品', '儿童用品', '宠物用品')
        THEN '日用商品'
    WHEN trim(category) IN ('服装鞋帽类', '服装', '鞋', '帽子及服饰配件', '箱包')
        THEN '服装鞋帽'
    WHEN trim(category) IN ('食品类', '米面粮油', '肉禽蛋奶及水产品', '蔬菜水果', '预包装食品', '保健食品', '婴幼儿配方食品')
        THEN '食品'
    WHEN trim(category) IN ('交通工具类', '汽车', '汽车/交通工具', '汽车及零部件', '新能源汽车', '电动自行车', '摩托车', '自行车')
        THEN '交通工具'
    WHEN trim(category) IN ('房屋及建材类', '商品房', '二手房', '建筑材料', '装饰装修材料')
        THEN '房屋及建材'
    WHEN trim(category) IN ('烟酒和饮料类', '烟、酒和饮料', '酒类', '饮料', '茶叶', '烟草制品')
        THEN '烟酒和饮料'
    WHEN trim(category) IN ('首饰及文体用品类', '金银珠宝首饰', '钟表眼镜', '文具及办公用品', '体育用品及器材', '玩具', '乐器')
        THEN '首饰及文体用品'
    WHEN trim(category) IN ('医药及医疗用品类', '药品', '医疗器械', '保健用品')
        THEN '医药及医疗用品'
    WHEN trim(category) IN ('农用生产资料类', '种子', '化肥', '农药', '农机具', '饲料')
        THEN '农用生产资料'
    WHEN trim(category) IN ('生活社会服务类', '美容美发', '餐饮服务', '住宿服务', '家政服务', '洗涤染色服务', '摄影服务', '维修服务',
    '婚庆服务', '殡葬服务')
        THEN '生活社会服务'
    WHEN trim(category) IN ('互联网服务类', '网络接入服务', '网络游戏服务', '网络直播服务', '在线视听服务', '应用软件及会员服务')
        THEN '互联网服务'
    WHEN trim(category) IN ('教育培训服务类', '学科类培训', '职业技能培训', '驾驶员培训', '早教及素质教育', '在线教育')
        THEN '教育培训服务'
    WHEN trim(category) IN ('电信服务类', '移动电话服务', '固定电话服务', '宽带服务', '增值电信服务')
        THEN '电信服务'
    WHEN trim(category) IN ('销售服务类', '网络购物', '直播带货', '电视购物', '电话及邮购', '上门推销', '预付卡消费')
        THEN '销售服务'
    WHEN trim(category) IN ('房屋装修及物业服务类', '家庭装修', '物业服务', '房屋中介')
        THEN '房屋装修及物业服务'
    WHEN trim(category) IN ('金融服务类', '银行卡服务', '贷款服务', '理财服务', '证券期货服务', '第三方支付')
        THEN '金融服务'
    WHEN trim(category) IN ('保险服务类', '人身保险', '健康保险', '财产保险', '机动车辆保险')
        THEN '保险服务'
    WHEN trim(category) IN ('文化娱乐体育服务类', '健身服务', '文艺演出', '影院及娱乐场所', '体育场馆服务', '游乐场所')
        THEN '文化娱乐体育服务'
    WHEN trim(category) IN ('旅游服务类', '旅行社服务', '景区服务', '在线旅游平台', '导游服务')
        THEN '旅游服务'
    WHEN trim(category) IN ('邮政业服务类', '快递服务', '邮政服务')
        THEN '邮政业服务'
    WHEN trim(category) IN ('公共设施服务类', '供水', '供电', '供气', '供热', '公共交通')
        THEN '公共设施服务'
    WHEN trim(category) IN ('卫生保健服务类', '医疗服务', '医疗美容', '口腔服务', '保健服务')
        THEN '卫生保健服务'
    ELSE '其他' END
WHERE category NOT IN (
    '家用电子电器', '日用商品', '服装鞋帽', '食品', '交通工具', '房屋及建材', '烟酒和饮料', '首饰及文体用品',
    '医药及医疗用品', '农用生产资料', '生活社会服务', '互联网服务', '教育培训服务', '电信服务', '销售服务', '房屋装修及物业服务',
    '金融服务', '保险服务', '文化娱乐体育服务', '旅游服务', '邮政业服务', '公共设施服务', '卫生保健服务', '其他');

-- +goose Down
DROP INDEX cases_team_id_created_at_idx;
ALTER TABLE cases DROP COLUMN team_id;
DROP TABLE routing_rules;
DROP TABLE team_members;
DROP TABLE teams;

package storage

import (
	"context"
	"slices"
	"strings"
)

// The classification of a complaint, as the China Consumers Association counts
// complaints in its statistics: a two-level category of goods (商品类) or services
// (服务类), and the nature of the complaint (投诉性质).
//
// Source: level 1 is the CCA's list of goods and service classes (商品大类, 服务大类)
// used in its half-yearly and yearly analyses of the complaints consumer
// associations received (全国消协组织受理投诉情况分析). Level 2 follows the goods and
// services those analyses name inside each class (具体商品、具体服务); the CCA does
// not publish one fixed second-level list, so ours is a faithful selection of them,
// each class ending with 其他 for whatever fits no named subcategory.

// Category groups.
const (
	CategoryGroupGoods    = "商品类"
	CategoryGroupServices = "服务类"
	CategoryGroupOther    = "其他类"
)

// CategoryOther is the level-1 category (and the last subcategory of each
// category) for what fits nothing named.
const CategoryOther = "其他"

// Category is one level-1 category with its subcategories.
type Category struct {
	Name          string   // the level-1 name, as stored in cases.category
	Group         string   // CategoryGroupGoods, CategoryGroupServices or CategoryGroupOther
	Subcategories []string // level 2, as stored in cases.subcategory; ends with 其他
}

// categoryTree is the tree in the CCA's order: goods, then services, then 其他.
var categoryTree = []Category{
	{"家用电子电器", CategoryGroupGoods, []string{"电视机", "电冰箱", "空调器", "洗衣机", "热水器", "厨房电器", "小家电", "手机", "电脑及配件", "音像及摄影器材", CategoryOther}},
	{"日用商品", CategoryGroupGoods, []string{"化妆品", "家具", "洗涤及卫生用品", "日用杂品", "儿童用品", "宠物用品", CategoryOther}},
	{"服装鞋帽", CategoryGroupGoods, []string{"服装", "鞋", "帽子及服饰配件", "箱包", CategoryOther}},
	{"食品", CategoryGroupGoods, []string{"米面粮油", "肉禽蛋奶及水产品", "蔬菜水果", "预包装食品", "保健食品", "婴幼儿配方食品", CategoryOther}},
	{"交通工具", CategoryGroupGoods, []string{"汽车及零部件", "新能源汽车", "电动自行车", "摩托车", "自行车", CategoryOther}},
	{"房屋及建材", CategoryGroupGoods, []string{"商品房", "二手房", "建筑材料", "装饰装修材料", CategoryOther}},
	{"烟酒和饮料", CategoryGroupGoods, []string{"酒类", "饮料", "茶叶", "烟草制品", CategoryOther}},
	{"首饰及文体用品", CategoryGroupGoods, []string{"金银珠宝首饰", "钟表眼镜", "文具及办公用品", "体育用品及器材", "玩具", "乐器", CategoryOther}},
	{"医药及医疗用品", CategoryGroupGoods, []string{"药品", "医疗器械", "保健用品", CategoryOther}},
	{"农用生产资料", CategoryGroupGoods, []string{"种子", "化肥", "农药", "农机具", "饲料", CategoryOther}},
	{"生活社会服务", CategoryGroupServices, []string{"美容美发", "餐饮服务", "住宿服务", "家政服务", "洗涤染色服务", "摄影服务", "维修服务", "婚庆服务", "殡葬服务", CategoryOther}},
	{"互联网服务", CategoryGroupServices, []string{"网络接入服务", "网络游戏服务", "网络直播服务", "在线视听服务", "应用软件及会员服务", CategoryOther}},
	{"教育培训服务", CategoryGroupServices, []string{"学科类培训", "职业技能培训", "驾驶员培训", "早教及素质教育", "在线教育", CategoryOther}},
	{"电信服务", CategoryGroupServices, []string{"移动电话服务", "固定电话服务", "宽带服务", "增值电信服务", CategoryOther}},
	{"销售服务", CategoryGroupServices, []string{"网络购物", "直播带货", "电视购物", "电话及邮购", "上门推销", "预付卡消费", CategoryOther}},
	{"房屋装修及物业服务", CategoryGroupServices, []string{"家庭装修", "物业服务", "房屋中介", CategoryOther}},
	{"金融服务", CategoryGroupServices, []string{"银行卡服务", "贷款服务", "理财服务", "证券期货服务", "第三方支付", CategoryOther}},
	{"保险服务", CategoryGroupServices, []string{"人身保险", "健康保险", "财产保险", "机动车辆保险", CategoryOther}},
	{"文化娱乐体育服务", CategoryGroupServices, []string{"健身服务", "文艺演出", "影院及娱乐场所", "体育场馆服务", "游乐场所", CategoryOther}},
	{"旅游服务", CategoryGroupServices, []string{"旅行社服务", "景区服务", "在线旅游平台", "导游服务", CategoryOther}},
	{"邮政业服务", CategoryGroupServices, []string{"快递服务", "邮政服务", CategoryOther}},
	{"公共设施服务", CategoryGroupServices, []string{"供水", "供电", "供气", "供热", "公共交通", CategoryOther}},
	{"卫生保健服务", CategoryGroupServices, []string{"医疗服务", "医疗美容", "口腔服务", "保健服务", CategoryOther}},
	{CategoryOther, CategoryGroupOther, []string{CategoryOther}},
}

// natures are the natures of a complaint (投诉性质) the CCA counts, 其他 last.
var natures = []string{"质量", "安全", "价格", "计量", "假冒", "合同", "虚假宣传", "人格尊严", "售后服务", CategoryOther}

// Categories returns the category tree, level 1 in the CCA's order. The caller
// owns the copy.
func Categories() []Category {
	out := make([]Category, len(categoryTree))
	for i, c := range categoryTree {
		c.Subcategories = slices.Clone(c.Subcategories)
		out[i] = c
	}
	return out
}

// CategoryNames returns the level-1 names, in the CCA's order.
func CategoryNames() []string {
	out := make([]string, len(categoryTree))
	for i, c := range categoryTree {
		out[i] = c.Name
	}
	return out
}

// FindCategory returns the level-1 category with the name, or false.
func FindCategory(name string) (Category, bool) {
	for _, c := range categoryTree {
		if c.Name == name {
			c.Subcategories = slices.Clone(c.Subcategories)
			return c, true
		}
	}
	return Category{}, false
}

// Natures returns the natures of a complaint (投诉性质), 其他 last.
func Natures() []string { return slices.Clone(natures) }

// categoryAliases are names that reached cases before the tree, or that people
// use, for a level-1 category: the CCA's own spelling with 类 appended is handled
// by CategoryOf.
var categoryAliases = map[string]string{
	"汽车":      "交通工具",
	"汽车/交通工具": "交通工具",
	"烟、酒和饮料":  "烟酒和饮料",
	"家用电器":    "家用电子电器",
}

// CategoryOf is the rule that maps any category a case was filed with onto the
// tree's level 1: a level-1 name maps to itself (also written with the CCA's
// trailing 类, "食品类"); a known alias (汽车 → 交通工具) to its category; a level-2
// name that belongs to exactly one category to that category; anything else to
// 其他. The chat only ever offered level-1 names, so a case it filed keeps its
// category; migration 00010 applies the same rule to what else is stored.
func CategoryOf(value string) string {
	v := strings.TrimSpace(value)
	if _, ok := FindCategory(v); ok {
		return v
	}
	if trimmed, ok := strings.CutSuffix(v, "类"); ok {
		if _, ok := FindCategory(trimmed); ok {
			return trimmed
		}
	}
	if c, ok := categoryAliases[v]; ok {
		return c
	}
	var parents []string
	for _, c := range categoryTree {
		if v != CategoryOther && slices.Contains(c.Subcategories, v) {
			parents = append(parents, c.Name)
		}
	}
	if len(parents) == 1 {
		return parents[0]
	}
	return CategoryOther
}

// Classification is a case's category, subcategory and nature as staff set them.
type Classification struct {
	Category    string // level 1; required
	Subcategory string // level 2 of Category, or "" when not yet decided
	Nature      string // one of Natures, or "" when not yet decided
}

// Validate checks the classification against the tree: EINVALID for an unknown
// category, a subcategory not under it, or an unknown nature.
func (cl *Classification) Validate() error {
	c, ok := FindCategory(cl.Category)
	switch {
	case !ok:
		return Errorf(EINVALID, "没有“%s”这个投诉类别", cl.Category)
	case cl.Subcategory != "" && !slices.Contains(c.Subcategories, cl.Subcategory):
		return Errorf(EINVALID, "“%s”不是“%s”下的细类", cl.Subcategory, cl.Category)
	case cl.Nature != "" && !slices.Contains(natures, cl.Nature):
		return Errorf(EINVALID, "没有“%s”这个投诉性质", cl.Nature)
	}
	return nil
}

// Reclassification is a staff member's change of a case's classification.
type Reclassification struct {
	CaseID int64
	Classification
	By By
}

// ClassificationStore lets staff re-classify cases.
type ClassificationStore interface {
	// ReclassifyCase sets the case's category, subcategory and nature, appends a
	// note to its timeline and audits the change (old → new) in one transaction.
	// Setting what the case already has changes nothing. EINVALID for a
	// classification outside the tree or a missing actor; ENOTFOUND for an
	// unknown case.
	ReclassifyCase(ctx context.Context, rc Reclassification) (*Case, error)
}

package storage

import (
	"slices"
	"testing"
)

func TestCategoryTreeIsTheCCAList(t *testing.T) {
	names := CategoryNames()
	if len(names) != 24 || names[len(names)-1] != CategoryOther {
		t.Fatalf("level 1 = %v; want the CCA's 23 classes and 其他", names)
	}
	groups := map[string]int{}
	for _, c := range Categories() {
		groups[c.Group]++
		if n := len(c.Subcategories); n == 0 || c.Subcategories[n-1] != CategoryOther {
			t.Errorf("%s: subcategories %v do not end with 其他", c.Name, c.Subcategories)
		}
	}
	if groups[CategoryGroupGoods] != 10 || groups[CategoryGroupServices] != 13 {
		t.Errorf("groups = %v; want 10 goods and 13 services", groups)
	}
	for _, want := range []string{"交通工具", "金融服务", "房屋装修及物业服务"} {
		if !slices.Contains(names, want) {
			t.Errorf("level 1 lacks %s", want)
		}
	}
	c := Categories()
	c[0].Subcategories[0] = "changed"
	if Categories()[0].Subcategories[0] == "changed" {
		t.Error("Categories exposes the tree")
	}
}

func TestCategoryOfMapsOldValues(t *testing.T) {
	for in, want := range map[string]string{
		"食品": "食品", " 食品 ": "食品", "食品类": "食品", "汽车": "交通工具", "汽车/交通工具": "交通工具",
		"烟、酒和饮料": "烟酒和饮料", "手机": "家用电子电器", "网络购物": "销售服务",
		"食品安全": "其他", "": "其他", "其他": "其他",
	} {
		if got := CategoryOf(in); got != want {
			t.Errorf("CategoryOf(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClassificationValidate(t *testing.T) {
	for _, ok := range []Classification{
		{Category: "交通工具"}, {Category: "交通工具", Subcategory: "汽车及零部件", Nature: "质量"},
		{Category: "其他", Subcategory: "其他", Nature: "其他"},
	} {
		if err := ok.Validate(); err != nil {
			t.Errorf("%+v: %v", ok, err)
		}
	}
	for _, bad := range []Classification{
		{}, {Category: "汽车"}, {Category: "食品", Subcategory: "手机"}, {Category: "食品", Nature: "服务态度"},
	} {
		if ErrorCode(bad.Validate()) != EINVALID {
			t.Errorf("%+v: accepted", bad)
		}
	}
}

func TestRouteCase(t *testing.T) {
	rules := []*RoutingRule{
		{ID: 1, Kind: RuleMerchant, Pattern: "BMW，奔驰", TeamID: 10},
		{ID: 2, Kind: RuleKeyword, Pattern: "贷款|信用卡", TeamID: 20},
		{ID: 3, Kind: RuleCategory, Pattern: "交通工具", TeamID: 10},
	}
	for _, tc := range []struct {
		nc   NewCase
		team int64
		rule int64
	}{
		{NewCase{MerchantName: "某bmw 4S店", Category: "其他"}, 10, 1},
		{NewCase{MerchantName: "某银行", Description: "信用卡年费", Category: "金融服务"}, 20, 2},
		{NewCase{MerchantName: "某车行", Category: "汽车"}, 10, 3}, // an alias maps to its category
		{NewCase{MerchantName: "超市", Description: "过期", Category: "食品"}, 99, 0},
	} {
		team, rule := RouteCase(rules, &tc.nc, 99)
		var id int64
		if rule != nil {
			id = rule.ID
		}
		if team != tc.team || id != tc.rule {
			t.Errorf("%+v: team %d by rule %d, want %d by %d", tc.nc, team, id, tc.team, tc.rule)
		}
	}
}

func TestNewRoutingRuleValidate(t *testing.T) {
	for _, bad := range []NewRoutingRule{
		{Kind: "other", Pattern: "x", TeamID: 1},
		{Kind: RuleKeyword, Pattern: " ", TeamID: 1},
		{Kind: RuleKeyword, Pattern: "，、", TeamID: 1},
		{Kind: RuleCategory, Pattern: "汽车", TeamID: 1},
		{Kind: RuleMerchant, Pattern: "银行"},
	} {
		if ErrorCode(bad.Validate()) != EINVALID {
			t.Errorf("%+v: accepted", bad)
		}
	}
	ok := NewRoutingRule{Kind: RuleKeyword, Pattern: " 4S店 ", TeamID: 1}
	if err := ok.Validate(); err != nil || ok.Pattern != "4S店" {
		t.Errorf("%+v: %v", ok, err)
	}
}

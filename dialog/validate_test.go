package dialog

import (
	"strings"
	"testing"
	"time"
)

// testNow is a Wednesday morning in China; every test uses it as "now".
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, shanghai)

func TestParseMobile(t *testing.T) {
	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"13800138000", "13800138000", true},
		{" 138 0013 8000 ", "13800138000", true},
		{"138-0013-8000", "13800138000", true},
		{"+86 13800138000", "13800138000", true},
		{"8613800138000", "13800138000", true},
		{"0086 138 0013 8000", "13800138000", true},
		{"(+86)138-0013-8000", "13800138000", true},
		{"１３８００１３８０００", "13800138000", true},
		{"19912345678", "19912345678", true},
		{"12800138000", "", false},  // second digit must be 3-9
		{"1380013800", "", false},   // 10 digits
		{"138001380001", "", false}, // 12 digits
		{"23800138000", "", false},
		{"0755-12345678", "", false}, // a landline
		{"138oo138000", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, ok := ParseMobile(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("ParseMobile(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseAmountFen(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		why  amountProblem
	}{
		{"3999", 399900, amountOK},
		{"3999.5元", 399950, amountOK},
		{"3999.50", 399950, amountOK},
		{"¥200", 20000, amountOK},
		{"￥200", 20000, amountOK},
		{"200块", 20000, amountOK},
		{"200块钱", 20000, amountOK},
		{"人民币 88 元", 8800, amountOK},
		{"1,299.00", 129900, amountOK},
		{"1，299", 129900, amountOK}, // full-width comma
		{"３９９９．５", 399950, amountOK},
		{"0.01", 1, amountOK},
		{"3999.500", 399950, amountOK}, // trailing zeros are still exact
		{"100000000", MaxAmountFen, amountOK},
		{"0", 0, amountZero},
		{"0.00元", 0, amountZero},
		{"3999.505", 0, amountDecimals},
		{"1.234", 0, amountDecimals},
		{"100000000.01", 0, amountTooLarge},
		{"99999999999999999999", 0, amountTooLarge},
		{"-200", 0, amountFormat},
		{"3,99", 0, amountFormat}, // not a thousands separator
		{"两百", 0, amountFormat},
		{"abc", 0, amountFormat},
		{"3999.", 0, amountFormat},
		{"", 0, amountFormat},
	}
	for _, tc := range tests {
		got, why := parseAmount(tc.in)
		if got != tc.want || why != tc.why {
			t.Errorf("parseAmount(%q) = %d, %v; want %d, %v", tc.in, got, why, tc.want, tc.why)
		}
		if fen, ok := ParseAmountFen(tc.in); ok != (tc.why == amountOK) || fen != tc.want {
			t.Errorf("ParseAmountFen(%q) = %d, %v", tc.in, fen, ok)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in   string
		want string
		why  dateProblem
	}{
		{"2026-11-20", "2026-11-20", dateOK},
		{"2026/11/20", "2026-11-20", dateOK},
		{"2026.11.20", "2026-11-20", dateOK},
		{"2026-1-5", "2026-01-05", dateOK},
		{"20261120", "2026-11-20", dateOK},
		{"2026年11月20日", "2026-11-20", dateOK},
		{"2026 年 11 月 20 号", "2026-11-20", dateOK},
		{"２０２６－１１－２０", "2026-11-20", dateOK},
		{"11月20日", "2026-11-20", dateOK},
		{"11-20", "2026-11-20", dateOK},
		{"11月30日", "2025-11-30", dateOK}, // would be in the future: last year
		{"12-01", "2025-12-01", dateOK},
		{"今天", "2026-11-25", dateOK},
		{"昨天", "2026-11-24", dateOK},
		{"前天", "2026-11-23", dateOK},
		{"2026-11-25", "2026-11-25", dateOK},
		{"1990-01-01", "1990-01-01", dateOK},
		{"2026-11-26", "", dateFuture},
		{"2027-01-01", "", dateFuture},
		{"1989-12-31", "", dateTooOld},
		{"2026-02-30", "", dateFormat},
		{"2026-13-01", "", dateFormat},
		{"明天", "", dateFormat},
		{"上个月", "", dateFormat},
		{"2026-11", "", dateFormat},
		{"", "", dateFormat},
	}
	for _, tc := range tests {
		got, why := parseDate(tc.in, testNow)
		if got != tc.want || why != tc.why {
			t.Errorf("parseDate(%q) = %q, %v; want %q, %v", tc.in, got, why, tc.want, tc.why)
		}
		if d, ok := ParseDate(tc.in, testNow); ok != (tc.why == dateOK) || d != tc.want {
			t.Errorf("ParseDate(%q) = %q, %v", tc.in, d, ok)
		}
	}
}

// TestParseDateUsesChinaDay checks that "today" is China's day, not the host's or
// UTC's: 2026-11-25 20:00 UTC is already the 26th in Shanghai.
func TestParseDateUsesChinaDay(t *testing.T) {
	now := time.Date(2026, 11, 25, 20, 0, 0, 0, time.UTC)
	for in, want := range map[string]string{"今天": "2026-11-26", "2026-11-26": "2026-11-26"} {
		if got, ok := ParseDate(in, now); !ok || got != want {
			t.Errorf("ParseDate(%q) at %v = %q, %v; want %q", in, now, got, ok, want)
		}
	}
}

func TestValidLimitCheck(t *testing.T) {
	tests := []struct {
		limit Limit
		in    string
		want  string
		ok    bool
	}{
		{MerchantNameLimit, "  某某店 ", "某某店", true},
		{MerchantNameLimit, "某", "某", false},
		{MerchantNameLimit, "\u3000某某店\u3000", "某某店", true}, // ideographic spaces
		{MerchantNameLimit, strings.Repeat("店", 60), strings.Repeat("店", 60), true},
		{MerchantNameLimit, strings.Repeat("店", 61), strings.Repeat("店", 61), false},
		{MerchantAddressLimit, strings.Repeat("路", 121), strings.Repeat("路", 121), false},
		{DescriptionLimit, "冰箱不制冷了商家不管", "冰箱不制冷了商家不管", true},
		{DescriptionLimit, "冰箱坏了", "冰箱坏了", false},
		{DescriptionLimit, strings.Repeat("字", 1001), strings.Repeat("字", 1001), false},
		{NameLimit, "张三", "张三", true},
		{NameLimit, "张", "张", false},
		{NameLimit, strings.Repeat("名", 31), strings.Repeat("名", 31), false},
		{DemandLimit, strings.Repeat("赔", 101), strings.Repeat("赔", 101), false},
	}
	for _, tc := range tests {
		got, ok := tc.limit.Check(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%v.Check(%q) = %q, %v; want %q, %v", tc.limit, tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestParseChoice(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"1", 1, true}, {"１２", 12, true}, {" 3 ", 3, true}, {"七", 7, true},
		{"十一", 11, true}, {"0", 0, false}, {"-1", -1, false}, {"1234", 0, false}, {"a", 0, false},
	}
	for _, tc := range tests {
		got, ok := parseChoice(tc.in)
		if ok != tc.ok || (ok && got != tc.want) {
			t.Errorf("parseChoice(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

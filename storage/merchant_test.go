package storage

import (
	"strings"
	"testing"
	"time"
)

// Codes published by the companies themselves (business licences, annual
// reports); their check digits are what GB 32100-2015 computes.
var publishedCreditCodes = map[string]string{
	"腾讯科技（深圳）有限公司": "9144030071526726XG",
	"华为技术有限公司":     "914403001922038216",
	"小米科技有限责任公司":   "91110108558521630L",
	"中国石油化工股份有限公司": "91110000710926094P",
	"北京百度网讯科技有限公司": "91110000802100433B",
}

func TestValidCreditCodePublished(t *testing.T) {
	for name, code := range publishedCreditCodes {
		if !ValidCreditCode(code) {
			t.Errorf("%s: ValidCreditCode(%s) = false", name, code)
		}
	}
}

func TestValidCreditCodeRefusesWrongCheckDigit(t *testing.T) {
	for _, code := range publishedCreditCodes {
		for _, c := range creditCodeChars {
			if byte(c) == code[17] {
				continue
			}
			if wrong := code[:17] + string(c); ValidCreditCode(wrong) {
				t.Errorf("ValidCreditCode(%s) = true, check digit should be %c", wrong, code[17])
			}
		}
	}
	for _, bad := range []string{"", "9144030071526726X", "9144030071526726XGX",
		"9144030071526726xg", "91440300715267I6XG", "９144030071526726XG"} {
		if ValidCreditCode(bad) {
			t.Errorf("ValidCreditCode(%q) = true", bad)
		}
	}
}

func TestMerchantKeyFoldsWhatPeopleType(t *testing.T) {
	pairs := [][2]string{
		{"ＡＢＣ 超市（人民路店）", "abc超市(人民路店)"},
		{" 好又多超市 ", "好又多超市"},
		{"Apple Store", "applestore"},
	}
	for _, p := range pairs {
		if MerchantKey(p[0]) != MerchantKey(p[1]) {
			t.Errorf("MerchantKey(%q) = %q, MerchantKey(%q) = %q", p[0], MerchantKey(p[0]), p[1], MerchantKey(p[1]))
		}
	}
}

func TestMerchantSimilarity(t *testing.T) {
	same := MerchantSimilarity(MerchantKey("好又多超市"), MerchantKey("好又多超市"))
	close := MerchantSimilarity(MerchantKey("好又多超市人民路店"), MerchantKey("好又多超市"))
	far := MerchantSimilarity(MerchantKey("华润万家"), MerchantKey("好又多超市"))
	if same != 1 || close < MerchantSuggestThreshold || far != 0 {
		t.Fatalf("same %v, close %v, far %v", same, close, far)
	}
}

func TestMerchantInputValidate(t *testing.T) {
	ok := MerchantInput{Name: " 华为 ", CreditCode: " 914403001922038216 ", Aliases: []string{"华为", " 华为终端 ", "华为终端", ""}}
	ok.Normalise()
	if err := ok.Validate(); err != nil || ok.Name != "华为" || len(ok.Aliases) != 1 || ok.Aliases[0] != "华为终端" {
		t.Fatalf("normalised %+v, err %v", ok, err)
	}
	for name, in := range map[string]MerchantInput{
		"no name":       {Name: " "},
		"bad code":      {Name: "x", CreditCode: "914403001922038217"},
		"platform date": {Name: "x", OnPlatform: true, PlatformSince: "2026-13-01"},
		"long name":     {Name: strings.Repeat("长", MaxMerchantNameRunes+1)},
	} {
		in.Normalise()
		if ErrorCode(in.Validate()) != EINVALID {
			t.Errorf("%s: Validate() = %v, want EINVALID", name, in.Validate())
		}
	}
}

func TestMerchantCaseStatsRates(t *testing.T) {
	s := MerchantCaseStats{Concluded: 4, Settled: 3, Referrals: 2, ResponseTotal: 6 * time.Hour}
	if s.SettlementRate() != 0.75 || s.AverageResponse() != 3*time.Hour {
		t.Fatalf("rate %v, average %v", s.SettlementRate(), s.AverageResponse())
	}
	if (MerchantCaseStats{}).SettlementRate() != 0 || (MerchantCaseStats{}).AverageResponse() != 0 {
		t.Fatal("empty stats should be 0")
	}
}

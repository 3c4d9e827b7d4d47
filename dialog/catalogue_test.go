package dialog

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// testSettings are a plausible association's details.
var testSettings = Settings{OrgName: "某市消费者委员会", Hotline: "0755-12315", ServiceHours: "工作日 9:00-17:00"}

func mustCatalogue(t testing.TB, s Settings) *Catalogue {
	t.Helper()
	c, err := NewCatalogue(s)
	if err != nil {
		t.Fatalf("NewCatalogue: %v", err)
	}
	return c
}

func testCases() []*storage.Case {
	return []*storage.Case{
		{
			Number: "TS-2026-000123", Status: storage.StatusSubmitted, Category: "家用电子电器",
			MerchantName: "某某电器有限公司", PurchaseDate: "2026-11-20", AmountFen: 399950,
			Demand: "退款", ComplainantName: "张三", Phone: "13800138000",
			CreatedAt: time.Date(2026, 11, 24, 17, 30, 0, 0, time.UTC), // 25th in China
		},
		{
			Number: "TS-2026-000045", Status: storage.StatusMediating, Category: "食品",
			MerchantName: "某某超市", ComplainantName: "张三", Phone: "13800138000",
			CreatedAt: time.Date(2026, 10, 2, 9, 0, 0, 0, shanghai),
		},
	}
}

func TestCatalogueEngineMessages(t *testing.T) {
	c := mustCatalogue(t, testSettings)
	cases := testCases()
	tests := []struct {
		name    string
		got     string
		want    []string
		notWant []string
	}{
		{"welcome", c.Welcome(), []string{"某市消费者委员会", "投诉", "查询", "姓名和手机号码会提供给被投诉商家", "0755-12315", "工作日 9:00-17:00"}, nil},
		{"help", c.Help(), []string{"上一步", "修改 N", "重新开始", "取消", "查询 编号", "补充 编号", "撤回 编号", "满意 / 基本满意 / 不满意", "0755-12315"}, nil},
		{"unsupported", c.Unsupported(), []string{"无法处理", "文字、照片或语音"}, nil},
		{"submitted", c.Submitted(cases[0]), []string{"提交成功", "TS-2026-000123", "7个工作日", "查询"}, []string{"张三", "13800138000"}},
		{"list", c.CaseList(cases), []string{
			"共2件", "TS-2026-000123｜待受理", "某某电器有限公司", "提交日期：2026-11-25",
			"TS-2026-000045｜调解中", "某某超市", "2026-10-02", "查询 TS-2026-000123",
		}, []string{"张三", "13800138000"}},
		{"list skips nil", c.CaseList([]*storage.Case{nil, cases[1]}), []string{"共1件", "查询 TS-2026-000045"}, nil},
		{"empty list", c.CaseList(nil), []string{"您还没有投诉记录", "回复 投诉"}, []string{"共"}},
		{"detail", c.CaseDetail(cases[0]), []string{"TS-2026-000123", "待受理", "家用电子电器", "某某电器有限公司", "2026-11-20", "3,999.50元", "退款", "2026-11-25"}, []string{"张三", "13800138000"}},
		{"not found", c.CaseNotFound("TS-2026-000999"), []string{"TS-2026-000999", "没有找到", "回复 查询"}, nil},
	}
	for _, tc := range tests {
		for _, w := range tc.want {
			if !strings.Contains(tc.got, w) {
				t.Errorf("%s: missing %q in:\n%s", tc.name, w, tc.got)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(tc.got, w) {
				t.Errorf("%s: must not contain %q:\n%s", tc.name, w, tc.got)
			}
		}
	}
}

func TestCatalogueBusy(t *testing.T) {
	for _, s := range []Settings{{}, testSettings} {
		if got := mustCatalogue(t, s).Busy(); !strings.HasPrefix(got, "系统繁忙，请稍后再试") {
			t.Errorf("Busy() = %q", got)
		}
	}
}

// TestCatalogueWithoutSettings checks the zero Settings: a default name and no
// dangling hotline sentence.
func TestCatalogueWithoutSettings(t *testing.T) {
	c := mustCatalogue(t, Settings{})
	for name, got := range map[string]string{"welcome": c.Welcome(), "help": c.Help(), "busy": c.Busy()} {
		if strings.Contains(got, "电话") || strings.Contains(got, "致电") {
			t.Errorf("%s mentions a phone with no hotline configured:\n%s", name, got)
		}
	}
	if !strings.Contains(c.Welcome(), defaultOrgName) {
		t.Errorf("welcome lacks the default name: %s", c.Welcome())
	}
	var nilCat *Catalogue
	if nilCat.Welcome() != c.Welcome() {
		t.Error("a nil Catalogue does not speak the default wording")
	}
}

func TestCatalogueOverrides(t *testing.T) {
	tests := []struct {
		name      string
		overrides map[string]string
		wantErr   string // empty: must succeed
	}{
		{"valid", map[string]string{"welcome": "欢迎来到{{.Org}}，热线{{.Hotline}}", "case_not_found": "查无此件：{{.Number}}"}, ""},
		{"unknown keys are named", map[string]string{"welcome": "hi", "welcom": "x", "bye": "y"}, "bye, welcom"},
		{"parse error", map[string]string{"help": "帮助{{.Org"}, `"help"`},
		{"field the message lacks", map[string]string{"busy": "忙：{{.Number}}"}, `"busy"`},
		{"empty", map[string]string{"menu": "  "}, `"menu"`},
	}
	for _, tc := range tests {
		s := testSettings
		s.Overrides = tc.overrides
		c, err := NewCatalogue(s)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v; want it to mention %s", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if got := c.Welcome(); got != "欢迎来到某市消费者委员会，热线0755-12315" {
			t.Errorf("%s: Welcome() = %q", tc.name, got)
		}
		if got := c.CaseNotFound("TS-2026-000001"); got != "查无此件：TS-2026-000001" {
			t.Errorf("%s: CaseNotFound() = %q", tc.name, got)
		}
		if !strings.HasPrefix(c.Busy(), "系统繁忙") {
			t.Errorf("%s: an override changed another message: %q", tc.name, c.Busy())
		}
	}
}

// TestCatalogueOverrideReachesStep checks that Step speaks through the catalogue.
func TestCatalogueOverrideReachesStep(t *testing.T) {
	s := testSettings
	s.Overrides = map[string]string{"bad_phone": "号码不对：例如 13800138000"}
	env := testEnv(t)
	env.Catalogue = mustCatalogue(t, s)
	res := Step(stateAt(StagePhone), textIn("12345"), env)
	if len(res.Replies) != 1 || res.Replies[0] != "号码不对：例如 13800138000" {
		t.Errorf("replies = %q", res.Replies)
	}
}

func TestCatalogueCategories(t *testing.T) {
	c := mustCatalogue(t, testSettings)
	got := c.Categories()
	if len(got) < 10 || len(got) > 13 || got[len(got)-1] != "其他" {
		t.Fatalf("Categories() = %v; want about 10 ending with 其他", got)
	}
	for _, want := range []string{"家用电子电器", "食品", "互联网服务", "房屋装修及物业服务"} {
		if !slices.Contains(got, want) {
			t.Errorf("Categories() lacks %s", want)
		}
	}
	got[0] = "changed"
	if c.Categories()[0] == "changed" {
		t.Error("Categories() exposes the package's slice")
	}
}

func TestCatalogueMessageKeys(t *testing.T) {
	keys := MessageKeys()
	if !slices.IsSorted(keys) || !slices.Contains(keys, "welcome") || len(keys) != len(messages) {
		t.Errorf("MessageKeys() = %v", keys)
	}
}

func TestCatalogueFormatYuan(t *testing.T) {
	for fen, want := range map[int64]string{
		0: "0.00元", 1: "0.01元", 399950: "3,999.50元", 100: "1.00元",
		123456789: "1,234,567.89元", MaxAmountFen: "100,000,000.00元",
	} {
		if got := formatYuan(fen); got != want {
			t.Errorf("formatYuan(%d) = %q; want %q", fen, got, want)
		}
	}
}

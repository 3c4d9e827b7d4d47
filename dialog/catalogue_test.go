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
		{"welcome", c.Welcome(), []string{"某市消费者委员会", "投诉", "查询", "姓名和手机号码会提供给被投诉商家", "商家还可查看您提交的证据", "0755-12315", "工作日 9:00-17:00"}, nil},
		{"help", c.Help(), []string{"上一步", "修改 N", "重新开始", "取消", "查询 编号", "补充 编号", "撤回 编号", "满意 / 基本满意 / 不满意", "0755-12315"}, nil},
		{"unsupported", c.Unsupported(), []string{"无法处理", "文字、照片或语音"}, nil},
		{"submitted", c.Submitted(cases[0]), []string{"提交成功", "TS-2026-000123", "7个工作日", "查询"}, []string{"张三", "13800138000"}},
		{"list", c.CaseList(cases, nil), []string{
			"共2件", "TS-2026-000123｜待受理", "某某电器有限公司", "提交日期：2026-11-25",
			"TS-2026-000045｜调解中", "某某超市", "2026-10-02", "查询 TS-2026-000123",
		}, []string{"张三", "13800138000"}},
		{"list skips nil", c.CaseList([]*storage.Case{nil, cases[1]}, nil), []string{"共1件", "查询 TS-2026-000045"}, nil},
		{"empty list", c.CaseList(nil, nil), []string{"您还没有投诉记录", "回复 投诉"}, []string{"共"}},
		{"detail", c.CaseDetail(cases[0], nil), []string{"TS-2026-000123", "待受理", "家用电子电器", "某某电器有限公司", "2026-11-20", "3,999.50元", "退款", "2026-11-25"}, []string{"张三", "13800138000"}},
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
		{"renders empty", map[string]string{"menu": "{{/* 菜单 */}}"}, `"menu": renders as an empty message`},
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
	filed := map[string]bool{}
	for _, label := range got {
		cat, ok := c.CategoryOf(label)
		if _, inTree := storage.FindCategory(cat); !ok || !inTree {
			t.Errorf("%s files under %q, not a level-1 category", label, cat)
		}
		filed[cat] = true
	}
	for _, want := range []string{"家用电子电器", "食品", "交通工具", "金融服务", "互联网服务", "房屋装修及物业服务", "其他"} {
		if !filed[want] {
			t.Errorf("the short list files nothing under %s", want)
		}
	}
	if !slices.Contains(got, "汽车/交通工具") {
		t.Errorf("Categories() = %v; want 汽车/交通工具 as consumers say it", got)
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

// staffReply is a mediator's reply on case id.
func staffReply(id int64, body string, at time.Time) *storage.Event {
	return &storage.Event{CaseID: id, Kind: storage.EventStaffReply, Actor: "staff:1", Body: body, CreatedAt: at}
}

func TestCatalogueCaseReplies(t *testing.T) {
	c := mustCatalogue(t, testSettings)
	cases := testCases()
	cases[0].ID, cases[1].ID = 1, 2
	at := time.Date(2026, 11, 24, 17, 30, 0, 0, time.UTC) // 01:30 on the 25th in China
	long := strings.Repeat("甲", 59) + "乙丙丁" + strings.Repeat("戊", 600-62)

	list := c.CaseList(cases, map[int64]*storage.Event{1: staffReply(1, "请提供\n  购物小票。", at), 2: staffReply(2, long, at)})
	wantIn(t, "list", list,
		"提交日期：2026-11-25\n调解员最新回复（11-25 01:30）：请提供 购物小票。\n\nTS-2026-000045",
		"调解员最新回复（11-25 01:30）："+strings.Repeat("甲", 59)+"乙…")
	if strings.Contains(list, "丙") || strings.Count(list, "…") != 1 {
		t.Errorf("list: a long reply is not cut at %d characters, or a short one is:\n%s", listReplyMax, list)
	}
	if got := c.CaseList(cases, map[int64]*storage.Event{1: {CaseID: 1, Kind: storage.EventNote, Body: "内部备注"}, 2: staffReply(2, "  ", at)}); strings.Contains(got, "调解员") {
		t.Errorf("list shows a note or an empty reply:\n%s", got)
	}

	short := c.CaseDetail(cases[1], staffReply(2, "请提供\n购物小票。", at))
	wantIn(t, "short detail", short, "状态：调解中", "调解员最新回复（11-25 01:30）：\n请提供\n购物小票。",
		"直接发送文字、语音或照片", "补充 TS-2026-000045")
	if strings.Contains(short, "…") || strings.Contains(short, "共") {
		t.Errorf("a short reply is cut:\n%s", short)
	}
	cut := c.CaseDetail(cases[1], staffReply(2, long, at))
	shown := string([]rune(long)[:detailReplyMax])
	wantIn(t, "long detail", cut, shown+"…\n（回复共600字，这里只显示前400字，完整内容可致电 0755-12315 询问。）")
	if strings.Contains(cut, string([]rune(long)[:detailReplyMax+1])) {
		t.Errorf("detail shows more than %d characters of the reply", detailReplyMax)
	}
	final := *cases[1]
	final.Status = storage.StatusResolved
	if got := c.CaseDetail(&final, staffReply(2, "调解结束。", at)); !strings.Contains(got, "调解结束。") || strings.Contains(got, "直接发送") {
		t.Errorf("a final case shows its reply without how to answer:\n%s", got)
	}
	if got := c.CaseDetail(cases[1], nil); got != c.CaseDetail(cases[1], &storage.Event{Kind: storage.EventNote, Body: "备注"}) || strings.Contains(got, "调解员") {
		t.Errorf("detail without a reply:\n%s", got)
	}
}

func TestCatalogueCaseReplyOverrides(t *testing.T) {
	s := testSettings
	s.Overrides = map[string]string{"case_list_reply": "↳ {{.Time}} {{.Reply}}", "case_detail_reply": "回复：{{.Reply}}"}
	c := mustCatalogue(t, s)
	cases := testCases()
	cases[1].ID = 2
	at := time.Date(2026, 11, 24, 17, 30, 0, 0, time.UTC)
	wantIn(t, "list", c.CaseList(cases[1:], map[int64]*storage.Event{2: staffReply(2, "好的", at)}), "提交日期：2026-10-02\n↳ 11-25 01:30 好的")
	if got := c.CaseDetail(cases[1], staffReply(2, "好的", at)); !strings.HasSuffix(got, "\n\n回复：好的") {
		t.Errorf("detail override: %q", got)
	}
	s.Overrides = map[string]string{"case_list_reply": "{{.Number}}"}
	if _, err := NewCatalogue(s); err == nil || !strings.Contains(err.Error(), "case_list_reply") {
		t.Errorf("an override using a field the line lacks: %v", err)
	}
}

func TestCatalogueSetOrganisationChangesWhatConsumersRead(t *testing.T) {
	c, err := NewCatalogue(Settings{OrgName: "甲市消委会", Hotline: "12315", AcceptDays: 5})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.Welcome(), "甲市消委会") {
		t.Fatalf("welcome before: %q", c.Welcome())
	}
	c.SetOrganisation("乙市消费者委员会", "0710-1234567", "周一至周五 8:30-17:30")
	w := c.Welcome()
	if !strings.Contains(w, "乙市消费者委员会") || strings.Contains(w, "甲市消委会") || !strings.Contains(w, "0710-1234567") {
		t.Fatalf("welcome after: %q", w)
	}
	if got := c.Submitted(&storage.Case{Number: "TS-2026-000001"}); !strings.Contains(got, "5个工作日") {
		t.Fatalf("the deadline must survive a change of organisation: %q", got)
	}
}

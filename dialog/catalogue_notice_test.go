package dialog

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
)

func statusNotice(s storage.Status, reason string) *storage.Notification {
	return &storage.Notification{Kind: storage.NoticeStatusChange, CaseNumber: "TS-2026-000123",
		StatusLabel: s.Label(), Text: reason}
}

func TestCatalogueNotice(t *testing.T) {
	c := mustCatalogue(t, testSettings)
	tests := []struct {
		name    string
		n       *storage.Notification
		want    []string
		notWant []string
	}{
		// Back from 待补正: the limit already ran, so the whole of it is not promised again.
		{"submitted", statusNotice(storage.StatusSubmitted, ""), []string{"有新进展：待受理", "决定是否受理", "不计入受理期限"}, []string{"7个工作日"}},
		{"accepted", statusNotice(storage.StatusAccepted, ""), []string{"TS-2026-000123 有新进展：已受理", "调解", "45个工作日"}, []string{"原因"}},
		{"rejected", statusNotice(storage.StatusRejected, "不属于本会受理范围"), []string{"不予受理", "原因：不属于本会受理范围", "0755-12315"}, nil},
		{"mediating", statusNotice(storage.StatusMediating, ""), []string{"调解中", "直接发送文字或照片"}, nil},
		{"referred", statusNotice(storage.StatusReferred, "金融纠纷调解中心"), []string{"已转办", "转办去向：金融纠纷调解中心", "处理结果会通知您"}, nil},
		{"resolved", statusNotice(storage.StatusResolved, ""), []string{"调解成功", "请您评价"}, nil},
		{"terminated", statusNotice(storage.StatusTerminated, "商家拒绝调解"), []string{"终止调解", "原因：商家拒绝调解", "仲裁", "0755-12315"}, nil},
		{"withdrawn", statusNotice(storage.StatusWithdrawn, ""), []string{"已撤回", "调解已终止"}, nil},
		{"closed", statusNotice(storage.StatusClosed, ""), []string{"已办结"}, nil},
		{"awaiting material", statusNotice(storage.StatusAwaitingMaterial, "购物发票或订单截图"),
			[]string{"有新进展：待补正", "需要您补充的材料：购物发票或订单截图", "直接在本对话中发送", "文字和照片都可以", "不予受理", "0755-12315"}, []string{"原因"}},
		{"appraisal", statusNotice(storage.StatusAppraisal, ""), []string{"有新进展：检测鉴定", "不计入调解期限"}, []string{"原因"}},
		{"resolved with its outcome", statusNotice(storage.StatusResolved, "达成调解协议，挽回经济损失 ¥5000.00"),
			[]string{"调解成功", "调解结果：达成调解协议，挽回经济损失 ¥5000.00"}, []string{"原因"}},
		{"resumed", statusNotice(storage.StatusMediating, "恢复办理"), []string{"调解中", "说明：恢复办理"}, []string{"原因"}},
		{"status as a value", &storage.Notification{Kind: storage.NoticeStatusChange, CaseNumber: "TS-2026-000123", StatusLabel: "accepted"}, []string{"已受理", "45个工作日"}, []string{"accepted"}},
		{"unknown status", &storage.Notification{Kind: storage.NoticeStatusChange, CaseNumber: "TS-2026-000123", StatusLabel: "复核中"}, []string{"复核中"}, nil},
		{"staff reply", &storage.Notification{Kind: storage.NoticeStaffReply, CaseNumber: "TS-2026-000123", Text: "请提供购物发票的照片。"},
			[]string{"调解员回复（TS-2026-000123）：\n请提供购物发票的照片。", "直接发送", "补充 TS-2026-000123"}, nil},
		{"rating request", &storage.Notification{Kind: storage.NoticeRatingRequest, CaseNumber: "TS-2026-000123"},
			[]string{"TS-2026-000123 已办结", "满意、基本满意 或 不满意", "评价 TS-2026-000123 满意"}, nil},
		{"ack", &storage.Notification{Kind: storage.NoticeAck, CaseNumber: "TS-2026-000123"}, []string{"已转给调解员", "TS-2026-000123"}, nil},
		{"dialog reply", &storage.Notification{Kind: storage.NoticeDialogReply, Text: "投诉已提交成功！"}, []string{"投诉已提交成功！"}, nil},
		{"erasure done", &storage.Notification{Kind: storage.NoticeErasure, CaseNumber: "TS-2026-000123"},
			[]string{"TS-2026-000123 中的个人信息已按您的要求删除"}, []string{"暂不能删除"}},
		{"erasure refused", &storage.Notification{Kind: storage.NoticeErasure, CaseNumber: "TS-2026-000123", Text: "案件涉及诉讼"},
			[]string{"删除投诉 TS-2026-000123 中的个人信息，暂不能删除：案件涉及诉讼", "0755-12315"}, []string{"已按您的要求删除"}},
	}
	for _, tc := range tests {
		got := c.Notice(tc.n)
		for _, w := range tc.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: missing %q in:\n%s", tc.name, w, got)
			}
		}
		for _, w := range tc.notWant {
			if strings.Contains(got, w) {
				t.Errorf("%s: must not contain %q:\n%s", tc.name, w, got)
			}
		}
		if n := utf8.RuneCountInString(got); n > noticeMaxRunes {
			t.Errorf("%s: %d characters, over %d", tc.name, n, noticeMaxRunes)
		}
	}
	if got := c.Notice(&storage.Notification{Kind: storage.NoticeDialogReply, Text: "原样"}); got != "原样" {
		t.Errorf("a dialog reply is sent as is: %q", got)
	}
	if c.Notice(nil) != "" {
		t.Error("a nil notification renders text")
	}
}

// TestCatalogueNoticeCutsLongText checks that long staff words are cut to the limit
// with a note, keeping the header and how to answer.
func TestCatalogueNoticeCutsLongText(t *testing.T) {
	c := mustCatalogue(t, testSettings)
	long := strings.Repeat("调解员说的话。", 200)
	for _, n := range []*storage.Notification{
		{Kind: storage.NoticeStaffReply, CaseNumber: "TS-2026-000123", Text: long},
		statusNotice(storage.StatusRejected, long),
		{Kind: storage.NoticeDialogReply, Text: long},
	} {
		got := c.Notice(n)
		if count := utf8.RuneCountInString(got); count > noticeMaxRunes || count < noticeMaxRunes-20 {
			t.Errorf("%s: %d characters; want just under %d", n.Kind, count, noticeMaxRunes)
		}
		if !strings.Contains(got, "未能全部显示，详情请致电 0755-12315") {
			t.Errorf("%s: no note on the cut:\n%s", n.Kind, got)
		}
		if n.Kind == storage.NoticeStaffReply && (!strings.HasPrefix(got, "调解员回复（TS-2026-000123）") || !strings.Contains(got, "补充 TS-2026-000123")) {
			t.Errorf("the cut staff reply lost its header or footer:\n%s", got)
		}
	}
}

func TestCatalogueNoticeSettings(t *testing.T) {
	s := testSettings
	s.MediationDays, s.AcceptDays = 30, 5
	c := mustCatalogue(t, s)
	if got := c.Notice(statusNotice(storage.StatusAccepted, "")); !strings.Contains(got, "30个工作日") {
		t.Errorf("MediationDays not used: %s", got)
	}
	if got := c.Submitted(&storage.Case{Number: "TS-2026-000001"}); !strings.Contains(got, "5个工作日") {
		t.Errorf("AcceptDays not used: %s", got)
	}
	var nilCat *Catalogue
	if nilCat.Notice(statusNotice(storage.StatusAccepted, "")) != mustCatalogue(t, Settings{}).Notice(statusNotice(storage.StatusAccepted, "")) {
		t.Error("a nil Catalogue does not render the default notice")
	}
	noHotline := mustCatalogue(t, Settings{}).Notice(statusNotice(storage.StatusRejected, "超过三年"))
	if strings.Contains(noHotline, "致电") || !strings.Contains(noHotline, "回复本公众号") {
		t.Errorf("rejected without a hotline: %s", noHotline)
	}
}

// TestCatalogueNoticeKnowsEveryStatus checks that every status of the table has
// its "what happens next" sentence and is read back from a notification.
func TestCatalogueNoticeKnowsEveryStatus(t *testing.T) {
	c := mustCatalogue(t, testSettings)
	for _, s := range storage.Statuses() {
		if _, ok := nextKeys[s]; !ok {
			t.Errorf("%s (%s) has no notice_next_ message", s.Label(), s)
		}
		if got, ok := statusOf(string(s)); !ok || got != s {
			t.Errorf("statusOf(%q) = %q, %v", s, got, ok)
		}
		n := c.Notice(statusNotice(s, ""))
		if !strings.Contains(n, "有新进展："+s.Label()+"\n") || strings.HasSuffix(n, "\n") {
			t.Errorf("%s: notice without its status or next sentence:\n%s", s, n)
		}
	}
}

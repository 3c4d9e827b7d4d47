package dialog

import (
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// unitCase is a filed case of unit.
func unitCase(unit int64) *storage.Case {
	return &storage.Case{ID: 9, Number: "TS-2026-000123", Status: storage.StatusAccepted, UnitID: unit,
		MerchantName: "某某电器", CreatedAt: time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)}
}

func TestCatalogueQuotesTheCasesUnit(t *testing.T) {
	c := mustCatalogue(t, testSettings)
	c.SetUnits(testUnits())
	for _, tc := range []struct {
		name string
		unit int64
		want string
	}{
		{"own hotline, the organisation's hours", 2, "受理单位：樊城区消委会（咨询电话：0710-2222222，工作日 9:00-17:00）"},
		{"nothing of its own: the organisation's", 3, "受理单位：襄城区消委会（咨询电话：0755-12315，工作日 9:00-17:00）"},
		{"the parent's hotline and hours", 5, "受理单位：吴店镇消费维权站（咨询电话：0710-4444444，周一至周五）"},
		{"the root is the organisation", storage.RootUnitID, "受理单位：某市消费者委员会（咨询电话：0755-12315，工作日 9:00-17:00）"},
	} {
		if got := c.Submitted(unitCase(tc.unit)); !strings.Contains(got, "投诉编号：TS-2026-000123\n"+tc.want+"\n") {
			t.Errorf("%s: Submitted =\n%s\nwant the line %q", tc.name, got, tc.want)
		}
	}
	detail := c.CaseDetail(unitCase(4), nil)
	if !strings.HasPrefix(detail, "投诉编号：TS-2026-000123\n受理单位：枣阳市消委会\n状态：已受理") {
		t.Errorf("CaseDetail =\n%s", detail)
	}
	rejected := c.Notice(&storage.Notification{Kind: storage.NoticeStatusChange, UnitID: 4,
		CaseNumber: "TS-2026-000123", StatusLabel: "不予受理", Text: "不属于本会受理范围"})
	if !strings.Contains(rejected, "请致电 0710-4444444（周一至周五）") {
		t.Errorf("a notice about a case of unit 4 does not quote its hotline:\n%s", rejected)
	}
	if got := c.Help(); !strings.Contains(got, "某市消费者委员会投诉服务") || !strings.Contains(got, "0755-12315") {
		t.Errorf("help, about no case, is not the organisation's:\n%s", got)
	}
}

func TestCatalogueTransferNotice(t *testing.T) {
	c := mustCatalogue(t, testSettings)
	c.SetUnits(testUnits())
	got := c.Notice(&storage.Notification{Kind: storage.NoticeTransfer, UnitID: 2, CaseNumber: "TS-2026-000123",
		Text: "商家位于樊城区", Summary: "已移交樊城区消委会"})
	want := "您的投诉 TS-2026-000123 已移交樊城区消委会办理。\n原因：商家位于樊城区\n投诉编号不变，办理期限仍从我们收到投诉之日起计算。" +
		"如有疑问，请致电 0710-2222222（工作日 9:00-17:00）。"
	if got != want {
		t.Errorf("transfer notice =\n%s\nwant\n%s", got, want)
	}
}

// TestCatalogueSingleUnitUnchanged checks that knowing only the root changes no
// message about a case: a single-unit deployment reads as before units.
func TestCatalogueSingleUnitUnchanged(t *testing.T) {
	plain := mustCatalogue(t, testSettings)
	single := mustCatalogue(t, testSettings)
	single.SetUnits([]*storage.Unit{{ID: 1, Code: "ROOT"}})
	cs := unitCase(storage.RootUnitID)
	n := &storage.Notification{Kind: storage.NoticeStatusChange, UnitID: 1, CaseNumber: cs.Number, StatusLabel: "不予受理"}
	for name, pair := range map[string][2]string{
		"submitted": {plain.Submitted(cs), single.Submitted(cs)},
		"detail":    {plain.CaseDetail(cs, nil), single.CaseDetail(cs, nil)},
		"notice":    {plain.Notice(n), single.Notice(n)},
		"summary":   {plain.summary(fullDraft()), single.summary(fullDraft())},
	} {
		if pair[0] != pair[1] || strings.Contains(pair[1], "受理单位") {
			t.Errorf("%s differs with a single unit:\n%s\n---\n%s", name, pair[0], pair[1])
		}
	}
	if want := "投诉已提交成功！\n投诉编号：TS-2026-000123\n我们将在7个工作日内"; !strings.HasPrefix(plain.Submitted(cs), want) {
		t.Errorf("Submitted changed for a single unit:\n%s", plain.Submitted(cs))
	}
}

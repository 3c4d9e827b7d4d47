package console_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// agreementForm is a complete agreement form.
func agreementForm(version string) map[string]string {
	return map[string]string{"version": version, "merchant_name": "好又多超市", "credit_code": "91310000ma1fl1234q",
		"terms": "被投诉人退还货款 1200 元。", "amount": "1200", "payment_due": "2026-03-20", "mediator": "调解员甲"}
}

func formOf(m map[string]string) []string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k, v)
	}
	return kv
}

func TestAgreementDraftIssueAndDocument(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	med := e.as(e.mediator)
	med.get(pageCasePath(c, "")).want(http.StatusOK).contains("调解协议书", "尚未拟定调解协议书", `value="调解员甲"`)

	bad := agreementForm("0")
	bad["credit_code"] = "91310000MA1FL1234O"
	med.post(pageCasePath(c, "/agreement"), pageForm(formOf(bad)...)).want(http.StatusBadRequest).
		contains("统一社会信用代码只含数字和大写字母", "被投诉人退还货款 1200 元。")
	med.post(pageCasePath(c, "/agreement"), pageForm(formOf(agreementForm("0"))...)).redirected(pageCasePath(c, "?flash="))
	med.get(pageCasePath(c, "")).want(http.StatusOK).contains("草稿（第 1 版）", "¥1,200.00（壹仟贰佰元整）").
		lacks("出具协议书并发送给消费者")

	e.move(c, storage.StatusResolved, "")
	med.post(pageCasePath(c, "/agreement/issue"), pageForm()).redirected(pageCasePath(c, "?flash="))
	med.get(pageCasePath(c, "")).want(http.StatusOK).contains("已出具（第 1 版）", "将于 2026-03-20 09:00 询问消费者款项是否到账").
		lacks("保存协议书草稿")

	doc := med.get(pageCasePath(c, "/agreement")).want(http.StatusOK)
	doc.contains("<h1>调解协议书</h1>", "投诉人（消费者）：张三", "联系电话："+c.Phone, "91310000MA1FL1234Q",
		"空调不制冷，商家拒绝维修。", "<b>¥1,200.00</b>（大写：人民币<b>壹仟贰佰元整</b>）", "2026年3月20日",
		"调解员（签字）：调解员甲", "/console/static/agreement.css", "某市消委会（盖章）")
	doc.lacks("草稿（")
	file := med.get(pageCasePath(c, "/agreement?download=1")).want(http.StatusOK)
	if cd := file.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("download Content-Disposition %q", cd)
	}
	file.contains("<style>", "@page { size: A4;", "壹仟贰佰元整").lacks("main-nav")

	views := 0
	entries, _, err := e.db.FindAudit(context.Background(), storage.AuditFilter{CaseID: &c.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range entries {
		if a.Action == storage.AuditAgreementView {
			views++
		}
	}
	if views != 2 {
		t.Errorf("%d audited views of the agreement, want 2 (page and download)", views)
	}
}

func TestAgreementOutsideScopeIsNotFound(t *testing.T) {
	e := newPageEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	c := e.newCase(func(nc *storage.NewCase) { nc.UnitID = 2 })
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	other := e.as(unitStaff(t, e, "xcmed", storage.RoleMediator, 3))
	other.post(pageCasePath(c, "/agreement"), pageForm(formOf(agreementForm("0"))...)).want(http.StatusNotFound)
	if _, err := e.db.FindAgreement(context.Background(), c.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("an agreement was written from outside the scope: %v", err)
	}
	e.as(e.mediator).post(pageCasePath(c, "/agreement"), pageForm(formOf(agreementForm("0"))...)).
		redirected(pageCasePath(c, "?flash="))
	other.get(pageCasePath(c, "/agreement")).want(http.StatusNotFound).lacks(c.Phone)
	other.post(pageCasePath(c, "/agreement/issue"), pageForm()).want(http.StatusNotFound)
}

// TestAgreementReissuedFromTheCasePage gives an agreement whose payment the
// consumer answered 未到账 a new payment date from the case page, once the case
// is 调解成功 again; staff of another unit cannot.
func TestAgreementReissuedFromTheCasePage(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	testenv.AddUnits(t, e.db, transferUnits...)
	c := e.newCase(func(nc *storage.NewCase) { nc.UnitID = 2 })
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	med := e.as(e.mediator)
	med.post(pageCasePath(c, "/agreement"), pageForm(formOf(agreementForm("0"))...)).redirected(pageCasePath(c, "?flash="))
	e.move(c, storage.StatusResolved, "")
	med.post(pageCasePath(c, "/agreement/issue"), pageForm()).redirected(pageCasePath(c, "?flash="))
	med.get(pageCasePath(c, "")).want(http.StatusOK).lacks("重新出具协议书并告知消费者")

	if n, err := e.db.AskDuePayments(ctx, time.Date(2026, 3, 20, 9, 0, 0, 0, storage.ChinaTime), 10); err != nil || n != 1 {
		t.Fatalf("asked %d, %v", n, err)
	}
	if _, err := e.db.AnswerPayment(ctx, storage.PaymentAnswer{CaseID: c.ID, Answer: storage.PaymentNotReceived}); err != nil {
		t.Fatal(err)
	}
	med.get(pageCasePath(c, "")).want(http.StatusOK).contains("消费者答复：未到账").lacks("重新出具协议书并告知消费者")
	e.move(c, storage.StatusResolved, "")
	med.get(pageCasePath(c, "")).want(http.StatusOK).contains("重新出具协议书并告知消费者")

	other := e.as(unitStaff(t, e, "xcmed", storage.RoleMediator, 3))
	other.post(pageCasePath(c, "/agreement/reissue"), pageForm("payment_due", "2026-04-10")).want(http.StatusNotFound)
	med.post(pageCasePath(c, "/agreement/reissue"), pageForm("payment_due", "")).want(http.StatusBadRequest).
		contains("付款日期格式应为")
	med.post(pageCasePath(c, "/agreement/reissue"), pageForm("payment_due", "2026-04-10")).
		redirected(pageCasePath(c, "?flash="))
	med.get(pageCasePath(c, "")).want(http.StatusOK).contains("已出具（第 2 版）", "付款日期 2026-04-10",
		"将于 2026-04-10 09:00 询问消费者款项是否到账").lacks("重新出具协议书并告知消费者")
	action := storage.AuditAgreementReissue
	if entries, n, err := e.db.FindAudit(ctx, storage.AuditFilter{Action: &action}); err != nil || n != 1 ||
		entries[0].StaffID != e.mediator.ID {
		t.Fatalf("reissue audit %+v %d %v", entries, n, err)
	}
}

// TestAgreementLapsedPaymentOnTheCasePage: a question the consumer never
// answered shows as lapsed on the case page, which offers the reissue.
func TestAgreementLapsedPaymentOnTheCasePage(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	c := e.newCase(nil)
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	med := e.as(e.mediator)
	med.post(pageCasePath(c, "/agreement"), pageForm(formOf(agreementForm("0"))...)).redirected(pageCasePath(c, "?flash="))
	e.move(c, storage.StatusResolved, "")
	med.post(pageCasePath(c, "/agreement/issue"), pageForm()).redirected(pageCasePath(c, "?flash="))
	day := time.Date(2026, 3, 20, 9, 0, 0, 0, storage.ChinaTime)
	for _, at := range []time.Time{day, day.Add(storage.PaymentReaskAfter)} {
		if n, err := e.db.AskDuePayments(ctx, at, 10); err != nil || n != 1 {
			t.Fatalf("asked %d, %v", n, err)
		}
	}
	wait := 7 * 24 * time.Hour
	if n, err := e.db.LapseUnansweredPayments(ctx, day.Add(storage.PaymentReaskAfter+wait), wait, 10); err != nil || n != 1 {
		t.Fatalf("lapsed %d, %v", n, err)
	}
	med.get(pageCasePath(c, "")).want(http.StatusOK).
		contains("消费者未在规定时间内答复，询问已于", "请跟进核实款项是否到账", "重新出具协议书并告知消费者")
}

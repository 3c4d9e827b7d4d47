package console_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// consentToArbitration asks the consumer of c about arbitration and records
// their 同意仲裁, as a referral to 仲裁委员会 needs, or fails the test.
func consentToArbitration(t *testing.T, db *sqlstore.DB, c *storage.Case, actor string) {
	t.Helper()
	ctx := context.Background()
	if _, err := db.AskArbitrationConsent(ctx, c.ID, storage.By{Actor: actor}); err != nil {
		t.Fatalf("ask consent on %s: %v", c.Number, err)
	}
	if _, err := db.AnswerArbitrationConsent(ctx, c.ID, storage.ConsentAgreed); err != nil {
		t.Fatalf("consent on %s: %v", c.Number, err)
	}
}

// TestAPIReferralResult drives a referral through the API: the move records the
// contact, GET …/referrals lists the record, a bad result is refused, a
// settlement closes the case with 协商和解 and its amount, and a second result
// is refused.
func TestAPIReferralResult(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	e.move(c, storage.StatusAccepted, "")
	e.post(c, "status", e.mediator, `{"status":"referred","target":"金融纠纷调解中心","contact":"市金融消保中心 李科长"}`).
		ok(t, http.StatusOK, nil)
	var list struct {
		Referrals []struct {
			ID      int64  `json:"id"`
			Contact string `json:"contact"`
			Outcome string `json:"outcome"`
			Closed  bool   `json:"closed"`
		} `json:"referrals"`
		Consent *struct{ Answer string } `json:"arbitration_consent"`
	}
	e.do("GET", "/api/v1/cases/"+c.Number+"/referrals", e.as(e.mediator), "").ok(t, http.StatusOK, &list)
	if len(list.Referrals) != 1 || list.Referrals[0].Contact != "市金融消保中心 李科长" || list.Referrals[0].Closed ||
		list.Consent != nil {
		t.Fatalf("referrals = %+v", list)
	}
	path := "referrals/" + apiItoa(list.Referrals[0].ID) + "/result"
	e.post(c, path, e.mediator, `{"outcome":"settled","amount_yuan":"88.50","result_date":"2099-01-01"}`).
		fails(t, http.StatusBadRequest, "invalid")
	e.post(c, path, e.mediator, `{"outcome":"failed","amount_fen":100,"result_date":"2026-03-01"}`).
		fails(t, http.StatusBadRequest, "invalid")
	// More than a billion yuan is refused in fen as it is in yuan.
	e.post(c, path, e.mediator, `{"outcome":"settled","amount_fen":100000000001,"result_date":"2026-03-01"}`).
		fails(t, http.StatusBadRequest, "invalid")
	e.post(c, "referrals/999/result", e.mediator, `{"outcome":"failed","result_date":"2026-03-01"}`).
		fails(t, http.StatusNotFound, "not_found")
	var d struct {
		Status       string `json:"status"`
		Outcome      string `json:"outcome"`
		RecoveredFen int64  `json:"recovered_fen"`
	}
	e.post(c, path, e.mediator, `{"outcome":"settled","amount_yuan":"88.50","result_date":"2026-03-01","note":"已退款"}`).
		ok(t, http.StatusOK, &d)
	if d.Status != "resolved" || d.Outcome != storage.OutcomeSettled || d.RecoveredFen != 8_850 {
		t.Fatalf("after the result: %s %s %d", d.Status, d.Outcome, d.RecoveredFen)
	}
	e.post(c, path, e.mediator, `{"outcome":"failed","result_date":"2026-03-01"}`).fails(t, http.StatusConflict, "conflict")
}

// TestPageReferralBlock checks the case page's 转办记录 block: 征求仲裁意愿, the
// consumer's 不同意 shown to staff, the referral to arbitration refused, and the
// result form of an open referral taking the case back to 调解中.
func TestPageReferralBlock(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	u := e.as(e.mediator)
	casePath := "/console/cases/" + c.Number
	u.get(casePath).want(http.StatusOK).contains("转办记录", "尚未征求消费者意愿", "征求仲裁意愿")
	u.post(casePath+"/arbitration-consent", url.Values{}).redirected(casePath)
	u.get(casePath).want(http.StatusOK).contains("待消费者答复")
	if _, err := e.db.AnswerArbitrationConsent(context.Background(), c.ID, storage.ConsentRefused); err != nil {
		t.Fatal(err)
	}
	u.get(casePath).want(http.StatusOK).contains("不同意仲裁")
	u.post(casePath+"/status", url.Values{"to": {"referred"}, "target": {"仲裁委员会"}}).
		want(http.StatusConflict).contains("消费者不同意仲裁")

	u.post(casePath+"/status", url.Values{"to": {"referred"}, "target": {"市场监管部门"}, "contact": {"区市场监管局 赵科员"}}).
		redirected(casePath)
	refs, err := e.db.FindReferrals(context.Background(), c.ID)
	if err != nil || len(refs) != 1 || refs[0].Channel != storage.ChannelRegulator {
		t.Fatalf("referrals = %+v, %v", refs, err)
	}
	u.get(casePath).want(http.StatusOK).contains("区市场监管局 赵科员", "反馈市场监管部门处理结果", "处理中")
	result := casePath + "/referrals/" + apiItoa(refs[0].ID) + "/result"
	u.post(result, url.Values{"outcome": {"refused"}, "date": {"2026-03-02"}}).redirected(casePath)
	if got := e.reload(c); got.Status != storage.StatusMediating {
		t.Fatalf("status = %s, want mediating", got.Status)
	}
	u.get(casePath).want(http.StatusOK).contains("对方拒绝处理").lacks("反馈市场监管部门处理结果")
}

// TestReferralsScopeToTheCallersUnits checks the referral surfaces' IDOR side:
// another district's case reads as not found for its records, its result and
// the arbitration question, on the API and the pages, and nothing is written.
func TestReferralsScopeToTheCallersUnits(t *testing.T) {
	e := newAPIEnv(t)
	ctx := context.Background()
	u := newUnitCity(t, e.db, e.supervisor, e.apiUnitCase)
	med := e.tokenFor(u.fcMed)
	other := u.xzCase
	for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusReferred} {
		if _, err := e.db.ChangeStatus(ctx, storage.StatusChange{CaseID: other.ID, To: to, Actor: e.supervisor.Actor(),
			Reason: map[storage.Status]string{storage.StatusReferred: "行政部门"}[to]}); err != nil {
			t.Fatal(err)
		}
	}
	refs, err := e.db.FindReferrals(ctx, other.ID)
	if err != nil || len(refs) != 1 {
		t.Fatalf("referrals = %+v, %v", refs, err)
	}
	base := "/api/v1/cases/" + other.Number
	e.do("GET", base+"/referrals", med, "").fails(t, http.StatusNotFound, "not_found")
	e.do("POST", base+"/referrals/"+apiItoa(refs[0].ID)+"/result", med, `{"outcome":"failed","result_date":"2026-03-01"}`).
		fails(t, http.StatusNotFound, "not_found")
	e.do("POST", base+"/arbitration-consent", med, `{}`).fails(t, http.StatusNotFound, "not_found")

	p := newPageEnv(t)
	pu := newUnitCity(t, p.db, p.supervisor, p.newCase)
	pmed := p.as(pu.fcMed)
	pmed.post(pageCasePath(pu.xzCase, "/arbitration-consent"), url.Values{}).want(http.StatusNotFound)
	pmed.post(pageCasePath(pu.xzCase, "/referrals/1/result"), pageForm("outcome", "failed", "date", "2026-03-01")).
		want(http.StatusNotFound)

	if got, _ := e.db.FindReferrals(ctx, other.ID); got[0].Closed || got[0].Outcome != "" {
		t.Fatalf("a refused call changed the other district's referral: %+v", got[0])
	}
	if _, err := e.db.FindArbitrationConsent(ctx, other.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("a refused call asked the other district's consumer: %v", err)
	}
	if _, err := p.db.FindArbitrationConsent(ctx, pu.xzCase.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("a refused page post asked the other district's consumer: %v", err)
	}
}

package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// openBrowser starts a Chromium of its own (own cookies) on the running Main,
// signed in to nothing.
func openBrowser(t *testing.T, m *Main, browser, who string) *desk {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium for %s: %v", who, err)
	}
	d := &desk{t: t, ctx: ctx, base: m.URL(), who: who, mu: sync.Mutex{}}
	if err := chromedp.Listen(ctx, d.notePageError); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.checkNoPageErrors)
	return d
}

// TestBrowserMerchantPortalSettlesACase is the settlement platform end to end
// through the real service: a consumer files in the simulator, the case is
// referred to its merchant on the platform, a supervisor invites the
// merchant's staff in the console, the merchant accepts the invitation, signs
// in, sees only its case, with the consumer's photo to download, and proposes
// a refund; the consumer answers 接受 in the chat and the case reads 调解成功,
// 协商和解 with the amount. On the payment date the payment worker asks whether
// the refund arrived, and the consumer's 已到账 closes the case (已办结).
func TestBrowserMerchantPortalSettlesACase(t *testing.T) {
	browser := testenv.Chromium(t)
	m := runMain(t)
	ctx := context.Background()
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("portal")}
	c := fileCase(t, m, p)
	other := fileCase(t, m, consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("portal2")})

	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	sup, boss := openDesk(t, m, browser, "boss"+suffix, "主管丙", storage.RoleSupervisor)
	by := storage.By{Actor: boss.Actor()}
	merchant, err := m.DB.CreateMerchant(ctx, storage.MerchantInput{Name: "襄阳某某电器" + suffix, OnPlatform: true,
		PlatformSince: "2026-01-05", By: by})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.LinkCaseMerchant(ctx, c.ID, merchant.ID, by); err != nil {
		t.Fatal(err)
	}
	move(t, m, c, storage.StatusAccepted, storage.StatusMediating)
	if _, err := m.DB.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusReferred,
		Actor: by.Actor, Reason: storage.MerchantReferral}); err != nil {
		t.Fatal(err)
	}
	waitPushed(t, m, p.openID, 3, "已转办")

	// The supervisor invites; the link is shown once.
	sup.open(fmt.Sprintf("/console/merchants/%d", merchant.ID), `document.querySelector("form.merchant-invite") !== null`)
	sup.submit("form.merchant-invite", nil, `document.querySelector("#invite-link") !== null`)
	link := strings.TrimSpace(sup.text("#invite-link"))
	path := strings.TrimPrefix(link, m.URL())
	if !strings.HasPrefix(path, "/portal/invite/") {
		t.Fatalf("invitation link %q", link)
	}

	// The merchant accepts the invitation and lands on its cases.
	shop := openBrowser(t, m, browser, "merchant")
	shop.open(path, `document.querySelector('input[name="password2"]') !== null`)
	shop.submit("form", map[string]string{"username": "shop" + suffix, "name": "李店长",
		"password": "long enough pw", "password2": "long enough pw"}, `location.pathname === "/portal/cases"`)
	if list := shop.text("main"); !strings.Contains(list, c.Number) || strings.Contains(list, other.Number) {
		t.Fatalf("the merchant's list:\n%s", list)
	}
	// Another case reads as not found: see the portal package tests (a fetch of
	// a 404 here would be logged by the browser as a page error).

	// It sees the consumer's photo, with a download link, and proposes a refund.
	eventually(t, "evidence download", func() bool {
		ev, err := m.DB.ListEvidence(ctx, c.ID)
		return err == nil && len(ev) == 1 && ev[0].DownloadState == storage.DownloadDone
	})
	shop.open("/portal/cases/"+c.Number, `document.querySelector("form.proposal-form") !== null && `+
		`document.querySelector('table.evidence a[href^="/portal/cases/`+c.Number+`/evidence/"][download]') !== null`)
	payBy := m.now().AddDate(0, 0, 7).In(chinaTime).Format(time.DateOnly)
	shop.submit("form.proposal-form", map[string]string{"remedy": "退款", "amount": "3999.50", "pay_by": payBy},
		`document.body.innerText.includes("等待消费者答复")`)

	// The consumer gets it in the chat and accepts.
	waitPushed(t, m, p.openID, 4, "退款，金额 ¥3,999.50，"+payBy+" 前付款/履行")
	p.expect("接受", "已记录：您接受商家的和解方案")

	sup.open("/console/cases/"+c.Number, statusIs(c.Number, "调解成功"))
	if missing := missingFrom(sup.text("main"), "协商和解", "3999.50"); len(missing) > 0 {
		t.Fatalf("the case page lacks %q:\n%s", missing, sup.text("main"))
	}
	got, err := m.DB.FindCaseByNumber(ctx, c.Number)
	if err != nil || got.Outcome != storage.OutcomeSettled || got.RecoveredFen != 399_950 {
		t.Fatalf("case %+v, %v", got, err)
	}

	// The payment date's morning: the worker asks, the consumer confirms.
	askAt, err := storage.PaymentAskTime(payBy)
	if err != nil {
		t.Fatal(err)
	}
	asker := &paymentAsker{store: m.DB, now: func() time.Time { return askAt }, logger: m.Logger}
	if n := asker.askDue(ctx); n != 1 {
		t.Fatalf("the payment worker asked %d consumers, want 1", n)
	}
	waitPushed(t, m, p.openID, 5, "和解方案约定商家退款 ¥3,999.50（叁仟玖佰玖拾玖元伍角整），付款日期 "+payBy)
	p.expect("已到账", "投诉已办结")
	sup.open("/console/cases/"+c.Number, statusIs(c.Number, "已办结"))
	if missing := missingFrom(sup.text("main"), "消费者答复协议款项：已到账"); len(missing) > 0 {
		t.Fatalf("the case page lacks %q:\n%s", missing, sup.text("main"))
	}
}

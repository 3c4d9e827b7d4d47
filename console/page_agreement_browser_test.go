package console_test

import (
	"context"
	"regexp"
	"slices"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/complaintbot/complaintbot/storage"
)

// TestAgreementPrintsInABrowser checks the 调解协议书 as a printer sees it, under
// the real CSP: the navigation and the tool bar hidden in print, the document
// shown, and the pages A4.
func TestAgreementPrintsInABrowser(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	_, err := e.db.SaveAgreement(context.Background(), storage.AgreementDraft{CaseID: c.ID, Terms: "退还货款 1200 元。",
		AmountFen: 120_000, PaymentDue: "2026-03-20", MerchantName: "好又多超市", CreditCode: "91310000MA1FL1234Q",
		Mediator: "调解员甲", By: storage.By{Actor: e.mediator.Actor()}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, base, problems := pageBrowser(t, e, e.mediator)
	err = chromedp.Do(ctx,
		chromedp.Navigate(base+pageCasePath(c, "/agreement")),
		chromedp.WaitVisible(chromedp.CSS("article.agreement h1")),
	)
	if err != nil {
		t.Fatalf("agreement page: %v", err)
	}
	shown := `(function () {
		var shown = function (sel) { return getComputedStyle(document.querySelector(sel)).display !== "none"; };
		return [shown("header.top"), shown(".agreement-tools"), shown("article.agreement .signatures")];
	})()`
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](shown)); err != nil || !slices.Equal(got, []bool{true, true, true}) {
		t.Fatalf("on screen: header, tools, signatures shown = %v (%v)", got, err)
	}
	if _, err := chromedp.Call(ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[[]bool](shown)); err != nil || !slices.Equal(got, []bool{false, false, true}) {
		t.Errorf("in print: header, tools, signatures shown = %v, want only the document (%v)", got, err)
	}
	pdf, err := chromedp.Run(ctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize()))
	if err != nil || !regexp.MustCompile(`/MediaBox \[0 0 59[45]\.\d+ 841\.\d+\]`).Match(pdf) {
		t.Errorf("print to PDF: %d bytes, not A4 (%v)", len(pdf), err)
	}
	if p := problems.String(); p != "" {
		t.Errorf("browser errors: %s", p)
	}
}

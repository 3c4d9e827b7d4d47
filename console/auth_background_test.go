package console

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// poll asks for the case's new timeline entries as console.js does: a background
// request, which must not count as use of the session.
func (b *browser) poll(c *storage.Case) int {
	b.e.t.Helper()
	b.header.Set(backgroundHeader, "1")
	defer b.header.Del(backgroundHeader)
	w := b.do("GET", "/console/cases/"+c.Number+"/events?after=0", nil)
	if w.Code == http.StatusOK && !strings.HasPrefix(w.Header().Get("Content-Type"), "application/json") {
		b.e.t.Fatalf("poll answered %q", w.Header().Get("Content-Type"))
	}
	return w.Code
}

// pollFor polls every 30 seconds for d and reports the status of the last poll.
func (e *authEnv) pollFor(b *browser, c *storage.Case, d time.Duration) int {
	e.t.Helper()
	status := 0
	for elapsed := time.Duration(0); elapsed < d; elapsed += 30 * time.Second {
		e.advance(30 * time.Second)
		status = b.poll(c)
	}
	return status
}

func (e *authEnv) newCase() *storage.Case {
	e.t.Helper()
	c, err := e.store.CreateCase(context.Background(), "TS", storage.NewCase{
		OpenID: "openid-1", IntakeKey: "intake-1", Category: "家用电子电器", MerchantName: "商家电器店",
		MerchantAddress: "人民路1号", PurchaseDate: "2026-02-01", AmountFen: 399950,
		Description: "空调不制冷，商家拒绝维修。", Demand: "退款", ComplainantName: "张三", Phone: "13900000001",
	})
	if err != nil {
		e.t.Fatalf("create case: %v", err)
	}
	return c
}

func TestBackgroundPollsDoNotExtendSession(t *testing.T) {
	e := newAuthEnv(t)
	c := e.newCase()
	b := e.browser().mustLogin("med1", mediatorPassword)
	if w := b.do("GET", "/console/cases/"+c.Number, nil); w.Code != http.StatusOK {
		t.Fatalf("case page: %d", w.Code)
	}
	// The case page stays open, polling, and nobody touches the desk.
	if status := e.pollFor(b, c, 29*time.Minute); status != http.StatusOK {
		t.Fatalf("poll within the idle time: %d", status)
	}
	if status := e.pollFor(b, c, 2*time.Minute); status != http.StatusUnauthorized {
		t.Fatalf("poll 31 minutes after the last real request: %d, want 401", status)
	}
	if b.signedIn() {
		t.Fatal("polls alone kept the session alive for 31 minutes")
	}
}

func TestPageViewResetsIdleDespitePolls(t *testing.T) {
	e := newAuthEnv(t)
	c := e.newCase()
	b := e.browser().mustLogin("med1", mediatorPassword)
	if status := e.pollFor(b, c, 20*time.Minute); status != http.StatusOK {
		t.Fatalf("poll: %d", status)
	}
	if w := b.do("GET", "/console/cases/"+c.Number, nil); w.Code != http.StatusOK { // someone is at the desk
		t.Fatalf("case page: %d", w.Code)
	}
	// 49 minutes after sign-in, 29 after the page view: still signed in.
	if status := e.pollFor(b, c, 29*time.Minute); status != http.StatusOK {
		t.Fatalf("poll 29 minutes after a page view: %d, want 200", status)
	}
	if status := e.pollFor(b, c, 2*time.Minute); status != http.StatusUnauthorized {
		t.Fatalf("poll 31 minutes after the page view: %d, want 401", status)
	}
	if b.signedIn() {
		t.Fatal("session alive 31 minutes after the last page view")
	}
}

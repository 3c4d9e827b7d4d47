package console_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// pageProblems collects what the browser reports as broken: uncaught
// exceptions and console errors, among them CSP refusals.
type pageProblems struct {
	mu   sync.Mutex
	list []string
}

func (p *pageProblems) add(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.list = append(p.list, s)
}

func (p *pageProblems) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Join(p.list, "; ")
}

// pageBrowser starts a headless Chromium signed in as st on a server of the
// console, or skips the test when this machine has no browser (fails it in CI).
func pageBrowser(t *testing.T, e *pageEnv, st *storage.Staff) (context.Context, string, *pageProblems) {
	t.Helper()
	path := testenv.Chromium(t)
	srv := httptest.NewServer(e.handler)
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(path), chromedp.NoSandbox)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	// A guard against a hung browser for the whole test, not a wait: on a loaded
	// 2-core machine, with other packages' browsers running, Chromium alone can
	// take tens of seconds to start.
	ctx, cancelTimeout := context.WithTimeout(ctx, 180*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })

	se := e.as(st).session
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{Name: "cb_session", Value: se.ID, URL: srv.URL}); err != nil {
		t.Fatalf("start browser: %v", err)
	}
	if _, err := chromedp.Call(ctx, log.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("enable log: %v", err)
	}
	problems := &pageProblems{}
	exceptions, entries := chromedp.Events(ctx, runtime.ExceptionThrown), chromedp.Events(ctx, log.EntryAdded)
	go func() {
		for ev, err := range exceptions {
			if err != nil {
				return
			}
			problems.add(ev.ExceptionDetails.Text)
		}
	}()
	go func() {
		for ev, err := range entries {
			if err != nil {
				return
			}
			if ev.Entry.Level == log.EntryLevelError && !strings.HasSuffix(ev.Entry.URL, "/favicon.ico") {
				problems.add(ev.Entry.Text + " " + ev.Entry.URL)
			}
		}
	}()
	return ctx, srv.URL, problems
}

// TestCasePageScriptInABrowser runs console.js under the real CSP: a canned
// reply goes into the textarea, and a consumer message written while the page
// is open appears on it, as text, with the unread banner.
func TestCasePageScriptInABrowser(t *testing.T) {
	e := newPageEnv(t)
	if _, err := e.db.CreateCannedReply(context.Background(), "索要发票", "请上传发票照片。", e.supervisor.ID); err != nil {
		t.Fatal(err)
	}
	c := e.newCase(nil)
	ctx, base, problems := pageBrowser(t, e, e.mediator)

	err := chromedp.Do(ctx,
		chromedp.Navigate(base+pageCasePath(c, "")),
		chromedp.WaitVisible(chromedp.ID("timeline")),
		chromedp.SetValue(chromedp.ID("reply-text"), "您好，"),
		chromedp.Evaluate[chromedp.Void](`(function () {
			var s = document.querySelector("select.canned-picker");
			var a = document.getElementById("reply-text");
			a.selectionStart = a.selectionEnd = a.value.length;
			s.value = s.options[1].value;
			s.dispatchEvent(new Event("change"));
		})()`),
	)
	if err != nil {
		t.Fatalf("canned reply: %v", err)
	}
	if reply, err := chromedp.Run(ctx, chromedp.Value(chromedp.ID("reply-text"))); err != nil || reply != "您好，请上传发票照片。" {
		t.Errorf("textarea holds %q (%v)", reply, err)
	}

	ev := e.consumerSays(c, `<b>发票</b>在这里`)
	item := `li[data-event="` + pageItoa(ev.ID) + `"]`
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(item+" .body"))); err != nil {
		t.Fatalf("the message never appeared: %v", err)
	}
	body, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(item+" .body")))
	if err != nil || body != `<b>发票</b>在这里` {
		t.Errorf("polled message shown as %q (%v)", body, err)
	}
	if bold, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector('`+item+` b') !== null`)); err != nil || bold {
		t.Errorf("the message's markup was built (%v)", err)
	}
	if hidden, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("unread-banner").hidden`)); err != nil || hidden {
		t.Errorf("the unread banner stays hidden after a consumer message (%v)", err)
	}
	if p := problems.String(); p != "" {
		t.Errorf("browser errors: %s", p)
	}
}

// TestReplyFormIsSentOnceInABrowser double-clicks 发送回复: the script disables
// the button as the form goes, and one reply reaches the timeline and the outbox.
func TestReplyFormIsSentOnceInABrowser(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	ctx, base, problems := pageBrowser(t, e, e.mediator)
	err := chromedp.Do(ctx,
		chromedp.Navigate(base+pageCasePath(c, "")),
		chromedp.WaitVisible(chromedp.ID("reply-text")),
		chromedp.SetValue(chromedp.ID("reply-text"), "您好，材料已收到。"),
	)
	if err != nil {
		t.Fatalf("open the case: %v", err)
	}
	disabled, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(function () {
		var b = document.querySelector("form.reply-form button[type=submit]");
		b.click();
		var disabled = b.disabled;
		b.click();
		return disabled;
	})()`))
	if err != nil || !disabled {
		t.Errorf("the button is still enabled after the first click (%v)", err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("p.flash"))); err != nil {
		t.Fatalf("no page after sending: %v", err)
	}
	events, err := e.db.ListEvents(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	replies := 0
	for _, ev := range events {
		if ev.Kind == storage.EventStaffReply {
			replies++
		}
	}
	notes, err := e.db.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID})
	if err != nil || replies != 1 || len(notes) != 1 {
		t.Fatalf("%d replies and %d notifications (%v), want 1 and 1", replies, len(notes), err)
	}
	if p := problems.String(); p != "" {
		t.Errorf("browser errors: %s", p)
	}
}

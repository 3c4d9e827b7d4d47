package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
)

// desk is one staff member's own Chromium (own cookies) signed in to the console
// of a running Main. Its actions fill and submit the console's real forms and
// wait for the page that answers them.
type desk struct {
	t    *testing.T
	ctx  context.Context
	base string
	who  string

	mu         sync.Mutex
	pageErrors []string // script exceptions and errors the browser logged
}

// openDesk starts a browser for a staff member created here with the given role
// and signs them in through the login page.
func openDesk(t *testing.T, m *Main, browser, username, name string, role storage.Role) (*desk, *storage.Staff) {
	t.Helper()
	const password = "correct horse battery"
	hash, err := console.HashPassword(password)
	if err != nil {
		t.Fatal(err)
	}
	st, err := m.DB.CreateStaff(context.Background(), storage.NewStaff{Username: username, Name: name, Role: role, PasswordHash: hash})
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(cancel)
	// The browser lives as long as the context of its first action: start it on
	// the desk's own, not on one of the per-action timeouts below.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start Chromium for %s: %v", username, err)
	}
	d := &desk{t: t, ctx: ctx, base: m.URL(), who: username}
	if err := chromedp.Listen(ctx, d.notePageError); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.checkNoPageErrors)
	d.open("/console/login", `document.querySelector('input[name="username"]') !== null`)
	d.submit(`form:has(input[name="password"])`, map[string]string{"username": username, "password": password},
		`location.pathname === "/console/cases"`)
	return d, st
}

// notePageError keeps what a console page did wrong in the browser: an
// uncaught exception, console.error, or an error the browser logged (a refused
// script or style, a failed request).
func (d *desk) notePageError(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = "exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil {
			msg += " " + e.ExceptionDetails.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			msg = "console.error"
		}
	case *cdplog.EventEntryAdded:
		// The browser asks every site for /favicon.ico; the console has none.
		if e.Entry.Level == cdplog.EntryLevelError && !strings.HasSuffix(e.Entry.URL, "/favicon.ico") {
			msg = string(e.Entry.Source) + ": " + e.Entry.Text + " " + e.Entry.URL
		}
	}
	if msg != "" {
		d.mu.Lock()
		d.pageErrors = append(d.pageErrors, msg)
		d.mu.Unlock()
	}
}

// checkNoPageErrors fails the test if any page showed a browser error.
func (d *desk) checkNoPageErrors() {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range d.pageErrors {
		d.t.Errorf("%s's browser: %s", d.who, e)
	}
}

// run runs browser actions, failing the test on error.
func (d *desk) run(what string, actions ...chromedp.Action[chromedp.Void]) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(d.ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		d.t.Fatalf("%s, %s: %v", d.who, what, err)
	}
}

// eval evaluates a JavaScript expression (awaiting it if it is a promise) and
// decodes its JSON value into out.
func (d *desk) eval(expr string, out any) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(d.ctx, 60*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[[]byte](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		d.t.Fatalf("%s, evaluate %.80s: %v", d.who, expr, err)
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			d.t.Fatalf("%s, evaluate %.80s: %v (%s)", d.who, expr, err, raw)
		}
	}
}

// open loads a console page and waits until ready (a JavaScript condition) holds.
func (d *desk) open(path, ready string) {
	d.t.Helper()
	d.run("open "+path, chromedp.Navigate(d.base+path))
	d.waitNewPage("open "+path, ready)
}

// waitNewPage waits for a page that is not the one marked stale by submit and
// meets cond; a form error on it fails the test at once with its text.
func (d *desk) waitNewPage(what, cond string) {
	d.t.Helper()
	ctx, cancel := context.WithTimeout(d.ctx, 60*time.Second)
	defer cancel()
	fresh := `!window.__stale && document.readyState === "complete"`
	if err := waitForPage(ctx, fresh); err != nil {
		d.t.Fatalf("%s, %s: %v", d.who, what, err)
	}
	var refused string
	d.eval(`(() => { const e = document.querySelector('.form-error'); return e ? e.innerText : ""; })()`, &refused)
	if refused != "" {
		d.t.Fatalf("%s, %s: the console refused: %s", d.who, what, refused)
	}
	if err := waitForPage(ctx, fresh+` && (`+cond+`)`); err != nil {
		text := d.text("main")
		d.t.Fatalf("%s, %s: %v\npage %s:\n%.1500s", d.who, what, err, d.location(), text)
	}
}

// submit fills the fields of the form matching sel (by name: a select takes an
// option's value or its label, a checkbox is ticked when its value or label is
// given, any other field takes the value) and submits it with its own button,
// then waits for the answering page to meet cond.
func (d *desk) submit(sel string, fields map[string]string, cond string) {
	d.t.Helper()
	args, _ := json.Marshal(map[string]any{"sel": sel, "fields": fields})
	var problem string
	d.eval(`((a) => {
		const form = document.querySelector(a.sel);
		if (!form) return "no form " + a.sel;
		for (const [name, v] of Object.entries(a.fields || {})) {
			const els = [...document.querySelectorAll('[name="' + name + '"]')].filter(e => e.form === form);
			if (els.length === 0) return "no field " + name;
			for (const el of els) {
				if (el.tagName === "SELECT") {
					const o = [...el.options].find(o => o.value === v) || [...el.options].find(o => o.text.trim() === v) || [...el.options].find(o => o.text.includes(v));
					if (!o) return "no option " + v + " in " + name;
					el.value = o.value;
				} else if (el.type === "checkbox") {
					const label = el.closest("label") ? el.closest("label").innerText.trim() : "";
					if (el.value === v || label.includes(v)) el.checked = true;
				} else {
					el.value = v;
				}
			}
		}
		window.__stale = true;
		form.requestSubmit(form.querySelector('button[type="submit"]'));
		return "";
	})(`+string(args)+`)`, &problem)
	if problem != "" {
		d.t.Fatalf("%s, submit %s on %s: %s", d.who, sel, d.location(), problem)
	}
	d.waitNewPage("submit "+sel, cond)
}

// text is the visible text of the first element matching sel ("" if none).
func (d *desk) text(sel string) string {
	d.t.Helper()
	var s string
	d.eval(`(() => { const e = document.querySelector(`+jsString(sel)+`); return e ? e.innerText : ""; })()`, &s)
	return s
}

func (d *desk) location() string {
	var s string
	d.eval(`location.pathname + location.search`, &s)
	return s
}

// fetchText downloads path with the browser's session and returns the body.
func (d *desk) fetchText(path string) string {
	d.t.Helper()
	var s string
	d.eval(`fetch(`+jsString(path)+`).then(r => r.ok ? r.text() : "HTTP " + r.status)`, &s)
	return s
}

// fetchBytes downloads path with the browser's session and returns the bytes.
func (d *desk) fetchBytes(path string) []byte {
	d.t.Helper()
	var s string
	d.eval(`fetch(`+jsString(path)+`).then(r => r.arrayBuffer()).then(b => {
		let s = ""; const u = new Uint8Array(b);
		for (let i = 0; i < u.length; i++) s += String.fromCharCode(u[i]);
		return btoa(s);
	})`, &s)
	raw, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		d.t.Fatal(err)
	}
	return raw
}

// screenshot keeps a picture of the page for people to look at.
func (d *desk) screenshot(name string) {
	d.t.Helper()
	shot, err := chromedp.Run(d.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		d.t.Fatal(err)
	}
	path := filepath.Join(artifactDir(d.t), name)
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		d.t.Fatal(err)
	}
	d.t.Logf("screenshot: %s", path)
}

func jsString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// statusIs is the condition "the case page shows this case in this status".
func statusIs(number string, label string) string {
	return fmt.Sprintf(`location.pathname === "/console/cases/%s" && document.querySelector(".case-head .status").innerText.trim() === %s`,
		number, jsString(label))
}

// caseForm selects a form of the case page by the end of its action and, for
// the status forms, the status it moves to.
func caseForm(action, to string) string {
	if to == "" {
		return `form[action$="/` + action + `"]`
	}
	return `form[action$="/` + action + `"]:has(input[name="to"][value="` + to + `"])`
}

// containsAll reports the wants missing from text.
func missingFrom(text string, wants ...string) []string {
	var missing []string
	for _, w := range wants {
		if !strings.Contains(text, w) {
			missing = append(missing, w)
		}
	}
	return missing
}

package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/complaintbot/complaintbot/internal/testenv"
)

// TestBrowserFirstAdminMustChangeThePrintedPassword: the first admin signs in
// with the password printed at start-up, lands on the change-password page
// whatever they asked for, cannot open the queue before choosing their own
// password, and can afterwards.
func TestBrowserFirstAdminMustChangeThePrintedPassword(t *testing.T) {
	browser := testenv.Chromium(t)
	m := runMain(t)
	var printed bytes.Buffer
	if err := ensureFirstAdmin(context.Background(), m.DB, &printed); err != nil {
		t.Fatal(err)
	}
	match := firstAdminLine.FindStringSubmatch(printed.String())
	if match == nil {
		t.Fatalf("printed %q", printed.String())
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	const own = "my own admin password 1"
	onPasswordPage := `location.pathname === "/console/password" && document.querySelector("input[name=current]") !== null`
	steps := []struct {
		what    string
		actions []chromedp.Action[chromedp.Void]
		newPage string
	}{
		{"sign in with the printed password", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(m.URL() + "/console/login?next=%2Fconsole%2Freports"),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "admin"),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), match[1]),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		}, onPasswordPage + ` && document.body.innerText.includes("请先设置自己的新密码")`},
		{"ask for the queue", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL() + "/console/cases")}, onPasswordPage},
		{"choose a password", []chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(chromedp.CSS(`input[name="current"]`), match[1]),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), own),
			chromedp.SendKeys(chromedp.CSS(`input[name="confirm"]`), own),
			chromedp.Submit(chromedp.CSS(`input[name="confirm"]`)),
		}, `location.pathname === "/console/cases" && document.querySelector(".flash").innerText.includes("密码已修改")`},
		{"open the statistics", []chromedp.Action[chromedp.Void]{chromedp.Navigate(m.URL() + "/console/reports")},
			`location.pathname === "/console/reports" && document.querySelector(".export-links") !== null`},
	}
	for _, step := range steps {
		if err := chromedp.Do(ctx, step.actions...); err != nil {
			t.Fatalf("browser, %s: %v", step.what, err)
		}
		if err := waitForPage(ctx, step.newPage); err != nil {
			t.Fatalf("browser, after %s: %v", step.what, err)
		}
	}
	shot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(artifactDir(t), "report-after-first-password.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the statistics page: %s", path)
	if st, err := m.DB.FindStaffByUsername(context.Background(), "admin"); err != nil || st.MustChangePassword {
		t.Fatalf("admin after the change: %+v, %v", st, err)
	}
}

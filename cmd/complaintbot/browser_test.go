package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// artifactDir is where browser tests leave screenshots for people to look at.
func artifactDir(t *testing.T) string {
	dir := os.Getenv("COMPLAINTBOT_TEST_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join("testdata", "artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserMediatorAcceptsAndReplies is the desk's main path in a real browser:
// a consumer files through the simulator, a mediator signs in, finds the case,
// accepts it and replies, and the reply reaches the consumer's WeChat.
func TestBrowserMediatorAcceptsAndReplies(t *testing.T) {
	browser := testenv.Chromium(t)
	m := runMain(t)
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("browser")}
	c := fileCase(t, m, p)

	hash, err := console.HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.CreateStaff(context.Background(), storage.NewStaff{Username: "wangfang", Name: "王芳", Role: storage.RoleMediator, PasswordHash: hash}); err != nil {
		t.Fatal(err)
	}

	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(browser), chromedp.NoSandbox,
		chromedp.Flag("disable-quic", true), chromedp.WindowSize(1280, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	defer cancelTimeout()

	const reply = "您好，我们已受理您的投诉，请保留购物小票。"
	caseLink := chromedp.CSS(`a[href="/console/cases/` + c.Number + `"]`)
	accept := chromedp.CSS(`form[action$="/accept"] button`)
	// Each click below loads a new page. Waiting for an element of the old page to go
	// away is racy (the old document may already be torn down while the new one is
	// not ready), so each step waits for a condition only the new page meets.
	steps := []struct {
		what    string
		actions []chromedp.Action[chromedp.Void]
		newPage string // a JavaScript condition true once the next page is ready
	}{
		{"sign in", []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(m.URL() + "/console/login"),
			chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "wangfang"),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "correct horse battery"),
			chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		}, `document.querySelector('a[href="/console/cases/` + c.Number + `"]') !== null`},
		{"open the case", []chromedp.Action[chromedp.Void]{chromedp.Click(caseLink)},
			`document.querySelector('form[action$="/accept"] button') !== null`},
		{"accept", []chromedp.Action[chromedp.Void]{chromedp.WaitVisible(accept), chromedp.Click(accept)},
			`document.querySelector('form[action$="/accept"]') === null && document.getElementById("reply-text") !== null`},
		{"reply", []chromedp.Action[chromedp.Void]{
			chromedp.SendKeys(chromedp.ID("reply-text"), reply),
			chromedp.Submit(chromedp.ID("reply-text")),
		}, `document.querySelector(".flash") !== null && document.querySelector("main").innerText.includes("` + reply + `")`},
	}
	for _, step := range steps {
		if err := chromedp.Do(ctx, step.actions...); err != nil {
			t.Fatalf("browser, %s: %v", step.what, err)
		}
		if err := waitForPage(ctx, step.newPage); err != nil {
			t.Fatalf("browser, after %s: %v", step.what, err)
		}
	}
	caseText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	screenshot, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(artifactDir(t), "case-page.png")
	if err := os.WriteFile(shot, screenshot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the case page: %s", shot)
	for _, want := range []string{c.Number, "已受理", reply, "138****5678"} {
		if !strings.Contains(caseText, want) {
			t.Errorf("the case page should show %q", want)
		}
	}
	if strings.Contains(caseText, "13812345678") {
		t.Error("the case page shows the full phone number without a reveal")
	}
	waitPushed(t, m, p.openID, 2, reply) // 1: 已受理 notice, 2: the reply
}

// waitForPage evaluates cond until the loaded page meets it. An evaluation that
// fails because the page is navigating is simply tried again.
func waitForPage(ctx context.Context, cond string) error {
	expr := `document.readyState === "complete" && (` + cond + `)`
	var last error
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err == nil && ok {
			return nil
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the page never met %s (last error: %v)", cond, last)
}

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
)

// chromiumPath finds Debian's chromium. CI installs it (.ci/run) and sets
// COMPLAINTBOT_TEST_REQUIRE=1, so there a missing browser fails the run.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("COMPLAINTBOT_TEST_REQUIRE") == "1" {
		t.Fatal("no chromium on PATH (apt-get install chromium)")
	}
	t.Skip("no chromium on PATH")
	return ""
}

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
	browser := chromiumPath(t)
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
	err = chromedp.Do(ctx,
		chromedp.Navigate(m.URL()+"/console/login"),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "wangfang"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), "correct horse battery"),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitVisible(caseLink),
		chromedp.Click(caseLink),
		chromedp.WaitVisible(accept),
		chromedp.Click(accept),
		chromedp.WaitNotPresent(chromedp.CSS(`form[action$="/accept"]`)),
		chromedp.SendKeys(chromedp.ID("reply-text"), reply),
		chromedp.Submit(chromedp.ID("reply-text")),
		chromedp.WaitVisible(chromedp.CSS(`.flash`)),
	)
	if err != nil {
		t.Fatalf("browser: %v", err)
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

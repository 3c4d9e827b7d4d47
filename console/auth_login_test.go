package console

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage/redisstore"
)

func TestLoginSetsASafeSessionCookie(t *testing.T) {
	for _, secure := range []bool{false, true} {
		e := newAuthEnv(t, func(c *Config) { c.SecureCookies = secure })
		b := e.browser()
		w := b.login("Med1", mediatorPassword) // usernames are not case-sensitive
		if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/cases" {
			t.Fatalf("login: %d → %q\n%s", w.Code, w.Header().Get("Location"), w.Body.String())
		}
		var c *http.Cookie
		for _, rc := range w.Result().Cookies() {
			if rc.Name == sessionCookie {
				c = rc
			}
		}
		if c == nil || len(c.Value) != 43 {
			t.Fatalf("no session cookie with a 32-byte id: %v", w.Header()["Set-Cookie"])
		}
		if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure != secure {
			t.Errorf("cookie flags: HttpOnly %v SameSite %v Path %q Secure %v (want Secure %v)", c.HttpOnly, c.SameSite, c.Path, c.Secure, secure)
		}
		if c.MaxAge != 0 || !c.Expires.IsZero() {
			t.Errorf("the session cookie must not outlive the browser: Max-Age %d, Expires %v", c.MaxAge, c.Expires)
		}
		if !b.signedIn() {
			t.Fatal("the new session does not open a page")
		}
		if got := e.auditActions(); !slices.Contains(got, "login/"+idText(e.mediator.ID)+"/") {
			t.Errorf("audit %v lacks the sign-in", got)
		}
	}
}

func TestLoginIssuesANewSessionEachTime(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("med1", mediatorPassword)
	before := b.cookies[sessionCookie].Value
	stolen := e.browser()
	stolen.cookies[sessionCookie] = b.cookies[sessionCookie]
	b.mustLogin("med1", mediatorPassword)
	if b.cookies[sessionCookie].Value == before {
		t.Fatal("signing in again kept the session id")
	}
	if stolen.signedIn() {
		t.Fatal("the session from before the new sign-in still works")
	}
	if !b.signedIn() {
		t.Fatal("the new session does not work")
	}
}

func TestWrongPasswordUnknownUserAndDisabledAccountLookAlike(t *testing.T) {
	e := newAuthEnv(t)
	if err := e.store.SetStaffDisabled(t.Context(), e.sup.ID, true); err != nil {
		t.Fatal(err)
	}
	cases := []struct{ user, pw, detail string }{
		{"med1", "wrong-password-1", "login_failed/" + idText(e.mediator.ID) + "/密码错误"},
		{"nobody", "wrong-password-2", "login_failed/#0/用户名不存在"},
		{"sup1", supPassword, "login_failed/" + idText(e.sup.ID) + "/账号已停用"},
	}
	for _, c := range cases {
		b := e.browser()
		w := b.login(c.user, c.pw)
		if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "用户名或密码错误") {
			t.Errorf("%s: %d\n%s", c.user, w.Code, w.Body.String())
		}
		if b.cookies[sessionCookie] != nil {
			t.Errorf("%s: a failed sign-in set a session cookie", c.user)
		}
		if got := e.auditActions(); !slices.Contains(got, c.detail) {
			t.Errorf("%s: audit %v lacks %q", c.user, got, c.detail)
		}
	}
}

// Wrong passwords from one address lock that address out of that account, not
// the owner signing in from their own address.
func TestLoginFailuresLockOutTheirAddressNotTheOwner(t *testing.T) {
	e := newAuthEnv(t)
	attacker := e.browser()
	for i := range 5 {
		if w := attacker.login("med1", "guess-number-"+string(rune('a'+i))); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, w.Code)
		}
	}
	// From the attacker's address even the right password is refused now.
	w := attacker.login("med1", mediatorPassword)
	if w.Code != http.StatusTooManyRequests || !strings.Contains(w.Body.String(), "尝试次数过多，请 15 分钟后再试") {
		t.Fatalf("6th attempt from the address: %d\n%s", w.Code, w.Body.String())
	}
	if w.Header().Get("Retry-After") == "" || attacker.cookies[sessionCookie] != nil {
		t.Fatal("a throttled answer needs Retry-After and no session")
	}
	owner := e.browser()
	owner.addr = "198.51.100.7:1000"
	owner.mustLogin("med1", mediatorPassword)
	attacker.mustLogin("sup1", supPassword) // the address may still use other accounts
	e.advance(15 * time.Minute)
	attacker.mustLogin("med1", mediatorPassword)
}

// Guessing spread over many addresses, a few guesses each, meets the account's
// ceiling of 50 failures: then the account is refused from everywhere.
func TestLoginAccountCeilingStopsGuessingFromManyAddresses(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser()
	for i := range 50 {
		b.addr = fmt.Sprintf("203.0.113.%d:4000", i/4) // 4 guesses per address: under the pair's 5
		if w := b.login("med1", fmt.Sprintf("spread-guess-%02d", i)); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, w.Code)
		}
	}
	owner := e.browser()
	owner.addr = "198.51.100.7:1000"
	if w := owner.login("med1", mediatorPassword); w.Code != http.StatusTooManyRequests {
		t.Fatalf("the owner after 50 failures from many addresses: %d, want 429", w.Code)
	}
	owner.mustLogin("sup1", supPassword) // other accounts are not affected
	e.advance(15 * time.Minute)
	owner.mustLogin("med1", mediatorPassword)
}

func TestLoginIsThrottledPerAddress(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser()
	for i := range 30 { // many accounts, few guesses each: the account limit never trips
		user := "user" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		if w := b.login(user, "wrong-password-x"); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, w.Code)
		}
	}
	if w := b.login("med1", mediatorPassword); w.Code != http.StatusTooManyRequests {
		t.Fatalf("31st attempt from the address: %d", w.Code)
	}
	other := e.browser()
	other.addr = "203.0.113.9:4000"
	other.mustLogin("med1", mediatorPassword)
}

func TestLoginFormNeedsItsToken(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser()
	form := url.Values{"username": {"med1"}, "password": {mediatorPassword}}
	if w := b.do("POST", "/console/login", form); w.Code != http.StatusForbidden {
		t.Fatalf("sign-in without the form's token: %d", w.Code)
	}
	b.token("/console/login")
	form.Set("csrf", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	if w := b.do("POST", "/console/login", form); w.Code != http.StatusForbidden || b.cookies[sessionCookie] != nil {
		t.Fatalf("sign-in with a foreign token: %d", w.Code)
	}
}

func TestLoginGoesToNextOnlyWithinTheConsole(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser()
	w := b.do("GET", "/console/tokens", nil)
	if w.Code != http.StatusSeeOther || w.Header().Get("Location") != "/console/login?next=%2Fconsole%2Ftokens" {
		t.Fatalf("anonymous page: %d → %q", w.Code, w.Header().Get("Location"))
	}
	token := b.token("/console/login?next=%2Fconsole%2Ftokens")
	w = b.do("POST", "/console/login", url.Values{"username": {"med1"}, "password": {mediatorPassword},
		"csrf": {token}, "next": {"/console/tokens"}})
	if w.Header().Get("Location") != "/console/tokens" {
		t.Fatalf("next kept: → %q", w.Header().Get("Location"))
	}
}

func TestSafeNext(t *testing.T) {
	for raw, want := range map[string]string{
		"":                              "/console/cases",
		"/console/cases/TS-2026-1?x=1":  "/console/cases/TS-2026-1?x=1",
		"/console/staff":                "/console/staff",
		"https://evil.example/console/": "/console/cases",
		"//evil.example/console/":       "/console/cases",
		"/\\evil.example/console/":      "/console/cases",
		"/console/../../evil":           "/console/cases",
		"/console/%2e%2e/evil":          "/console/cases",
		"/console/login":                "/console/cases",
		"javascript:alert(1)":           "/console/cases",
		"/other":                        "/console/cases",
		"/console//evil.example":        "/console/evil.example",
	} {
		if got := safeNext(raw); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", raw, got, want)
		}
	}
}

func TestLogoutEndsTheSessionEverywhere(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("med1", mediatorPassword)
	copyOfCookie := e.browser()
	copyOfCookie.cookies[sessionCookie] = b.cookies[sessionCookie]

	if w := b.do("POST", "/console/logout", url.Values{}); w.Code != http.StatusForbidden || !b.signedIn() {
		t.Fatalf("logout without the CSRF token must be refused and change nothing: %d", w.Code)
	}
	w := b.post("/console/tokens", "/console/logout", nil)
	if w.Code != http.StatusSeeOther || !strings.HasPrefix(w.Header().Get("Location"), "/console/login") {
		t.Fatalf("logout: %d → %q", w.Code, w.Header().Get("Location"))
	}
	if b.cookies[sessionCookie] != nil {
		t.Fatal("logout did not clear the cookie")
	}
	if copyOfCookie.signedIn() {
		t.Fatal("the old cookie still works after logout")
	}
	if got := e.auditActions(); !slices.Contains(got, "logout/"+idText(e.mediator.ID)+"/") {
		t.Errorf("audit %v lacks the logout", got)
	}
}

func TestSessionIdleExpiry(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("med1", mediatorPassword)
	for range 4 { // two hours, a request every 25 minutes
		e.advance(25 * time.Minute)
		if !b.signedIn() {
			t.Fatalf("a session in use expired")
		}
	}
	e.advance(31 * time.Minute)
	if b.signedIn() {
		t.Fatal("a session idle for 31 minutes still works")
	}
}

func TestSessionAbsoluteExpiry(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("med1", mediatorPassword)
	for elapsed := time.Duration(0); elapsed < 11*time.Hour+40*time.Minute; elapsed += 20 * time.Minute {
		e.advance(20 * time.Minute)
		if !b.signedIn() {
			t.Fatalf("a session in use expired after %v", elapsed)
		}
	}
	e.advance(20 * time.Minute)
	if b.signedIn() {
		t.Fatal("a session still works 12 hours after sign-in")
	}
}

func TestDisabledStaffIsSignedOut(t *testing.T) {
	e := newAuthEnv(t)
	med := e.browser().mustLogin("med1", mediatorPassword)
	admin := e.browser().mustLogin("admin1", adminPassword)
	admin.addr = "192.0.2.20:1"
	if w := admin.post("/console/staff", "/console/staff/"+itoa(e.mediator.ID)+"/disable", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("disable: %d\n%s", w.Code, w.Body.String())
	}
	if med.signedIn() {
		t.Fatal("a disabled person's session still works")
	}
	if w := e.browser().login("med1", mediatorPassword); w.Code != http.StatusUnauthorized {
		t.Fatalf("a disabled account signed in: %d", w.Code)
	}
	if w := admin.post("/console/staff", "/console/staff/"+itoa(e.mediator.ID)+"/enable", nil); w.Code != http.StatusSeeOther {
		t.Fatalf("enable: %d", w.Code)
	}
	e.browser().mustLogin("med1", mediatorPassword)
	got := e.auditActions()
	for _, want := range []string{"staff_disable/" + idText(e.admin.ID) + "/停用账号 " + idText(e.mediator.ID),
		"staff_disable/" + idText(e.admin.ID) + "/启用账号 " + idText(e.mediator.ID)} {
		if !slices.Contains(got, want) {
			t.Errorf("audit %v lacks %q", got, want)
		}
	}
}

// A session that survives only because the account check is skipped would be a
// hole: disabling in the store alone (as the command line does) must be enough.
func TestDisabledInTheStoreIsNobody(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("med1", mediatorPassword)
	if err := e.store.SetStaffDisabled(t.Context(), e.mediator.ID, true); err != nil {
		t.Fatal(err)
	}
	if b.signedIn() {
		t.Fatal("a disabled account's session still opens pages")
	}
}

// Without Redis there is no throttle to ask and no session to store: sign-in
// must refuse rather than allow unlimited guessing.
func TestLoginFailsClosedWithoutRedis(t *testing.T) {
	// Nothing listens on port 1; no retries, so the test is quick.
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialerRetries: 1})
	t.Cleanup(func() { _ = dead.Close() })
	e := newAuthEnv(t, func(c *Config) {
		c.Sessions = redisstore.NewSessions(dead, redisstore.SessionOptions{})
		c.Throttle = redisstore.NewLoginThrottle(dead, redisstore.ThrottleOptions{})
	})
	b := e.browser()
	w := b.login("med1", mediatorPassword)
	if w.Code != http.StatusServiceUnavailable || b.cookies[sessionCookie] != nil || !strings.Contains(w.Body.String(), "系统繁忙") {
		t.Fatalf("sign-in with Redis down: %d", w.Code)
	}
}

// countPasswordChecks makes every bcrypt comparison count itself and hold until
// the throttle's allowance of 5 checks are all in progress at once, so parallel
// requests really overlap: the throttle must refuse the rest before any of the 5
// could have been recorded as a failure. Were fewer than 5 let through, they are
// released after a safety timeout and the count assertion fails; were more let
// through, the extra checks are counted too.
func countPasswordChecks(t *testing.T) *atomic.Int32 {
	const allowance = 5
	var n atomic.Int32
	allIn := make(chan struct{})
	var once sync.Once
	orig := webauth.ComparePassword
	webauth.ComparePassword = func(hash, password []byte) error {
		if n.Add(1) >= allowance {
			once.Do(func() { close(allIn) })
		}
		select {
		case <-allIn:
		case <-time.After(10 * time.Second):
		}
		return orig(hash, password)
	}
	t.Cleanup(func() { webauth.ComparePassword = orig })
	return &n
}

// sendTogether sends one request per browser at once and returns the statuses.
func sendTogether(browsers []*browser, target string, forms []url.Values) []int {
	codes := make([]int, len(browsers))
	var wg sync.WaitGroup
	for i, b := range browsers {
		wg.Go(func() { codes[i] = b.do("POST", target, forms[i]).Code })
	}
	wg.Wait()
	return codes
}

// wantFiveChecksThenThrottled checks that of parallel wrong guesses, exactly the
// account's 5 had their password checked and the rest were refused unchecked.
func wantFiveChecksThenThrottled(t *testing.T, codes []int, checks int32, wrong int) {
	t.Helper()
	count := map[int]int{}
	for _, c := range codes {
		count[c]++
	}
	if checks != 5 || count[wrong] != 5 || count[http.StatusTooManyRequests] != len(codes)-5 {
		t.Fatalf("%d parallel guesses: %d password checks, answers %v; want 5 checks, 5 × %d and the rest 429",
			len(codes), checks, count, wrong)
	}
}

func TestParallelSignInGuessesCannotOutrunTheThrottle(t *testing.T) {
	e := newAuthEnv(t)
	checks := countPasswordChecks(t)
	const n = 20
	browsers, forms := make([]*browser, n), make([]url.Values, n)
	for i := range n {
		browsers[i] = e.browser()
		forms[i] = url.Values{"username": {"med1"}, "password": {fmt.Sprintf("parallel-guess-%02d", i)},
			"csrf": {browsers[i].token("/console/login")}}
	}
	codes := sendTogether(browsers, "/console/login", forms)
	wantFiveChecksThenThrottled(t, codes, checks.Load(), http.StatusUnauthorized)
	failed := 0
	for _, a := range e.auditActions() {
		if a == "login_failed/"+idText(e.mediator.ID)+"/密码错误" {
			failed++
		}
	}
	if failed != 5 {
		t.Errorf("%d wrong-password audit entries, want 5", failed)
	}
	// From the guessers' address the right password is refused too now, and
	// without a password check; the owner at another address gets in.
	if w := e.browser().login("med1", mediatorPassword); w.Code != http.StatusTooManyRequests || checks.Load() != 5 {
		t.Fatalf("the right password from the guessers' address: %d, %d password checks", w.Code, checks.Load())
	}
	owner := e.browser()
	owner.addr = "198.51.100.7:1000"
	owner.mustLogin("med1", mediatorPassword)
}

func TestParallelCurrentPasswordGuessesCannotOutrunTheThrottle(t *testing.T) {
	e := newAuthEnv(t)
	signedIn := e.browser().mustLogin("med1", mediatorPassword)
	token := signedIn.token("/console/password")
	checks := countPasswordChecks(t)
	const n = 20
	browsers, forms := make([]*browser, n), make([]url.Values, n)
	for i := range n {
		b := e.browser()
		b.cookies[sessionCookie] = signedIn.cookies[sessionCookie]
		browsers[i] = b
		forms[i] = url.Values{"current": {fmt.Sprintf("parallel-guess-%02d", i)}, "csrf": {token},
			"password": {"new-password-0009"}, "confirm": {"new-password-0009"}}
	}
	e.secret("new-password-0009")
	codes := sendTogether(browsers, "/console/password", forms)
	wantFiveChecksThenThrottled(t, codes, checks.Load(), http.StatusUnauthorized)
}

// A success gives the address its attempt back: an office behind one address
// signs in all day long.
func TestSuccessfulSignInsDoNotUseUpTheAddress(t *testing.T) {
	e := newAuthEnv(t)
	for range 40 {
		e.browser().mustLogin("sup1", supPassword)
	}
	for i := range 29 {
		if w := e.browser().login(fmt.Sprintf("nobody%02d", i), "wrong-password-x"); w.Code != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i+1, w.Code)
		}
	}
	e.browser().mustLogin("med1", mediatorPassword) // the 30th attempt from the address
	if w := e.browser().login("nobody30", "wrong-password-x"); w.Code != http.StatusUnauthorized {
		t.Fatalf("30th failure: %d", w.Code)
	}
	if w := e.browser().login("med1", mediatorPassword); w.Code != http.StatusTooManyRequests {
		t.Fatalf("after 30 failures from the address: %d", w.Code)
	}
}

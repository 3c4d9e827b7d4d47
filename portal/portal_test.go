package portal_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/portal"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/redisstore"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// eachDialect runs fn on SQLite and PostgreSQL.
func eachDialect(t *testing.T, fn func(t *testing.T, db *sqlstore.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, testenv.SQLite(t, sqlstore.Open)) })
	t.Run("postgres", func(t *testing.T) { fn(t, testenv.Postgres(t, sqlstore.Open)) })
}

// env is a portal over a real store with one merchant's referred case, one of
// its cases not referred, and another merchant's referred case.
type env struct {
	t                            *testing.T
	db                           *sqlstore.DB
	srv                          *httptest.Server
	supervisor                   storage.By
	mine, theirs                 *storage.Merchant
	referred, notReferred, other *storage.Case
	blobs                        storage.BlobStore // where evidence bytes go
}

func newEnv(t *testing.T, db *sqlstore.DB) *env {
	t.Helper()
	return newEnvWith(t, db, nil)
}

// newEnvWith is newEnv with the portal's configuration adjusted (its Blobs are
// where the env stores evidence bytes; nil means db).
func newEnvWith(t *testing.T, db *sqlstore.DB, adjust func(*portal.Config)) *env {
	t.Helper()
	old := webauth.PasswordCost
	webauth.PasswordCost = bcrypt.MinCost
	t.Cleanup(func() { webauth.PasswordCost = old })
	ctx := context.Background()
	boss, err := db.CreateStaff(ctx, storage.NewStaff{Username: "boss", Name: "主管", Role: storage.RoleSupervisor, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, supervisor: storage.By{Actor: boss.Actor(), IP: "10.0.0.1"}}
	e.mine = e.merchant("甲超市")
	e.theirs = e.merchant("乙超市")
	e.referred = e.newCase("k1", e.mine, true)
	e.notReferred = e.newCase("k2", e.mine, false)
	e.other = e.newCase("k3", e.theirs, true)

	rdb := testenv.NewRedis(t)
	cfg := portal.Config{Store: db, OrgName: "某市消委会",
		Sessions: redisstore.NewSessions(rdb, redisstore.SessionOptions{Prefix: "cb:portal"}),
		Throttle: redisstore.NewLoginThrottle(rdb, redisstore.ThrottleOptions{Prefix: "cb:portal"})}
	if adjust != nil {
		adjust(&cfg)
	}
	e.blobs = cfg.Blobs
	if e.blobs == nil {
		e.blobs = db
	}
	srv, err := portal.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(srv)
	t.Cleanup(e.srv.Close)
	return e
}

func (e *env) merchant(name string) *storage.Merchant {
	m, err := e.db.CreateMerchant(context.Background(), storage.MerchantInput{Name: name, OnPlatform: true,
		PlatformSince: "2026-01-05", By: e.supervisor})
	if err != nil {
		e.t.Fatal(err)
	}
	return m
}

// newCase files a case against m with one photo, takes it into mediation and,
// if refer, refers it to the settlement platform.
func (e *env) newCase(key string, m *storage.Merchant, refer bool) *storage.Case {
	return e.newCaseWith(key, m, refer, []storage.NewEvidence{{Kind: "image", MediaID: "media-" + key}})
}

// newCaseWith is newCase with the evidence given.
func (e *env) newCaseWith(key string, m *storage.Merchant, refer bool, evidence []storage.NewEvidence) *storage.Case {
	ctx := context.Background()
	c, err := e.db.CreateCase(ctx, "TS", storage.NewCase{OpenID: "o-" + key, IntakeKey: key, Category: "食品安全",
		MerchantName: m.Name, AmountFen: 12_950, Description: "买到过期牛奶 " + key, Demand: "退款",
		ComplainantName: "张三", Phone: "13800138000", Evidence: evidence})
	if err != nil {
		e.t.Fatal(err)
	}
	if c, err = e.db.LinkCaseMerchant(ctx, c.ID, m.ID, e.supervisor); err != nil {
		e.t.Fatal(err)
	}
	moves := []storage.Status{storage.StatusAccepted, storage.StatusMediating}
	if refer {
		moves = append(moves, storage.StatusReferred)
	}
	for _, to := range moves {
		ch := storage.StatusChange{CaseID: c.ID, To: to, Actor: e.supervisor.Actor, IP: "10.0.0.1"}
		if to == storage.StatusReferred {
			ch.Reason = storage.MerchantReferral
		}
		if c, err = e.db.ChangeStatus(ctx, ch); err != nil {
			e.t.Fatalf("move %s to %s: %v", c.Number, to, err)
		}
	}
	return c
}

// browser is a cookie-keeping client that does not follow redirects.
type browser struct {
	t *testing.T
	c *http.Client
	e *env
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	t      *testing.T
	status int
	header http.Header
	body   string
}

func (b *browser) do(method, path string, form url.Values) *resp {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.srv.URL+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return &resp{t: b.t, status: res.StatusCode, header: res.Header, body: string(data)}
}

func (r *resp) want(status int) *resp {
	r.t.Helper()
	if r.status != status {
		r.t.Fatalf("status %d, want %d\n%s", r.status, status, r.body)
	}
	return r
}

func (r *resp) contains(s ...string) *resp {
	r.t.Helper()
	for _, w := range s {
		if !strings.Contains(r.body, w) {
			r.t.Errorf("body lacks %q\n%s", w, r.body)
		}
	}
	return r
}

func (r *resp) lacks(s ...string) *resp {
	r.t.Helper()
	for _, w := range s {
		if strings.Contains(r.body, w) {
			r.t.Errorf("body holds %q", w)
		}
	}
	return r
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the CSRF token of the page's first form.
func (r *resp) csrf() string {
	r.t.Helper()
	m := csrfInput.FindStringSubmatch(r.body)
	if m == nil {
		r.t.Fatalf("no csrf field in\n%s", r.body)
	}
	return m[1]
}

func TestPortalInvitationSignInAndOnlyOwnCases(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		token := "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ"
		if _, err := db.CreateMerchantInvitation(ctx, e.mine.ID, webauth.HashToken(token), e.supervisor); err != nil {
			t.Fatal(err)
		}
		b := e.browser()
		b.do("GET", "/portal/invite/wrong", nil).want(http.StatusNotFound).contains("邀请链接无效")
		page := b.do("GET", "/portal/invite/"+token, nil).want(http.StatusOK).contains("甲超市")
		if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
			t.Fatalf("CSP %q", csp)
		}
		form := url.Values{"csrf": {page.csrf()}, "username": {"Shop.Li"}, "name": {"李店长"},
			"password": {"short"}, "password2": {"short"}}
		b.do("POST", "/portal/invite/"+token, form).want(http.StatusBadRequest).contains("密码至少需要 10 个字符")
		form.Set("password", "long enough pw")
		form.Set("password2", "long enough pw")
		bad := url.Values{}
		for k, v := range form {
			bad[k] = v
		}
		bad.Set("csrf", "forged")
		b.do("POST", "/portal/invite/"+token, bad).want(http.StatusBadRequest).contains("页面已过期")
		b.do("POST", "/portal/invite/"+token, form).want(http.StatusSeeOther)
		b.do("GET", "/portal/invite/"+token, nil).want(http.StatusNotFound)

		list := b.do("GET", "/portal/cases", nil).want(http.StatusOK)
		list.contains(e.referred.Number, "李店长").lacks(e.notReferred.Number, e.other.Number, "13800138000")
		b.do("GET", "/portal/cases/"+e.referred.Number, nil).want(http.StatusOK).
			contains("买到过期牛奶 k1", "张三", "13800138000", "退款", "129.50")
		for _, n := range []string{e.notReferred.Number, e.other.Number, "TS-2026-999999"} {
			b.do("GET", "/portal/cases/"+n, nil).want(http.StatusNotFound).lacks("买到过期牛奶")
		}
		b.do("GET", "/portal/cases/"+e.other.Number+"/evidence/1", nil).want(http.StatusNotFound)
		b.do("GET", "/portal/api/v1/cases", nil).want(http.StatusOK).contains(e.referred.Number).
			lacks(e.notReferred.Number, e.other.Number, "13800138000")
		b.do("GET", "/portal/api/v1/cases/"+e.referred.Number, nil).want(http.StatusOK).contains(`"phone":"13800138000"`)
		for _, n := range []string{e.notReferred.Number, e.other.Number} {
			b.do("GET", "/portal/api/v1/cases/"+n, nil).want(http.StatusNotFound).contains("not_found").lacks("买到过期牛奶")
		}
		e.browser().do("GET", "/portal/api/v1/cases", nil).want(http.StatusUnauthorized)
		action := storage.AuditPortalCase
		if _, n, _ := db.FindAudit(ctx, storage.AuditFilter{Action: &action}); n != 2 {
			t.Fatalf("case views audited %d, want 2 (page and API)", n)
		}

		// Logging out needs the session's CSRF token and ends the session.
		b.do("POST", "/portal/logout", url.Values{}).want(http.StatusForbidden)
		b.do("POST", "/portal/logout", url.Values{"csrf": {list.csrf()}}).want(http.StatusSeeOther)
		b.do("GET", "/portal/cases", nil).want(http.StatusSeeOther)

		login := b.do("GET", "/portal/login", nil).want(http.StatusOK)
		b.do("POST", "/portal/login", url.Values{"csrf": {login.csrf()}, "username": {"shop.li"}, "password": {"wrong password"}}).
			want(http.StatusUnauthorized).contains("用户名或密码错误")
		b.do("POST", "/portal/login", url.Values{"csrf": {login.csrf()}, "username": {"shop.li"}, "password": {"long enough pw"}}).
			want(http.StatusSeeOther)
		page = b.do("GET", "/portal/cases/"+e.referred.Number, nil).want(http.StatusOK).contains("提出和解方案")

		// Proposing: another merchant's case is not found; bad input is said.
		propose := url.Values{"csrf": {page.csrf()}, "remedy": {"退款"}, "amount": {"99.5"}, "pay_by": {"2099-12-31"}}
		b.do("POST", "/portal/cases/"+e.other.Number+"/proposal", propose).want(http.StatusNotFound)
		b.do("POST", "/portal/cases/"+e.notReferred.Number+"/proposal", propose).want(http.StatusNotFound)
		bad = url.Values{"csrf": {page.csrf()}, "remedy": {"退款"}, "amount": {"-1"}, "pay_by": {"2099-12-31"}}
		b.do("POST", "/portal/cases/"+e.referred.Number+"/proposal", bad).want(http.StatusBadRequest).contains("金额格式不正确")
		b.do("POST", "/portal/cases/"+e.referred.Number+"/proposal", url.Values{"remedy": {"退款"}}).want(http.StatusForbidden)
		b.do("POST", "/portal/cases/"+e.referred.Number+"/proposal", propose).want(http.StatusSeeOther)
		b.do("GET", "/portal/cases/"+e.referred.Number, nil).want(http.StatusOK).
			contains("退款，金额 ¥99.50，2099-12-31 前付款/履行", "等待消费者答复").lacks("提交方案")
		props, err := db.CaseProposals(ctx, e.referred.ID)
		if err != nil || len(props) != 1 || props[0].AmountFen != 9950 {
			t.Fatalf("proposals %+v, %v", props, err)
		}

		// A disabled account is refused on its next request and at sign-in.
		acc, err := db.FindMerchantAccountByUsername(ctx, "shop.li")
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetMerchantAccountDisabled(ctx, e.mine.ID, acc.ID, true, e.supervisor); err != nil {
			t.Fatal(err)
		}
		b.do("GET", "/portal/cases", nil).want(http.StatusSeeOther)
		login = b.do("GET", "/portal/login", nil).want(http.StatusOK)
		b.do("POST", "/portal/login", url.Values{"csrf": {login.csrf()}, "username": {"shop.li"}, "password": {"long enough pw"}}).
			want(http.StatusUnauthorized)

		// Another browser without a session sees nothing.
		e.browser().do("GET", "/portal/cases/"+e.referred.Number, nil).want(http.StatusSeeOther)
	})
}

func TestPortalSignInIsThrottled(t *testing.T) {
	e := newEnv(t, testenv.SQLite(t, sqlstore.Open))
	b := e.browser()
	login := b.do("GET", "/portal/login", nil).want(http.StatusOK)
	var last *resp
	for range 12 {
		last = b.do("POST", "/portal/login", url.Values{"csrf": {login.csrf()}, "username": {"nobody"}, "password": {"wrong password"}})
		if last.status == http.StatusTooManyRequests {
			break
		}
	}
	last.want(http.StatusTooManyRequests).contains("尝试次数过多")
}

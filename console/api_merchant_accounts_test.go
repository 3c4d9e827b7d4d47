package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/redisstore"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// TestAPIMerchantAccountsOnPostgres runs TestAPIMerchantAccounts on PostgreSQL too.
func TestAPIMerchantAccountsOnPostgres(t *testing.T) {
	testenv.Postgres(t, sqlstore.Open) // skips or fails here when no server is configured
	defer func(open func(*testing.T) *sqlstore.DB) { apiOpenStore = open }(apiOpenStore)
	apiOpenStore = func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) }
	TestAPIMerchantAccounts(t)
}

// apiMerchantAccountOut is a portal account as a client reads it.
type apiMerchantAccountOut struct {
	ID         int64  `json:"id"`
	MerchantID int64  `json:"merchant_id"`
	Username   string `json:"username"`
	Name       string `json:"name"`
	Disabled   bool   `json:"disabled"`
	MustChange bool   `json:"must_change"`
}

// merchantAccountsEnv is the API with portal sessions in Redis, a merchant on
// the platform (m), another one (other) and one not on it (off).
type merchantAccountsEnv struct {
	*apiEnv
	portalSessions storage.SessionStore
	m, other, off  *storage.Merchant
}

func newMerchantAccountsEnv(t *testing.T) *merchantAccountsEnv {
	t.Helper()
	e := &merchantAccountsEnv{apiEnv: newAPIEnv(t),
		portalSessions: redisstore.NewSessions(testenv.NewRedis(t), redisstore.SessionOptions{Prefix: "cb:portal"})}
	srv, err := console.New(console.Config{Store: e.db, Sessions: e.sessions, OrgName: "某市消费者委员会",
		CasePrefix: "TS", PhoneSearches: testPhoneSearches(t), PortalSessions: e.portalSessions})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = srv
	by := storage.By{Actor: e.supervisor.Actor()}
	merchant := func(in storage.MerchantInput) *storage.Merchant {
		in.By = by
		m, err := e.db.CreateMerchant(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	e.m = merchant(storage.MerchantInput{Name: "入驻店", OnPlatform: true, PlatformSince: "2026-01-02"})
	e.other = merchant(storage.MerchantInput{Name: "别家店", OnPlatform: true, PlatformSince: "2026-01-02"})
	e.off = merchant(storage.MerchantInput{Name: "未入驻店"})
	return e
}

// audits counts the audit entries of an action by the supervisor.
func (e *merchantAccountsEnv) audits(action string) int {
	e.t.Helper()
	entries, _, err := e.db.FindAudit(context.Background(), storage.AuditFilter{Action: &action})
	if err != nil {
		e.t.Fatal(err)
	}
	n := 0
	for _, en := range entries {
		if en.StaffID == e.supervisor.ID {
			n++
		}
	}
	return n
}

func TestAPIMerchantAccounts(t *testing.T) {
	e := newMerchantAccountsEnv(t)
	ctx := context.Background()
	sup, med := e.as(e.supervisor), e.as(e.mediator)
	base := "/api/v1/merchants/" + apiItoa(e.m.ID)

	// Mediators may not, as on the page; unknown merchants are not found.
	e.do("GET", base+"/accounts", med, "").fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	e.do("POST", base+"/invitations", med, "").fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	for _, path := range []string{"/api/v1/merchants/99999/accounts", "/api/v1/merchants/x/accounts"} {
		e.do("GET", path, sup, "").fails(t, http.StatusNotFound, storage.ENOTFOUND)
	}
	e.do("POST", "/api/v1/merchants/99999/invitations", sup, "").fails(t, http.StatusNotFound, storage.ENOTFOUND)
	e.do("POST", "/api/v1/merchants/"+apiItoa(e.off.ID)+"/invitations", sup, "").fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", base+"/invitations", sup, `{"ttl":1}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	var empty struct{ Items []apiMerchantAccountOut }
	e.do("GET", base+"/accounts", sup, "").ok(t, http.StatusOK, &empty)
	if empty.Items == nil || len(empty.Items) != 0 {
		t.Fatalf("accounts before any invitation: %+v", empty)
	}
	if n := e.audits(storage.AuditMerchantInvite); n != 0 {
		t.Fatalf("refused invitations audited: %d", n)
	}

	// The invitation: its link once, stored by the token's hash, audited.
	res := e.do("POST", base+"/invitations", sup, "")
	var inv struct {
		ID         int64     `json:"id"`
		MerchantID int64     `json:"merchant_id"`
		Link       string    `json:"link"`
		ExpiresAt  time.Time `json:"expires_at"`
	}
	res.ok(t, http.StatusCreated, &inv)
	token := regexp.MustCompile(`^http://example\.com/portal/invite/([A-Za-z0-9_-]{43})$`).FindStringSubmatch(inv.Link)
	if token == nil || inv.MerchantID != e.m.ID || inv.ID == 0 {
		t.Fatalf("invitation %+v", inv)
	}
	if want := e.clock.Add(storage.InvitationTTL); inv.ExpiresAt.Sub(want).Abs() > time.Minute {
		t.Fatalf("expires at %v, want about %v", inv.ExpiresAt, want)
	}
	if cc := res.header.Get("Cache-Control"); cc != "no-store" {
		t.Fatalf("Cache-Control %q", cc)
	}
	if _, err := e.db.FindMerchantInvitation(ctx, console.HashToken(token[1])); err != nil {
		t.Fatalf("invitation not stored by its hash: %v", err)
	}
	if n := e.audits(storage.AuditMerchantInvite); n != 1 {
		t.Fatalf("invitation audit entries = %d, want 1", n)
	}

	acc, err := e.db.AcceptMerchantInvitation(ctx, storage.InvitationAcceptance{TokenHash: console.HashToken(token[1]),
		Username: "shop.li", Name: "李店长", PasswordHash: "$2a$10$secrethashsecrethashsecrethashsecrethashsecrethashsec"})
	if err != nil {
		t.Fatal(err)
	}
	session, err := e.portalSessions.CreateSession(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	list := e.do("GET", base+"/accounts", sup, "")
	var accounts struct{ Items []apiMerchantAccountOut }
	list.ok(t, http.StatusOK, &accounts)
	if len(accounts.Items) != 1 || accounts.Items[0] != (apiMerchantAccountOut{ID: acc.ID, MerchantID: e.m.ID,
		Username: "shop.li", Name: "李店长"}) {
		t.Fatalf("accounts %+v", accounts)
	}
	if body := string(list.body); strings.Contains(body, "password") || strings.Contains(body, "secrethash") {
		t.Fatalf("the list shows a password hash: %s", body)
	}
	var otherAccounts struct{ Items []apiMerchantAccountOut }
	e.do("GET", "/api/v1/merchants/"+apiItoa(e.other.ID)+"/accounts", sup, "").ok(t, http.StatusOK, &otherAccounts)
	if len(otherAccounts.Items) != 0 {
		t.Fatalf("another merchant lists %+v", otherAccounts)
	}

	// The account through another merchant, or a made-up one: not found, nothing changed.
	accPath := base + "/accounts/" + apiItoa(acc.ID)
	elsewhere := "/api/v1/merchants/" + apiItoa(e.other.ID) + "/accounts/" + apiItoa(acc.ID)
	for _, path := range []string{elsewhere + "/disable", elsewhere + "/enable", base + "/accounts/99999/disable",
		base + "/accounts/x/disable", "/api/v1/merchants/99999/accounts/" + apiItoa(acc.ID) + "/disable"} {
		e.do("POST", path, sup, "").fails(t, http.StatusNotFound, storage.ENOTFOUND)
	}
	e.do("POST", elsewhere+"/password", sup, `{"password":"chosen by boss"}`).fails(t, http.StatusNotFound, storage.ENOTFOUND)
	e.do("POST", accPath+"/disable", med, "").fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	if got, err := e.db.FindMerchantAccount(ctx, acc.ID); err != nil || got.Disabled || got.MustChange {
		t.Fatalf("account after refused requests %+v, %v", got, err)
	}
	if _, err := e.portalSessions.FindSession(ctx, session.ID); err != nil {
		t.Fatalf("a refused request ended the portal session: %v", err)
	}
	if n := e.audits(storage.AuditPortalAccountDisable); n != 0 {
		t.Fatalf("refused requests audited: %d", n)
	}

	// 停用: the account, its portal session ends, audited; 启用 back.
	var got apiMerchantAccountOut
	e.do("POST", accPath+"/disable", sup, "").ok(t, http.StatusOK, &got)
	if !got.Disabled || got.ID != acc.ID {
		t.Fatalf("disabled answer %+v", got)
	}
	if stored, err := e.db.FindMerchantAccount(ctx, acc.ID); err != nil || !stored.Disabled {
		t.Fatalf("stored %+v, %v", stored, err)
	}
	if _, err := e.portalSessions.FindSession(ctx, session.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("the disabled account's portal session lives on: %v", err)
	}
	e.do("POST", accPath+"/enable", sup, "{}").ok(t, http.StatusOK, &got)
	if got.Disabled {
		t.Fatalf("enabled answer %+v", got)
	}
	if n := e.audits(storage.AuditPortalAccountDisable); n != 2 {
		t.Fatalf("disable/enable audit entries = %d, want 2", n)
	}

	// 重置密码: the console's rules, must_change, sessions end, audited.
	session, err = e.portalSessions.CreateSession(ctx, acc.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.do("POST", accPath+"/password", sup, `{"password":"short"}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", accPath+"/password", sup, `{"pasword":"chosen by boss"}`).fails(t, http.StatusBadRequest, storage.EINVALID)
	e.do("POST", accPath+"/password", sup, `{"password":"chosen by boss"}`).ok(t, http.StatusOK, &got)
	stored, err := e.db.FindMerchantAccount(ctx, acc.ID)
	if err != nil || !got.MustChange || !stored.MustChange || stored.PasswordHash == acc.PasswordHash {
		t.Fatalf("reset answer %+v, stored %+v, %v", got, stored, err)
	}
	if _, err := e.portalSessions.FindSession(ctx, session.ID); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("the reset account's portal session lives on: %v", err)
	}
	if n := e.audits(storage.AuditPortalPassword); n != 1 {
		t.Fatalf("password audit entries = %d, want 1", n)
	}
}

// TestAPIMerchantAccountsAnyUnitsSupervisor: merchants are system-wide, so a
// district's supervisor manages portal accounts as on the merchant's page;
// a session-cookie POST still needs its CSRF token.
func TestAPIMerchantAccountsAnyUnitsSupervisor(t *testing.T) {
	e := newMerchantAccountsEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	district, err := e.db.CreateStaff(context.Background(), storage.NewStaff{Username: "fc.boss", Name: "樊城主管",
		Role: storage.RoleSupervisor, PasswordHash: "x", UnitID: 2})
	if err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/merchants/" + apiItoa(e.m.ID)
	e.do("POST", base+"/invitations", e.sessionOf(district, false), "").fails(t, http.StatusForbidden, "csrf")
	e.do("POST", base+"/invitations", e.sessionOf(district, true), "").ok(t, http.StatusCreated, nil)
	e.do("GET", base+"/accounts", e.sessionOf(district, false), "").ok(t, http.StatusOK, nil)
}

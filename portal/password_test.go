package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// signUp accepts a fresh invitation of the env's merchant in b as username,
// with password, and returns the account.
func (e *env) signUp(b *browser, token, username, password string) *storage.MerchantAccount {
	e.t.Helper()
	ctx := context.Background()
	if _, err := e.db.CreateMerchantInvitation(ctx, e.mine.ID, webauth.HashToken(token), e.supervisor); err != nil {
		e.t.Fatal(err)
	}
	page := b.do("GET", "/portal/invite/"+token, nil).want(http.StatusOK)
	b.do("POST", "/portal/invite/"+token, url.Values{"csrf": {page.csrf()}, "username": {username}, "name": {"李店长"},
		"password": {password}, "password2": {password}}).want(http.StatusSeeOther)
	acc, err := e.db.FindMerchantAccountByUsername(ctx, username)
	if err != nil {
		e.t.Fatal(err)
	}
	return acc
}

// signIn signs b in and returns where the portal sent it.
func (b *browser) signIn(username, password string) *resp {
	b.t.Helper()
	login := b.do("GET", "/portal/login", nil).want(http.StatusOK)
	return b.do("POST", "/portal/login", url.Values{"csrf": {login.csrf()}, "username": {username}, "password": {password}})
}

func TestPortalOwnPasswordChangeEndsOtherSessions(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		b, other := e.browser(), e.browser()
		acc := e.signUp(b, "invitationTokenForPasswordChange0123456789", "shop.pw", "first password")
		other.signIn("shop.pw", "first password").want(http.StatusSeeOther)
		other.do("GET", "/portal/cases", nil).want(http.StatusOK)

		page := b.do("GET", "/portal/password", nil).want(http.StatusOK).contains("修改密码").lacks("请先设置")
		form := url.Values{"csrf": {page.csrf()}, "current": {"wrong password"}, "password": {"second password"},
			"password2": {"second password"}}
		b.do("POST", "/portal/password", form).want(http.StatusUnauthorized).contains("当前密码不正确")
		form.Set("current", "first password")
		form.Set("password2", "other password")
		b.do("POST", "/portal/password", form).want(http.StatusBadRequest).contains("两次输入的新密码不一致")
		form.Set("password", "short")
		form.Set("password2", "short")
		b.do("POST", "/portal/password", form).want(http.StatusBadRequest).contains("密码至少需要 10 个字符")
		form.Set("password", "first password")
		form.Set("password2", "first password")
		b.do("POST", "/portal/password", form).want(http.StatusBadRequest).contains("新密码不能与当前密码相同")
		b.do("POST", "/portal/password", url.Values{"current": {"first password"}}).want(http.StatusForbidden)
		form.Set("password", "second password")
		form.Set("password2", "second password")
		if got := b.do("POST", "/portal/password", form).want(http.StatusSeeOther); got.header.Get("Location") != "/portal/cases" {
			t.Fatalf("after the change: %q", got.header.Get("Location"))
		}
		b.do("GET", "/portal/cases", nil).want(http.StatusOK) // this browser got a fresh session
		other.do("GET", "/portal/cases", nil).want(http.StatusSeeOther)
		other.signIn("shop.pw", "first password").want(http.StatusUnauthorized)
		other.signIn("shop.pw", "second password").want(http.StatusSeeOther)
		wantPasswordAudits(t, db, 1, storage.MerchantActor(acc.ID)+" 修改和解平台密码")
	})
}

func TestPortalForcesThePasswordChangeAfterAReset(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		b := e.browser()
		acc := e.signUp(b, "invitationTokenForPasswordReset01234567890", "shop.reset", "first password")
		hash, err := webauth.HashPassword("chosen by boss")
		if err != nil {
			t.Fatal(err)
		}
		err = db.ResetMerchantAccountPassword(ctx, e.theirs.ID, acc.ID, hash, e.supervisor)
		wantCode(t, err, storage.ENOTFOUND) // another merchant's account
		if err := db.ResetMerchantAccountPassword(ctx, e.mine.ID, acc.ID, hash, e.supervisor); err != nil {
			t.Fatal(err)
		}
		b.do("GET", "/portal/cases", nil).want(http.StatusSeeOther) // the gate, even on an old session
		b = e.browser()
		b.signIn("shop.reset", "first password").want(http.StatusUnauthorized)
		b.signIn("shop.reset", "chosen by boss").want(http.StatusSeeOther)
		for _, path := range []string{"/portal/cases", "/portal/cases/" + e.referred.Number} {
			if got := b.do("GET", path, nil).want(http.StatusSeeOther); got.header.Get("Location") != "/portal/password" {
				t.Fatalf("%s sent to %q", path, got.header.Get("Location"))
			}
		}
		b.do("GET", "/portal/api/v1/cases", nil).want(http.StatusForbidden).contains("password_change_required").
			lacks(e.referred.Number)
		page := b.do("GET", "/portal/password", nil).want(http.StatusOK).contains("请先设置您自己的新密码")
		b.do("POST", "/portal/password", url.Values{"csrf": {page.csrf()}, "current": {"chosen by boss"},
			"password": {"my own password"}, "password2": {"my own password"}}).want(http.StatusSeeOther)
		b.do("GET", "/portal/cases", nil).want(http.StatusOK).contains(e.referred.Number)
		if got, _ := db.FindMerchantAccount(ctx, acc.ID); got.MustChange {
			t.Fatal("must_change still set after the change")
		}
		wantPasswordAudits(t, db, 2, "重置和解平台账号 "+storage.MerchantActor(acc.ID))
	})
}

// wantPasswordAudits fails unless there are n password audit entries, one of
// them starting with detail.
func wantPasswordAudits(t *testing.T, db *sqlstore.DB, n int, detail string) {
	t.Helper()
	action := storage.AuditPortalPassword
	found, total, err := db.FindAudit(context.Background(), storage.AuditFilter{Action: &action})
	if err != nil || total != n {
		t.Fatalf("%d password audit entries, want %d (%v)", total, n, err)
	}
	for _, a := range found {
		if len(a.Detail) >= len(detail) && a.Detail[:len(detail)] == detail {
			return
		}
	}
	t.Fatalf("no password audit entry %q in %+v", detail, found)
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if storage.ErrorCode(err) != code {
		t.Fatalf("error %v, want %s", err, code)
	}
}

package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestChangeOwnPassword(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("med1", mediatorPassword)
	other := e.browser().mustLogin("med1", mediatorPassword) // the same person on a phone
	const newPW = "brand-new-pass-42"
	e.secret(newPW)

	w := b.post("/console/password", "/console/password", url.Values{"current": {"not-my-password"}, "password": {newPW}, "confirm": {newPW}})
	if w.Code != http.StatusUnauthorized || !strings.Contains(w.Body.String(), "当前密码不正确") {
		t.Fatalf("wrong current password: %d", w.Code)
	}
	w = b.post("/console/password", "/console/password", url.Values{"current": {mediatorPassword}, "password": {newPW}, "confirm": {newPW + "x"}})
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "两次输入的新密码不一致") {
		t.Fatalf("mismatched confirmation: %d", w.Code)
	}
	w = b.post("/console/password", "/console/password", url.Values{"current": {mediatorPassword}, "password": {newPW}, "confirm": {newPW}})
	if w.Code != http.StatusSeeOther {
		t.Fatalf("change: %d\n%s", w.Code, w.Body.String())
	}
	if !b.signedIn() {
		t.Fatal("the browser that changed the password was signed out")
	}
	if other.signedIn() {
		t.Fatal("the other session survived the password change")
	}
	if w := e.browser().login("med1", mediatorPassword); w.Code != http.StatusUnauthorized {
		t.Fatalf("the old password still works: %d", w.Code)
	}
	e.browser().mustLogin("med1", newPW)
}

func TestOwnPasswordGuessingIsThrottled(t *testing.T) {
	e := newAuthEnv(t)
	b := e.browser().mustLogin("med1", mediatorPassword)
	for range 5 {
		b.post("/console/password", "/console/password", url.Values{"current": {"guess-guess-guess"}})
	}
	w := b.post("/console/password", "/console/password", url.Values{"current": {mediatorPassword},
		"password": {"brand-new-pass-42"}, "confirm": {"brand-new-pass-42"}})
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("after 5 wrong current passwords: %d", w.Code)
	}
}

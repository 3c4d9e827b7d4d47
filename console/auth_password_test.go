package console

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/complaintbot/complaintbot/storage"
)

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

func TestPasswordHashCost(t *testing.T) {
	saved := passwordCost
	passwordCost = defaultPasswordCost
	defer func() { passwordCost = saved }()
	h, err := HashPassword("a-long-enough-password")
	if err != nil {
		t.Fatal(err)
	}
	if cost, _ := bcrypt.Cost([]byte(h)); cost != 12 {
		t.Fatalf("bcrypt cost %d, want 12", cost)
	}
	if !passwordMatches(h, "a-long-enough-password") || passwordMatches(h, "a-long-enough-passworD") {
		t.Fatal("passwordMatches does not tell the password apart")
	}
}

func TestValidatePassword(t *testing.T) {
	for pw, ok := range map[string]bool{
		"short":                 false,
		"123456789":             false,
		"1234567890":            true,
		"中文密码也可以用十个字":           true,
		" leading-space-1":      false,
		"has\ncontrol-char":     false,
		strings.Repeat("x", 72): true,
		strings.Repeat("x", 73): false,
		strings.Repeat("密", 25): false, // 75 bytes
	} {
		err := ValidatePassword(pw)
		if (err == nil) != ok {
			t.Errorf("ValidatePassword(%q) = %v, want ok %v", pw, err, ok)
		}
		if err != nil && (storage.ErrorCode(err) != storage.EINVALID || strings.Contains(storage.ErrorMessage(err), pw)) {
			t.Errorf("ValidatePassword(%q): %v must be EINVALID and not repeat the password", pw, err)
		}
	}
}

func TestUsernames(t *testing.T) {
	if got := NormalizeUsername("  Zhang.Wei "); got != "zhang.wei" {
		t.Fatalf("NormalizeUsername = %q", got)
	}
	for u, ok := range map[string]bool{"zhang.wei": true, "a1": true, "a": false, "-x": false, "张伟": false,
		"a b": false, strings.Repeat("a", 33): false, "admin_2-x": true} {
		if err := ValidateUsername(u); (err == nil) != ok {
			t.Errorf("ValidateUsername(%q) = %v, want ok %v", u, err, ok)
		}
	}
}

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

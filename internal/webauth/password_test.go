package webauth

import (
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/complaintbot/complaintbot/storage"
)

func TestPasswordHashCost(t *testing.T) {
	saved := PasswordCost
	PasswordCost = DefaultPasswordCost
	defer func() { PasswordCost = saved }()
	h, err := HashPassword("a-long-enough-password")
	if err != nil {
		t.Fatal(err)
	}
	if cost, _ := bcrypt.Cost([]byte(h)); cost != 12 {
		t.Fatalf("bcrypt cost %d, want 12", cost)
	}
	if !PasswordMatches(h, "a-long-enough-password") || PasswordMatches(h, "a-long-enough-passworD") {
		t.Fatal("PasswordMatches does not tell the password apart")
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

package webauth

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/complaintbot/complaintbot/storage"
)

// Password rules, shared by every surface and the command line (complaintbot
// staff …).
const (
	// MinPasswordLength is the shortest password accepted, in characters.
	MinPasswordLength = 10
	// maxPasswordBytes is bcrypt's limit; longer input would be cut silently by
	// older implementations and is refused by this one.
	maxPasswordBytes = 72
	// DefaultPasswordCost is the bcrypt cost: about a quarter of a second per
	// hash on a 2020s server, slow enough to make a stolen hash expensive to
	// crack, quick enough for a sign-in.
	DefaultPasswordCost = 12
)

// PasswordCost is the cost HashPassword uses, DefaultPasswordCost. Only tests
// change it: those that sign in wrongly dozens of times lower it to
// bcrypt.MinCost so as not to spend seconds hashing.
var PasswordCost = DefaultPasswordCost

// HashPassword returns the bcrypt hash of password, to be stored with the
// account. Check the password with ValidatePassword first.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	if err != nil {
		return "", storage.Errorf(storage.EINVALID, "密码无法使用：%v", err)
	}
	return string(h), nil
}

// ValidatePassword checks a new password against the rules; the EINVALID error's
// message says what is wrong, in Chinese. It never repeats the password.
func ValidatePassword(password string) error {
	switch {
	case utf8.RuneCountInString(password) < MinPasswordLength:
		return storage.Errorf(storage.EINVALID, "密码至少需要 %d 个字符。", MinPasswordLength)
	case len(password) > maxPasswordBytes:
		return storage.Errorf(storage.EINVALID, "密码过长（最多 %d 字节，一个汉字占 3 字节）。", maxPasswordBytes)
	case strings.TrimSpace(password) != password:
		return storage.Errorf(storage.EINVALID, "密码首尾不能有空格。")
	case strings.IndexFunc(password, unicode.IsControl) >= 0:
		return storage.Errorf(storage.EINVALID, "密码不能包含控制字符。")
	}
	return nil
}

// NormalizeUsername is the stored form of a username: trimmed, lower case, so
// that "Zhang.Wei" and "zhang.wei" are one account and one throttle key.
func NormalizeUsername(username string) string {
	return strings.ToLower(strings.TrimSpace(username))
}

// ValidateUsername checks a normalized username: 2 to 32 of a–z, 0–9, ".", "_"
// and "-", starting with a letter or digit. ASCII only, so that it types the same
// on every keyboard and never looks like another name.
func ValidateUsername(username string) error {
	ok := len(username) >= 2 && len(username) <= 32
	for i := 0; ok && i < len(username); i++ {
		c := username[i]
		alnum := c >= 'a' && c <= 'z' || c >= '0' && c <= '9'
		ok = alnum || i > 0 && (c == '.' || c == '_' || c == '-')
	}
	if !ok {
		return storage.Errorf(storage.EINVALID, "用户名应为 2–32 个小写字母、数字或 . _ -，并以字母或数字开头。")
	}
	return nil
}

// PasswordMatches reports whether password is the one hashed in hash. For an
// unknown username, compare against DummyHash so that the answer takes as long.
func PasswordMatches(hash, password string) bool {
	return ComparePassword([]byte(hash), []byte(password)) == nil
}

// ComparePassword is bcrypt's comparison. It is a variable so that the throttle
// tests can count (and slow down) the password checks that get past the throttle.
var ComparePassword = bcrypt.CompareHashAndPassword

// DummyHash is compared against when the username is unknown, so that a wrong
// username takes as long as a wrong password and the timing does not tell an
// attacker which accounts exist. Call it once in the background at start-up:
// computed at the first sign-in with an unknown username, it would make that one
// attempt slower than a wrong password.
var DummyHash = sync.OnceValue(func() string {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such account, same cost"), PasswordCost)
	return string(h)
})

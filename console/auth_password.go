package console

import (
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/bcrypt"

	"github.com/complaintbot/complaintbot/storage"
)

// Password rules, shared with the command line (complaintbot staff …).
const (
	// MinPasswordLength is the shortest password accepted, in characters.
	MinPasswordLength = 10
	// maxPasswordBytes is bcrypt's limit; longer input would be cut silently by
	// older implementations and is refused by this one.
	maxPasswordBytes = 72
	// defaultPasswordCost is the bcrypt cost: about a quarter of a second per
	// hash on a 2020s server, slow enough to make a stolen hash expensive to
	// crack, quick enough for a sign-in.
	defaultPasswordCost = 12
)

// passwordCost is defaultPasswordCost; tests lower it so that the throttle tests
// do not spend seconds hashing.
var passwordCost = defaultPasswordCost

// HashPassword returns the bcrypt hash of password, to be stored in
// Staff.PasswordHash. Check the password with ValidatePassword first.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), passwordCost)
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

// passwordMatches reports whether password is the one hashed in hash.
func passwordMatches(hash, password string) bool {
	return comparePassword([]byte(hash), []byte(password)) == nil
}

// comparePassword is bcrypt's comparison. It is a variable so that the throttle
// tests can count (and slow down) the password checks that get past the throttle.
var comparePassword = bcrypt.CompareHashAndPassword

// dummyHash is compared against when the username is unknown, so that a wrong
// username takes as long as a wrong password and the timing does not tell an
// attacker which accounts exist.
var dummyHash = sync.OnceValue(func() string {
	h, _ := bcrypt.GenerateFromPassword([]byte("no such account, same cost"), passwordCost)
	return string(h)
})

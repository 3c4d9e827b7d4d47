package storage

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// FormatCaseNumber builds the case number "<PREFIX>-<year>-<6 digits>". It stays
// ASCII because template messages refuse other characters in character_string.
func FormatCaseNumber(prefix string, year int, seq int64) string {
	return fmt.Sprintf("%s-%04d-%06d", strings.ToUpper(prefix), year, seq)
}

// looseNumber accepts what consumers type: any case, optional separators (-, space,
// _, full-width －), an optional prefix, and a sequence without leading zeros.
var looseNumber = regexp.MustCompile(`^([A-Za-z]{1,8})?[\s\-_－]*(\d{4})[\s\-_－]*(\d{1,6})$`)

// ParseCaseNumber normalises a loosely typed case number ("ts2026123",
// "TS-2026-000123", "2026-123") to its canonical form, using prefix when the text has
// none. It reports false if the text is not a case number or names another prefix.
func ParseCaseNumber(text, prefix string) (string, bool) {
	m := looseNumber.FindStringSubmatch(strings.TrimSpace(text))
	if m == nil {
		return "", false
	}
	if m[1] != "" && !strings.EqualFold(m[1], prefix) {
		return "", false
	}
	year, _ := strconv.Atoi(m[2])
	seq, _ := strconv.ParseInt(m[3], 10, 64)
	if seq == 0 {
		return "", false
	}
	return FormatCaseNumber(prefix, year, seq), true
}

func sortStrings(s []string) { sort.Strings(s) }

package storage

import "strings"

// MaskPhone shows a phone number as lists, exports, the chat and the timeline
// show it: the first three and the last four digits (138****5678). Shorter
// values are masked whole.
func MaskPhone(p string) string {
	r := []rune(p)
	if len(r) < 7 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:3]) + strings.Repeat("*", len(r)-7) + string(r[len(r)-4:])
}

// MaskName keeps a name's first character and masks the rest (王**).
func MaskName(s string) string {
	r := []rune(s)
	if len(r) == 0 {
		return ""
	}
	return string(r[:1]) + strings.Repeat("*", len(r)-1)
}

package console

import (
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
)

// This file holds the parsing of what staff type or send, shared by the pages and
// the JSON API. Each parser returns an EINVALID *storage.Error whose message a
// staff member can act on, so both edges report it the same way.

// parseID reads a positive integer identifier (a staff member, a canned reply);
// name is the field, for the message.
func parseID(name, s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id <= 0 {
		return 0, storage.Errorf(storage.EINVALID, "%s 应为正整数：%q", name, s)
	}
	return id, nil
}

// parseBool reads a yes/no query parameter: true/false, 1/0, yes/no, on/off.
func parseBool(name, s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "1", "yes", "on":
		return true, nil
	case "false", "0", "no", "off":
		return false, nil
	}
	return false, storage.Errorf(storage.EINVALID, "%s 应为 true 或 false：%q", name, s)
}

// parseStatus reads a status code ("mediating") and refuses unknown ones.
func parseStatus(s string) (storage.Status, error) {
	st := storage.Status(strings.TrimSpace(s))
	if !st.Valid() {
		return "", storage.Errorf(storage.EINVALID, "未知的状态：%q", s)
	}
	return st, nil
}

// parseText trims a free text that staff write (a reply, a note) and checks that it
// is there and not longer than max characters.
func parseText(name, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	switch n := utf8.RuneCountInString(s); {
	case n == 0:
		return "", storage.Errorf(storage.EINVALID, "%s 不能为空", name)
	case n > max:
		return "", storage.Errorf(storage.EINVALID, "%s 不能超过 %d 个字（现有 %d 个）", name, max, n)
	}
	return s, nil
}

// oneOf checks that s is one of the offered choices (a reject reason, a referral
// target) and returns it trimmed.
func oneOf(name, s string, choices []string) (string, error) {
	s = strings.TrimSpace(s)
	for _, c := range choices {
		if s == c {
			return s, nil
		}
	}
	return "", storage.Errorf(storage.EINVALID, "%s 必须是以下之一：%s", name, strings.Join(choices, "；"))
}

// withDetail joins a chosen reason and the optional words staff added to it, as the
// timeline and the consumer's notice show them: "原因（补充说明）".
func withDetail(reason, detail string) string {
	if detail = strings.TrimSpace(detail); detail == "" {
		return reason
	}
	return reason + "（" + detail + "）"
}

// pageParams turns 1-based page numbers into an offset, refusing nonsense. perPage
// 0 means def; more than max is refused rather than silently cut.
func pageParams(pageStr, perPageStr string, def, max int) (page, perPage int, err error) {
	page, perPage = 1, def
	if pageStr != "" {
		if page, err = strconv.Atoi(pageStr); err != nil || page < 1 || page > math.MaxInt32 {
			return 0, 0, storage.Errorf(storage.EINVALID, "page 应为不小于 1 的整数：%q", pageStr)
		}
	}
	if perPageStr != "" {
		if perPage, err = strconv.Atoi(perPageStr); err != nil || perPage < 1 || perPage > max {
			return 0, 0, storage.Errorf(storage.EINVALID, "per_page 应为 1 到 %d 之间的整数：%q", max, perPageStr)
		}
	}
	return page, perPage, nil
}

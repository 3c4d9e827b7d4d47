package storage

import (
	"context"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Length limits of the organisation settings, in characters (runes).
const (
	MaxOrgNameRunes         = 40
	MaxOrgHotlineChars      = 30
	MaxOrgServiceHoursRunes = 40
)

// OrgSettings are the organisation details consumers read in the chat: the
// association's name, its hotline and its service hours. They are not personal
// data. Admins edit them in the console.
type OrgSettings struct {
	Name         string    `db:"name"`          // 1 to 40 characters
	Hotline      string    `db:"hotline"`       // 0 to 30 of digits, spaces, dashes, parentheses
	ServiceHours string    `db:"service_hours"` // 0 to 40 characters
	UpdatedAt    time.Time `db:"updated_at"`
	UpdatedBy    int64     `db:"updated_by"` // staff id; 0 when saved by no staff member
}

// SettingsStore keeps the organisation settings.
type SettingsStore interface {
	// GetOrgSettings returns the saved settings; ENOTFOUND if they were never saved.
	GetOrgSettings(ctx context.Context) (*OrgSettings, error)
	// SaveOrgSettings checks s (see CheckOrgSettings; EINVALID naming the field),
	// replaces the saved settings, stamped with the store's clock and the actor's
	// staff id, and writes an AuditSettings entry with the new values in the same
	// transaction (when by.Actor is "staff:<id>").
	SaveOrgSettings(ctx context.Context, s OrgSettings, by By) error
}

// CheckOrgSettings trims the three fields and checks them. The EINVALID error's
// message names the field in Chinese, for the staff member who typed it.
func CheckOrgSettings(s OrgSettings) (OrgSettings, error) {
	s.Name = strings.TrimSpace(s.Name)
	s.Hotline = strings.TrimSpace(s.Hotline)
	s.ServiceHours = strings.TrimSpace(s.ServiceHours)
	if n := utf8.RuneCountInString(s.Name); n == 0 || n > MaxOrgNameRunes {
		return s, Errorf(EINVALID, "机构名称应为 1 到 %d 个字。", MaxOrgNameRunes)
	}
	if !utf8.ValidString(s.Name) || hasControl(s.Name) {
		return s, Errorf(EINVALID, "机构名称不能包含换行或控制字符。")
	}
	if len(s.Hotline) > MaxOrgHotlineChars {
		return s, Errorf(EINVALID, "热线电话最多 %d 个字符。", MaxOrgHotlineChars)
	}
	for _, r := range s.Hotline {
		if !(r >= '0' && r <= '9' || r == ' ' || r == '-' || r == '(' || r == ')') {
			return s, Errorf(EINVALID, "热线电话只能包含数字、空格、短横线和括号。")
		}
	}
	if utf8.RuneCountInString(s.ServiceHours) > MaxOrgServiceHoursRunes {
		return s, Errorf(EINVALID, "服务时间最多 %d 个字。", MaxOrgServiceHoursRunes)
	}
	if !utf8.ValidString(s.ServiceHours) || hasControl(s.ServiceHours) {
		return s, Errorf(EINVALID, "服务时间不能包含换行或控制字符。")
	}
	return s, nil
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, unicode.IsControl) >= 0
}

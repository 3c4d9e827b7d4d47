package storage

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
	"unicode/utf8"
)

// ChinaTime is China Standard Time, UTC+8 all year (China has no daylight saving).
// A fixed zone, so that working days need no tzdata on the machine.
var ChinaTime = time.FixedZone("CST", 8*3600)

// Kinds of calendar exception.
const (
	DayRest = "rest" // a public holiday or bridging rest day, on a weekday or weekend
	DayWork = "work" // a make-up working day (调休上班), usually on a weekend
)

// DateLayout is how a calendar day is written: 2025-01-28.
const DateLayout = "2006-01-02"

// MaxDayNameRunes bounds an exception's name (春节, 国庆节…).
const MaxDayNameRunes = 20

// DayException is one dated exception to the rule "Monday to Friday work, Saturday
// and Sunday rest": a rest day (法定节假日 or 调休放假) or a make-up working day
// (调休上班).
type DayException struct {
	Date      string    `db:"day"`  // YYYY-MM-DD, in China time
	Kind      string    `db:"kind"` // DayRest or DayWork
	Name      string    `db:"name"` // 春节, 国庆节…; may be empty
	UpdatedAt time.Time `db:"updated_at"`
	UpdatedBy int64     `db:"updated_by"` // staff id; 0 when seeded or imported by no staff member
}

// CalendarStore keeps the working-day calendar: dated exceptions per year.
type CalendarStore interface {
	// ListCalendarDays returns a year's exceptions in date order (empty, not an
	// error, for a year with none).
	ListCalendarDays(ctx context.Context, year int) ([]*DayException, error)
	// ListAllCalendarDays returns every exception, in date order, for loading a
	// Calendar.
	ListAllCalendarDays(ctx context.Context) ([]*DayException, error)
	// SetCalendarDay checks d (CheckDayException; EINVALID), inserts or replaces
	// the exception for d.Date and writes an AuditCalendar entry in the same
	// transaction when by.Actor is a staff member.
	SetCalendarDay(ctx context.Context, d DayException, by By) error
	// DeleteCalendarDay removes the exception for date, making it an ordinary day
	// again, audited like SetCalendarDay; EINVALID for a malformed date, ENOTFOUND
	// when the day had no exception.
	DeleteCalendarDay(ctx context.Context, date string, by By) error
	// ImportCalendarYear replaces all of year's exceptions with days (each checked,
	// each in year; EINVALID otherwise) in one audited transaction.
	ImportCalendarYear(ctx context.Context, year int, days []DayException, by By) error
	// CalendarVersion returns a number that grows with every change to the
	// calendar, so an instance reloads only when it moved.
	CalendarVersion(ctx context.Context) (int64, error)
}

// AuditCalendar is a change to the working-day calendar: one day, or a year imported.
const AuditCalendar = "calendar"

// ParseDay parses a YYYY-MM-DD date as midnight China time.
func ParseDay(s string) (time.Time, error) {
	t, err := time.ParseInLocation(DateLayout, strings.TrimSpace(s), ChinaTime)
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "日期“%s”格式不对，应为 2025-01-28 这样的年-月-日。", s)
	}
	return t, nil
}

// CheckDayException trims and checks d: a valid date, a known kind (rest/work, or
// 休/班 as staff may type), a name of at most MaxDayNameRunes without control
// characters. The EINVALID message is Chinese, for the admin who typed it.
func CheckDayException(d DayException) (DayException, error) {
	t, err := ParseDay(d.Date)
	if err != nil {
		return d, err
	}
	d.Date = t.Format(DateLayout)
	switch strings.TrimSpace(strings.ToLower(d.Kind)) {
	case DayRest, "休", "放假":
		d.Kind = DayRest
	case DayWork, "班", "上班":
		d.Kind = DayWork
	default:
		return d, Errorf(EINVALID, "类型“%s”不对，应为 rest（放假）或 work（调休上班）。", d.Kind)
	}
	d.Name = strings.TrimSpace(d.Name)
	if utf8.RuneCountInString(d.Name) > MaxDayNameRunes || !utf8.ValidString(d.Name) || hasControl(d.Name) {
		return d, Errorf(EINVALID, "名称最多 %d 个字，且不能包含换行或控制字符。", MaxDayNameRunes)
	}
	return d, nil
}

// ParseCalendarCSV reads exceptions as CSV with the columns date,kind,name. A
// header line (date,kind,name), blank lines and lines starting with # are skipped.
// When year is not 0 every date must fall in it. Each day may appear once. The
// EINVALID message names the line (第 N 行) in Chinese.
func ParseCalendarCSV(r io.Reader, year int) ([]DayException, error) {
	cr := csv.NewReader(r)
	cr.Comment = '#'
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	var (
		days []DayException
		seen = map[string]int{}
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			return nil, Errorf(EINVALID, "第 %d 行：不是有效的 CSV。", line)
		}
		line, _ := cr.FieldPos(0)
		if len(rec) == 3 && strings.EqualFold(strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff")), "date") {
			continue
		}
		if len(rec) == 2 {
			rec = append(rec, "")
		}
		if len(rec) != 3 {
			return nil, Errorf(EINVALID, "第 %d 行：应有 3 列（日期,类型,名称），实有 %d 列。", line, len(rec))
		}
		d, err := CheckDayException(DayException{Date: strings.TrimPrefix(rec[0], "\ufeff"), Kind: rec[1], Name: rec[2]})
		if err != nil {
			return nil, Errorf(EINVALID, "第 %d 行：%s", line, ErrorMessage(err))
		}
		if year != 0 && !strings.HasPrefix(d.Date, fmt.Sprintf("%04d-", year)) {
			return nil, Errorf(EINVALID, "第 %d 行：日期 %s 不在 %d 年。", line, d.Date, year)
		}
		if prev, dup := seen[d.Date]; dup {
			return nil, Errorf(EINVALID, "第 %d 行：日期 %s 与第 %d 行重复。", line, d.Date, prev)
		}
		seen[d.Date] = line
		days = append(days, d)
	}
	sort.Slice(days, func(i, j int) bool { return days[i].Date < days[j].Date })
	return days, nil
}

// Calendar answers working-day questions from a set of dated exceptions; days not
// listed follow the week (Saturday and Sunday rest). It is immutable and safe for
// concurrent use. The zero Calendar knows no exceptions.
type Calendar struct {
	kinds map[string]string // date → DayRest or DayWork
	names map[string]string
}

// NewCalendar builds a Calendar from exceptions (as returned by the store; unknown
// kinds are ignored).
func NewCalendar(days []*DayException) *Calendar {
	c := &Calendar{kinds: map[string]string{}, names: map[string]string{}}
	for _, d := range days {
		if d.Kind == DayRest || d.Kind == DayWork {
			c.kinds[d.Date] = d.Kind
			c.names[d.Date] = d.Name
		}
	}
	return c
}

// dayKey is the YYYY-MM-DD of t's date in China time.
func dayKey(t time.Time) string { return t.In(ChinaTime).Format(DateLayout) }

// IsWorkingDay says whether the China-time date of t is a working day: a listed
// make-up working day, or a weekday that is not a listed rest day.
func (c *Calendar) IsWorkingDay(t time.Time) bool {
	switch c.kinds[dayKey(t)] {
	case DayWork:
		return true
	case DayRest:
		return false
	}
	wd := t.In(ChinaTime).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// DayName returns the name of the exception on t's date, or "".
func (c *Calendar) DayName(t time.Time) string { return c.names[dayKey(t)] }

// startOfDay is midnight China time of t's date.
func startOfDay(t time.Time) time.Time {
	y, m, d := t.In(ChinaTime).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, ChinaTime)
}

// AddWorkingDays returns the date (midnight China time) of the n-th working day
// after from's date. The rule is the statutory one ("within N working days of
// receipt", 《民法典》 art. 201 and Order 20): the day of the event does not count,
// counting starts the next day, and rest days are skipped, so the limit ends at the
// end of the returned day. n = 0 returns from's own date; a negative n counts
// backwards the same way.
func (c *Calendar) AddWorkingDays(from time.Time, n int) time.Time {
	day := startOfDay(from)
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for n > 0 {
		day = day.AddDate(0, 0, step)
		if c.IsWorkingDay(day) {
			n--
		}
	}
	return day
}

// WorkingDaysBetween counts the working days after a's date up to and including
// b's date (by the same rule: a's own day does not count), so that
// WorkingDaysBetween(a, AddWorkingDays(a, n)) == n. It is negative when b is
// before a.
func (c *Calendar) WorkingDaysBetween(a, b time.Time) int {
	from, to := startOfDay(a), startOfDay(b)
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if c.IsWorkingDay(d) {
			n++
		}
	}
	return sign * n
}

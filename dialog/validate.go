package dialog

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// shanghai is China Standard Time. A fixed zone rather than time.LoadLocation, so the
// binary needs no tzdata and dates never depend on the host's configuration; China has
// had no daylight saving time since 1991.
var shanghai = time.FixedZone("CST", 8*60*60)

// halfWidth maps full-width ASCII variants (U+FF01–U+FF5E) and the ideographic space
// to ASCII, because Chinese input methods often produce them for digits and
// punctuation ("１３８", "，", "－").
func halfWidth(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			return r - 0xFEE0
		case r == 0x3000:
			return ' '
		}
		return r
	}, s)
}

// Limit is the allowed length of a free-text answer, counted in runes (a Chinese
// character counts as one).
type Limit struct{ Min, Max int }

// Length limits of the free-text answers. They are variables only because Go has no
// struct constants; treat them as read-only.
var (
	MerchantNameLimit    = Limit{Min: 2, Max: 60}
	MerchantAddressLimit = Limit{Min: 2, Max: 120}
	DescriptionLimit     = Limit{Min: 10, Max: 1000}
	NameLimit            = Limit{Min: 2, Max: 30}
	DemandLimit          = Limit{Min: 2, Max: 100}
)

// Check strips surrounding whitespace (including the ideographic space) and reports
// whether the rest has an allowed length. It returns the stripped text either way.
func (l Limit) Check(s string) (string, bool) {
	s, n := l.measure(s)
	return s, n >= l.Min && n <= l.Max
}

// singleLine collapses every run of whitespace (tabs, line breaks, the ideographic
// space) to one space and trims the ends. One-line answers (names, the merchant's
// address, the demand) are shown on one line of the summary, the case list and
// the staff console, and a pasted line break would break those lines and count
// towards the length limit.
func singleLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// measure returns the stripped text and its length in runes.
func (l Limit) measure(s string) (string, int) {
	s = strings.TrimSpace(s)
	return s, utf8.RuneCountInString(s)
}

var mobileRe = regexp.MustCompile(`^1[3-9][0-9]{9}$`)

// ParseMobile normalises a mainland mobile number to its 11 digits. It tolerates
// spaces, dashes, parentheses, full-width digits and a +86, 86 or 0086 country prefix.
func ParseMobile(s string) (string, bool) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '(' || r == ')' || r == '+' {
			return -1
		}
		return r
	}, halfWidth(strings.TrimSpace(s)))
	switch {
	case len(s) == 13 && strings.HasPrefix(s, "86"):
		s = s[2:]
	case len(s) == 15 && strings.HasPrefix(s, "0086"):
		s = s[4:]
	}
	if !mobileRe.MatchString(s) {
		return "", false
	}
	return s, true
}

// MaxAmountFen is the largest amount accepted: 100 million yuan. Anything above is a
// typing mistake in a consumer complaint.
const MaxAmountFen int64 = 100_000_000 * 100

// amountProblem says why an amount was refused, so the re-prompt can be specific.
type amountProblem int

const (
	amountOK amountProblem = iota
	amountFormat
	amountZero
	amountDecimals
	amountTooLarge
)

var (
	amountRe    = regexp.MustCompile(`^([0-9]+)(?:\.([0-9]+))?$`)
	thousandsRe = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)
)

// Currency words consumers put around an amount. Longer suffixes come first so that
// "块钱" is not left as "钱" after removing "块".
var (
	amountPrefixes = []string{"¥", "￥", "人民币", "RMB", "rmb"}
	amountSuffixes = []string{"块钱", "元钱", "元整", "元", "块", "圆"}
)

// ParseAmountFen parses an amount in yuan ("3999", "3999.5元", "¥200", "200块",
// "1,299.00", full-width digits) into fen. It refuses zero, negative amounts, more than
// two decimals and anything above MaxAmountFen.
func ParseAmountFen(s string) (int64, bool) {
	fen, p := parseAmount(s)
	return fen, p == amountOK
}

// parseAmount is ParseAmountFen with the reason for a refusal.
func parseAmount(s string) (int64, amountProblem) {
	s = stripAmountWords(strings.ReplaceAll(halfWidth(s), " ", ""))
	if thousandsRe.MatchString(s) {
		s = strings.ReplaceAll(s, ",", "")
	}
	m := amountRe.FindStringSubmatch(s)
	if m == nil {
		return 0, amountFormat
	}
	whole := strings.TrimLeft(m[1], "0")
	frac := m[2]
	if len(frac) > 2 {
		// "3999.500" is still exact to the fen; "3999.505" is not.
		frac = strings.TrimRight(frac, "0")
		if len(frac) > 2 {
			return 0, amountDecimals
		}
	}
	if len(whole) > 9 { // more than 999,999,999 yuan; also keeps ParseInt from overflowing
		return 0, amountTooLarge
	}
	return amountValue(whole, frac)
}

// amountValue converts validated digit strings to fen and checks the range.
func amountValue(whole, frac string) (int64, amountProblem) {
	yuan, _ := strconv.ParseInt("0"+whole, 10, 64)
	cents, _ := strconv.ParseInt((frac + "00")[:2], 10, 64)
	fen := yuan*100 + cents
	switch {
	case fen == 0:
		return 0, amountZero
	case fen > MaxAmountFen:
		return 0, amountTooLarge
	}
	return fen, amountOK
}

// stripAmountWords removes one currency prefix and one unit suffix.
func stripAmountWords(s string) string {
	for _, p := range amountPrefixes {
		if strings.HasPrefix(s, p) {
			s = s[len(p):]
			break
		}
	}
	for _, suf := range amountSuffixes {
		if strings.HasSuffix(s, suf) {
			s = s[:len(s)-len(suf)]
			break
		}
	}
	return s
}

// dateProblem says why a date was refused, so the re-prompt can be specific.
type dateProblem int

const (
	dateOK dateProblem = iota
	dateFormat
	dateFuture
	dateTooOld
)

// earliestDate is the first purchase date accepted. Anything before is a typing
// mistake (and far beyond any limitation period).
var earliestDate = time.Date(1990, 1, 1, 0, 0, 0, 0, shanghai)

var (
	fullDateRe    = regexp.MustCompile(`^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*[日号]?$`)
	compactDateRe = regexp.MustCompile(`^([0-9]{4})([0-9]{2})([0-9]{2})$`)
	monthDayRe    = regexp.MustCompile(`^([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*[日号]?$`)
)

// relativeDays maps the words for recent days to how many days ago they are.
var relativeDays = map[string]int{"今天": 0, "今日": 0, "昨天": 1, "昨日": 1, "前天": 2}

// ParseDate parses a purchase date and returns it as "2006-01-02". It accepts
// 2026-11-20, 2026/11/20, 2026.11.20, 20261120, 2026年11月20日, 11月20日, 11-20, 今天,
// 昨天 and 前天, with full-width digits. A date without a year is the most recent
// past occurrence: on 2026-03-01, "11月20日" is 2025-11-20, because a purchase date
// cannot be in the future. Dates after today (in China, UTC+8) or before 1990 are
// refused.
func ParseDate(s string, now time.Time) (string, bool) {
	d, p := parseDate(s, now)
	return d, p == dateOK
}

// parseDate is ParseDate with the reason for a refusal.
func parseDate(s string, now time.Time) (string, dateProblem) {
	today := dayOf(now)
	s = strings.TrimSpace(halfWidth(s))
	d, ok := readDate(s, today)
	switch {
	case !ok:
		return "", dateFormat
	case d.After(today):
		return "", dateFuture
	case d.Before(earliestDate):
		return "", dateTooOld
	}
	return d.Format(time.DateOnly), dateOK
}

// dayOf returns midnight of t's calendar day in China.
func dayOf(t time.Time) time.Time {
	y, m, d := t.In(shanghai).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, shanghai)
}

// readDate recognises the accepted forms; it does not check the range.
func readDate(s string, today time.Time) (time.Time, bool) {
	if n, ok := relativeDays[s]; ok {
		return today.AddDate(0, 0, -n), true
	}
	if m := fullDateRe.FindStringSubmatch(s); m != nil {
		return makeDate(m[1], m[2], m[3])
	}
	if m := compactDateRe.FindStringSubmatch(s); m != nil {
		return makeDate(m[1], m[2], m[3])
	}
	if m := monthDayRe.FindStringSubmatch(s); m != nil {
		return monthDay(m[1], m[2], today)
	}
	return time.Time{}, false
}

// monthDay places a month and day in this year, or last year if that would be in
// the future.
func monthDay(month, day string, today time.Time) (time.Time, bool) {
	year := today.Year()
	d, ok := makeDate(strconv.Itoa(year), month, day)
	if ok && d.After(today) {
		d, ok = makeDate(strconv.Itoa(year-1), month, day)
	}
	return d, ok
}

// makeDate builds a date from digit strings and refuses days that do not exist
// (time.Date would silently turn 2月30日 into 3月2日).
func makeDate(year, month, day string) (time.Time, bool) {
	y, _ := strconv.Atoi(year)
	m, _ := strconv.Atoi(month)
	d, _ := strconv.Atoi(day)
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, shanghai)
	if t.Year() != y || int(t.Month()) != m || t.Day() != d {
		return time.Time{}, false
	}
	return t, true
}

// chineseNumbers are the numerals voice recognition may produce for menu choices.
var chineseNumbers = map[string]int{
	"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
	"七": 7, "八": 8, "九": 9, "十": 10, "十一": 11, "十二": 12,
}

// parseChoice reads a small menu number typed as digits (also full-width) or said as
// a Chinese numeral. It reports false for anything else.
func parseChoice(s string) (int, bool) {
	s = strings.TrimSpace(halfWidth(s))
	if n, ok := chineseNumbers[s]; ok {
		return n, true
	}
	if len(s) == 0 || len(s) > 3 {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	return n, err == nil && n > 0
}

package storage

import (
	"strconv"
	"strings"
)

// The characters of an amount in Chinese capitals (大写金额), as banks and
// agreements write money so that it cannot be altered.
var (
	capitalDigits = []string{"零", "壹", "贰", "叁", "肆", "伍", "陆", "柒", "捌", "玖"}
	capitalUnits  = []string{"", "拾", "佰", "仟"}
	capitalGroups = []string{"", "万", "亿", "万亿"}
)

// AmountInCapitals writes fen in Chinese capitals the way a payment document
// does: 120000 → 壹仟贰佰元整, 1005 → 壹拾元零伍分, 50 → 伍角整, 0 → 零元整.
// Zeros inside the yuan write one 零 per run; a group of four zeros drops its 万.
// A negative amount has no capital form and returns "".
func AmountInCapitals(fen int64) string {
	if fen < 0 {
		return ""
	}
	yuan, jiao, cents := fen/100, fen/10%10, fen%10
	var b strings.Builder
	if yuan > 0 {
		b.WriteString(yuanInCapitals(yuan))
		b.WriteString("元")
	}
	switch {
	case yuan == 0 && jiao == 0 && cents == 0:
		return "零元整"
	case jiao == 0 && cents == 0:
		b.WriteString("整")
		return b.String()
	}
	if jiao > 0 {
		b.WriteString(capitalDigits[jiao] + "角")
	} else if yuan > 0 {
		b.WriteString("零") // 壹拾元零伍分: the missing 角 is read aloud
	}
	if cents > 0 {
		b.WriteString(capitalDigits[cents] + "分")
	} else {
		b.WriteString("整")
	}
	return b.String()
}

// yuanInCapitals writes a positive whole number of yuan in capitals, without 元.
func yuanInCapitals(n int64) string {
	var digits []int64
	for ; n > 0; n /= 10 {
		digits = append(digits, n%10) // lowest first
	}
	var b strings.Builder
	zero := false // a run of zeros waits to be written as one 零
	for i := len(digits) - 1; i >= 0; i-- {
		if d := digits[i]; d == 0 {
			zero = b.Len() > 0
		} else {
			if zero {
				b.WriteString("零")
				zero = false
			}
			b.WriteString(capitalDigits[d] + capitalUnits[i%4])
		}
		if i%4 == 0 && i > 0 && groupHasDigits(digits, i) {
			b.WriteString(capitalGroups[i/4])
		}
	}
	return b.String()
}

// groupHasDigits reports whether the group of four digits starting at position
// low (lowest-first digits) is not all zeros.
func groupHasDigits(digits []int64, low int) bool {
	for i := low; i < low+4 && i < len(digits); i++ {
		if digits[i] != 0 {
			return true
		}
	}
	return false
}

// FormatYuan writes fen as yuan in figures: 120000 → ¥1,200.00.
func FormatYuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	whole := []byte(strconv.FormatInt(fen/100, 10))
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(c)
	}
	cents := fen % 100
	return sign + "¥" + b.String() + "." + string(rune('0'+cents/10)) + string(rune('0'+cents%10))
}

// MaxAmountFen bounds an amount of money: a billion yuan is beyond any consumer
// complaint, and the bound keeps every sum of amounts far from overflowing int64.
const MaxAmountFen = 100_000_000_000

// ParseYuan reads an amount of money in yuan ("3999", "3999.5", "3999.50") and
// returns it in fen, exactly: no floating point is involved. It refuses negatives,
// signs, more than two decimals, separators and anything that is not a plain decimal
// number. Surrounding spaces are ignored.
func ParseYuan(s string) (int64, error) {
	s = strings.TrimSpace(s)
	whole, frac, hasDot := strings.Cut(s, ".")
	if !allDigits(whole) || (hasDot && !allDigits(frac)) {
		return 0, Errorf(EINVALID, "金额格式不正确：%q（应为不带符号的数字，最多两位小数，如 3999.50）", s)
	}
	if len(frac) > 2 {
		return 0, Errorf(EINVALID, "金额最多两位小数：%q", s)
	}
	yuan, err := strconv.ParseInt(whole, 10, 64)
	if err != nil || yuan > MaxAmountFen/100 {
		return 0, Errorf(EINVALID, "金额过大：%q", s)
	}
	fen := yuan * 100
	if frac != "" {
		f, _ := strconv.ParseInt((frac + "0")[:2], 10, 64) // "5" → 50, "05" → 5
		fen += f
	}
	if fen > MaxAmountFen {
		return 0, Errorf(EINVALID, "金额过大：%q", s)
	}
	return fen, nil
}

// allDigits reports whether s is a non-empty run of ASCII digits.
func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

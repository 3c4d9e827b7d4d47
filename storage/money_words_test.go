package storage

import "testing"

func TestAmountInCapitals(t *testing.T) {
	for _, tc := range []struct {
		fen  int64
		want string
	}{
		{120000, "壹仟贰佰元整"},
		{0, "零元整"},
		{100, "壹元整"},
		{1000, "壹拾元整"},
		{1005, "壹拾元零伍分"},
		{1050, "壹拾元伍角整"},
		{1055, "壹拾元伍角伍分"},
		{50, "伍角整"},
		{5, "伍分"},
		{100500, "壹仟零伍元整"},
		{1000000, "壹万元整"},
		{10010000, "壹拾万零壹佰元整"},
		{101000000, "壹佰零壹万元整"},
		{1000100000, "壹仟万零壹仟元整"},
		{10000000000, "壹亿元整"},
		{10000000100, "壹亿零壹元整"},
		{12345678900, "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整"},
		{3000000012, "叁仟万元壹角贰分"},
		{-1, ""},
	} {
		if got := AmountInCapitals(tc.fen); got != tc.want {
			t.Errorf("AmountInCapitals(%d) = %s, want %s", tc.fen, got, tc.want)
		}
	}
}

func TestFormatYuan(t *testing.T) {
	for fen, want := range map[int64]string{120000: "¥1,200.00", 5: "¥0.05", 123456789: "¥1,234,567.89", 99900: "¥999.00"} {
		if got := FormatYuan(fen); got != want {
			t.Errorf("FormatYuan(%d) = %s, want %s", fen, got, want)
		}
	}
}

func TestCheckCreditCode(t *testing.T) {
	for code, ok := range map[string]bool{
		"91310000MA1FL1234Q": true,
		"91310000MA1FL1234":  false, // 17 characters
		"91310000MA1FL1234I": false, // I is not used
		"91310000MA1FL1234S": false,
		"91310000ma1fl1234q": false, // the form upper-cases; the check does not
	} {
		if err := CheckCreditCode(code); (err == nil) != ok {
			t.Errorf("CheckCreditCode(%s) = %v, want ok=%v", code, err, ok)
		}
	}
	if err := CheckCreditCode("91310000MA1FL1234X"); ErrorCode(err) != EINVALID { // the check digit is Q
		t.Errorf("a wrong check digit passed: %v", err)
	}
}

func TestParseYuan(t *testing.T) {
	for in, want := range map[string]int64{
		"3999.5": 399950, "3999.50": 399950, "3999": 399900, "0": 0, "0.01": 1, "0.1": 10,
		" 12.34 ": 1234, "007.05": 705, "1000000000": 100000000000,
	} {
		got, err := ParseYuan(in)
		if err != nil || got != want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "-0.5", "+1", "1.234", "1.", ".5", "1,000", "1e3", "¥5", "五十",
		"1 000", "0x10", "1000000000.01", "99999999999999999999"} {
		if got, err := ParseYuan(in); err == nil || ErrorCode(err) != EINVALID {
			t.Errorf("ParseYuan(%q) = %d, %v; want an invalid error", in, got, err)
		}
	}
}

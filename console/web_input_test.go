package console_test

import (
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/storage"
)

func TestAPIParseYuan(t *testing.T) {
	for in, want := range map[string]int64{
		"3999.5": 399950, "3999.50": 399950, "3999": 399900, "0": 0, "0.01": 1, "0.1": 10,
		" 12.34 ": 1234, "007.05": 705, "1000000000": 100000000000,
	} {
		got, err := console.ParseYuan(in)
		if err != nil || got != want {
			t.Errorf("ParseYuan(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "-1", "-0.5", "+1", "1.234", "1.", ".5", "1,000", "1e3", "¥5", "五十",
		"1 000", "0x10", "1000000000.01", "99999999999999999999"} {
		if got, err := console.ParseYuan(in); err == nil || storage.ErrorCode(err) != storage.EINVALID {
			t.Errorf("ParseYuan(%q) = %d, %v; want an invalid error", in, got, err)
		}
	}
}

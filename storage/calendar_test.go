package storage

import (
	"strings"
	"testing"
	"time"
)

// days returns one exception of kind and name per date, for the tests.
func days(kind, name string, dates ...string) []*DayException {
	var out []*DayException
	for _, d := range dates {
		out = append(out, &DayException{Date: d, Kind: kind, Name: name})
	}
	return out
}

// official2025 is the State Council's 2025 schedule for 春节 and 国庆节、中秋节.
func official2025() *Calendar {
	var all []*DayException
	all = append(all, days(DayRest, "春节", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
		"2025-02-01", "2025-02-02", "2025-02-03", "2025-02-04")...)
	all = append(all, days(DayWork, "春节", "2025-01-26", "2025-02-08")...)
	all = append(all, days(DayRest, "国庆节", "2025-10-01", "2025-10-02", "2025-10-03", "2025-10-04",
		"2025-10-05", "2025-10-06", "2025-10-07", "2025-10-08")...)
	all = append(all, days(DayWork, "国庆节", "2025-09-28", "2025-10-11")...)
	return NewCalendar(all)
}

func day(s string) time.Time {
	t, err := ParseDay(s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestIsWorkingDay(t *testing.T) {
	c := official2025()
	for date, want := range map[string]bool{
		"2025-01-24": true,  // Friday
		"2025-01-25": false, // Saturday
		"2025-01-26": true,  // Sunday, 调休上班
		"2025-01-27": true,  // Monday
		"2025-01-28": false, // 除夕, Tuesday
		"2025-02-04": false, // 初七, Tuesday
		"2025-02-05": true,
		"2025-02-08": true,  // Saturday, 调休上班
		"2025-02-09": false, // Sunday
		"2025-09-28": true,  // Sunday, 调休上班
		"2025-10-08": false, // Wednesday, rest
		"2025-10-11": true,  // Saturday, 调休上班
		"2025-10-12": false,
	} {
		if got := c.IsWorkingDay(day(date)); got != want {
			t.Errorf("IsWorkingDay(%s) = %v, want %v", date, got, want)
		}
	}
	// The date is China's: 2025-01-27 17:00 UTC is already the 28th in Beijing.
	if c.IsWorkingDay(time.Date(2025, 1, 27, 17, 0, 0, 0, time.UTC)) {
		t.Error("2025-01-28 01:00 in China counted as a working day")
	}
	if c.DayName(day("2025-10-11")) != "国庆节" {
		t.Errorf("name of 2025-10-11 = %q", c.DayName(day("2025-10-11")))
	}
}

func TestAddWorkingDaysAcrossHolidays(t *testing.T) {
	c := official2025()
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		// Friday before 春节: 26 (Sun, work), 27, then 5, 6, 7, 8 (Sat, work), 10.
		{"2025-01-24", 7, "2025-02-10"},
		{"2025-01-24", 1, "2025-01-26"},
		{"2025-01-24", 2, "2025-01-27"},
		{"2025-01-24", 3, "2025-02-05"},
		// Received on the 调休 Sunday: the next day counts first.
		{"2025-01-26", 1, "2025-01-27"},
		// Received during the holiday.
		{"2025-01-30", 1, "2025-02-05"},
		// 国庆: Friday 26 Sep → 28 (Sun), 29, 30, 9 Oct, 10, 11 (Sat), 13.
		{"2025-09-26", 7, "2025-10-13"},
		{"2025-09-30", 1, "2025-10-09"},
		{"2025-09-30", 0, "2025-09-30"},
		{"2025-10-09", -1, "2025-09-30"},
	} {
		got := c.AddWorkingDays(day(tc.from), tc.n)
		if got.Format(DateLayout) != tc.want || got.Location() != ChinaTime {
			t.Errorf("AddWorkingDays(%s, %d) = %v, want %s", tc.from, tc.n, got, tc.want)
		}
		if tc.n > 0 {
			if back := c.WorkingDaysBetween(day(tc.from), got); back != tc.n {
				t.Errorf("WorkingDaysBetween(%s, %s) = %d, want %d", tc.from, tc.want, back, tc.n)
			}
		}
	}
	if n := c.WorkingDaysBetween(day("2025-02-10"), day("2025-01-24")); n != -7 {
		t.Errorf("backwards WorkingDaysBetween = %d, want -7", n)
	}
	// Without the calendar the same week would end a week earlier: the data matters.
	if got := NewCalendar(nil).AddWorkingDays(day("2025-01-24"), 7); got.Format(DateLayout) != "2025-02-04" {
		t.Errorf("weekends-only AddWorkingDays = %s", got.Format(DateLayout))
	}
}

func TestParseCalendarCSV(t *testing.T) {
	in := "\ufeffdate,kind,name\n# 2025\n2025-01-28,rest,春节\n\n2025-01-26 , 班 , 春节\n2025-05-05,rest\n"
	got, err := ParseCalendarCSV(strings.NewReader(in), 2025)
	if err != nil {
		t.Fatal(err)
	}
	want := []DayException{{Date: "2025-01-26", Kind: DayWork, Name: "春节"},
		{Date: "2025-01-28", Kind: DayRest, Name: "春节"}, {Date: "2025-05-05", Kind: DayRest}}
	if len(got) != len(want) {
		t.Fatalf("got %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseCalendarCSVRefusesBadLines(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"2025-01-28,rest,春节\n2025-13-01,rest,春节\n", "第 2 行：日期“2025-13-01”"},
		{"2025-01-28,holiday,春节\n", "第 1 行：类型“holiday”"},
		{"date,kind,name\n2026-01-01,rest,元旦\n", "第 2 行：日期 2026-01-01 不在 2025 年"},
		{"2025-01-28,rest,春节\n2025-01-28,work,春节\n", "第 2 行：日期 2025-01-28 与第 1 行重复"},
		{"2025-01-28\n", "第 1 行：应有 3 列"},
		{"2025-01-28,rest,春节,多余\n", "第 1 行：应有 3 列"},
		{"2025-01-28,rest," + strings.Repeat("节", 21) + "\n", "第 1 行：名称最多"},
		{"2025-01-28,rest,\"春节\n", "第 1 行：不是有效的 CSV"},
	} {
		_, err := ParseCalendarCSV(strings.NewReader(tc.in), 2025)
		if ErrorCode(err) != EINVALID || !strings.Contains(ErrorMessage(err), tc.want) {
			t.Errorf("%q: got %v, want EINVALID with %q", tc.in, err, tc.want)
		}
	}
}

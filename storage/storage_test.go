package storage

import (
	"errors"
	"fmt"
	"testing"
)

func TestParseCaseNumber(t *testing.T) {
	cases := []struct {
		in   string
		want string
		ok   bool
	}{
		{"TS-2026-000123", "TS-2026-000123", true},
		{"ts2026123", "TS-2026-000123", true},
		{" ts-2026-123 ", "TS-2026-000123", true},
		{"2026-123", "TS-2026-000123", true},
		{"TS_2026_000001", "TS-2026-000001", true},
		{"TS－2026－7", "TS-2026-000007", true},
		{"XY-2026-000123", "", false}, // another association's prefix
		{"TS-2026-0", "", false},
		{"TS-2026-1234567", "", false},
		{"我的投诉", "", false},
		{"", "", false},
	}
	for _, c := range cases {
		got, ok := ParseCaseNumber(c.in, "ts")
		if got != c.want || ok != c.ok {
			t.Errorf("ParseCaseNumber(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}

func TestStatusMoves(t *testing.T) {
	allowed := []struct{ from, to Status }{
		{StatusSubmitted, StatusAccepted}, {StatusSubmitted, StatusRejected}, {StatusSubmitted, StatusWithdrawn},
		{StatusAccepted, StatusMediating}, {StatusMediating, StatusResolved}, {StatusMediating, StatusTerminated},
		{StatusMediating, StatusReferred}, {StatusReferred, StatusResolved}, {StatusResolved, StatusClosed},
	}
	for _, m := range allowed {
		if !m.from.CanMoveTo(m.to) {
			t.Errorf("%s → %s should be allowed", m.from, m.to)
		}
	}
	refused := []struct{ from, to Status }{
		{StatusSubmitted, StatusResolved}, {StatusRejected, StatusAccepted}, {StatusClosed, StatusMediating},
		{StatusResolved, StatusWithdrawn}, {StatusSubmitted, StatusSubmitted}, {Status("bogus"), StatusClosed},
	}
	for _, m := range refused {
		if m.from.CanMoveTo(m.to) {
			t.Errorf("%s → %s should be refused", m.from, m.to)
		}
	}
	if len(Statuses()) != len(statusLabels) {
		t.Errorf("Statuses() lists %d of the %d statuses", len(Statuses()), len(statusLabels))
	}
	for s := range statusLabels {
		if s.Label() == string(s) || !s.Valid() {
			t.Errorf("%s has no Chinese label", s)
		}
	}
	if Status("bogus").Valid() {
		t.Error("unknown status reported valid")
	}
}

func TestErrorCodes(t *testing.T) {
	err := fmt.Errorf("find: %w", Errorf(ENOTFOUND, "no case %s", "TS-2026-000001"))
	if ErrorCode(err) != ENOTFOUND || ErrorMessage(err) != "no case TS-2026-000001" {
		t.Fatalf("code %q message %q", ErrorCode(err), ErrorMessage(err))
	}
	if ErrorCode(errors.New("x")) != EINTERNAL || ErrorCode(nil) != "" {
		t.Fatal("plain errors are internal, nil has no code")
	}
}

func TestNewCaseValidateNamesMissingFields(t *testing.T) {
	err := (&NewCase{OpenID: "o1", IntakeKey: "k"}).Validate()
	if ErrorCode(err) != EINVALID {
		t.Fatalf("want EINVALID, got %v", err)
	}
	want := "missing fields: [category complainant_name demand description merchant_name phone]"
	if ErrorMessage(err) != want {
		t.Fatalf("message %q, want %q", ErrorMessage(err), want)
	}
}

func TestReferralTargetOf(t *testing.T) {
	for reason, want := range map[string]string{
		"仲裁委员会": "仲裁委员会",
		"企业和解（入驻企业）（已联系客服）": "企业和解（入驻企业）",
		"别处": "",
	} {
		if got := ReferralTargetOf(reason); got != want {
			t.Errorf("ReferralTargetOf(%q) = %q, want %q", reason, got, want)
		}
	}
}

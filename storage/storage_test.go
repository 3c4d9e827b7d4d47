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
		{StatusSubmitted, StatusAwaitingMaterial}, {StatusMediating, StatusAwaitingMaterial},
		{StatusAwaitingMaterial, StatusSubmitted}, {StatusAwaitingMaterial, StatusMediating},
		{StatusAwaitingMaterial, StatusRejected}, {StatusAwaitingMaterial, StatusWithdrawn},
		{StatusMediating, StatusAppraisal}, {StatusAppraisal, StatusMediating}, {StatusAppraisal, StatusResolved},
		{StatusAppraisal, StatusTerminated},
	}
	for _, m := range allowed {
		if !m.from.CanMoveTo(m.to) {
			t.Errorf("%s → %s should be allowed", m.from, m.to)
		}
	}
	refused := []struct{ from, to Status }{
		{StatusSubmitted, StatusResolved}, {StatusRejected, StatusAccepted}, {StatusClosed, StatusMediating},
		{StatusResolved, StatusWithdrawn}, {StatusSubmitted, StatusSubmitted}, {Status("bogus"), StatusClosed},
		{StatusAccepted, StatusAwaitingMaterial}, {StatusAwaitingMaterial, StatusAccepted},
		{StatusAwaitingMaterial, StatusResolved}, {StatusAccepted, StatusAppraisal}, {StatusAppraisal, StatusReferred},
		{StatusAppraisal, StatusAwaitingMaterial},
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

func TestOutcomesSetTheStatus(t *testing.T) {
	for outcome, want := range map[string]Status{
		OutcomeAgreement: StatusResolved, OutcomeSettled: StatusResolved,
		OutcomeTerminated: StatusTerminated, OutcomeWithdrawn: StatusWithdrawn,
	} {
		if got, ok := OutcomeStatus(outcome); !ok || got != want || !got.HasOutcome() {
			t.Errorf("OutcomeStatus(%s) = %s, %v; want %s", outcome, got, ok, want)
		}
	}
	if _, ok := OutcomeStatus(""); ok {
		t.Error("no outcome leads to a status")
	}
	for _, s := range Statuses() {
		if s.ClosingOnly() != (s == StatusResolved || s == StatusTerminated) {
			t.Errorf("%s: ClosingOnly %v", s, s.ClosingOnly())
		}
	}
	if got := OutcomeSummary(OutcomeAgreement, 500_005, true); got != "达成调解协议，挽回经济损失 ¥5000.05，加倍赔偿" {
		t.Errorf("summary %q", got)
	}
}

func TestClosingValidate(t *testing.T) {
	ok := []Closing{
		{Outcome: OutcomeAgreement, RecoveredFen: 0, Actor: "staff:1"},
		{Outcome: OutcomeSettled, RecoveredFen: 100, DoubleCompensation: true, Actor: "staff:1"},
		{Outcome: OutcomeTerminated, Reason: TerminationReasons[0], Actor: "staff:1"},
		{Outcome: OutcomeWithdrawn, Actor: "consumer"},
	}
	for _, cl := range ok {
		if err := cl.Validate(); err != nil {
			t.Errorf("%+v: %v", cl, err)
		}
	}
	bad := []Closing{
		{Outcome: "won", Actor: "staff:1"},
		{Outcome: OutcomeAgreement},
		{Outcome: OutcomeAgreement, RecoveredFen: -1, Actor: "staff:1"},
		{Outcome: OutcomeTerminated, Actor: "staff:1"},
		{Outcome: OutcomeTerminated, Reason: TerminationReasons[0], DoubleCompensation: true, Actor: "staff:1"},
		{Outcome: OutcomeWithdrawn, RecoveredFen: 1, Actor: "staff:1"},
		{Outcome: OutcomeSettled, Reason: TerminationReasons[0], Actor: "staff:1"},
	}
	for _, cl := range bad {
		if err := cl.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%+v: %v, want invalid", cl, err)
		}
	}
}

func TestReportFiguresAdd(t *testing.T) {
	f := ReportFigures{Received: 3, Accepted: 2, Mediated: 1, RecoveredFen: 500, AmountFen: 7}
	f.Add(ReportFigures{Received: 4, Accepted: 3, Rejected: 1, WithdrawnEarly: 1, Pending: 1,
		Mediated: 2, RecoveredFen: 250, DoubleCompensation: 1, AmountFen: 3})
	want := ReportFigures{Received: 7, Accepted: 5, Rejected: 1, WithdrawnEarly: 1, Pending: 1,
		Mediated: 3, RecoveredFen: 750, DoubleCompensation: 1, AmountFen: 10}
	if f != want {
		t.Fatalf("sum = %+v, want %+v", f, want)
	}
}

package storage

import "testing"

func TestMerchantActorRoundTrip(t *testing.T) {
	if id, ok := MerchantAccountFromActor(MerchantActor(42)); !ok || id != 42 {
		t.Fatalf("round trip: %d %v", id, ok)
	}
	for _, bad := range []string{"staff:42", "merchant:", "merchant:x", "merchant:-1", "consumer"} {
		if _, ok := MerchantAccountFromActor(bad); ok {
			t.Errorf("%q read as a merchant actor", bad)
		}
	}
}

func TestProposalInputValidate(t *testing.T) {
	ok := ProposalInput{Remedy: "维修", AmountFen: 0, PayBy: "2026-03-02"}
	if err := ok.Validate("2026-03-02"); err != nil {
		t.Fatalf("valid input refused: %v", err)
	}
	for name, in := range map[string]ProposalInput{
		"unknown remedy": {Remedy: "送券", PayBy: "2026-03-02"},
		"negative":       {Remedy: "退款", AmountFen: -1, PayBy: "2026-03-02"},
		"past date":      {Remedy: "退款", PayBy: "2026-03-01"},
		"bad date":       {Remedy: "退款", PayBy: "2026-3-9"},
		"refusal no why": {Refused: true, Reasons: "  "},
	} {
		if err := in.Validate("2026-03-02"); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v", name, err)
		}
	}
	refusal := ProposalInput{Refused: true, Reasons: " 超过保修期 ", Remedy: "退款", AmountFen: 5}
	if err := refusal.Validate("2026-03-02"); err != nil || refusal.Reasons != "超过保修期" || refusal.AmountFen != 0 || refusal.Remedy != "" {
		t.Fatalf("refusal %+v, %v", refusal, err)
	}
}

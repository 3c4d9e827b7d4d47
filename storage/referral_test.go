package storage

import "testing"

// TestEveryReferralTargetHasAChannel checks that each target staff may pick has a
// stable channel id and back, so a new target cannot be added without one (the
// store would refuse every referral to it).
func TestEveryReferralTargetHasAChannel(t *testing.T) {
	if len(ReferralChannels()) != len(ReferralTargets) {
		t.Fatalf("%d channels for %d targets", len(ReferralChannels()), len(ReferralTargets))
	}
	for i, target := range ReferralTargets {
		id := ReferralChannelOf(target)
		if id == "" || ReferralChannelName(id) != target || ReferralChannels()[i] != id {
			t.Errorf("target %s: channel %q", target, id)
		}
	}
	if ReferralChannelOf(ArbitrationTarget) != ChannelArbitration || ReferralChannelOf(MerchantReferral) != ChannelMerchantPlatform {
		t.Errorf("arbitration or platform channel misnamed")
	}
	if ReferralOutcomeLabel(ReferralSettled) == ReferralSettled || ReferralOutcomeLabel("x") != "x" {
		t.Errorf("outcome labels")
	}
}

package configs

import "time"

// CaseworkConfig holds the rules of case handling: the statutory time limits,
// in working days of the association's calendar. The limits for acceptance and
// mediation are cases.accept_working_days and cases.mediation_working_days, the
// numbers the chat tells consumers, so that what they are told and what the
// clocks count cannot differ.
type CaseworkConfig struct {
	// MerchantDays is the merchant's limit for settling a case referred to it
	// (企业和解); the association's mediation clock stands still meanwhile.
	MerchantDays int `yaml:"merchant_days"`
	// TerminationNoticeDays is the limit for telling both parties that mediation
	// was terminated, from 终止调解 until the file is closed.
	TerminationNoticeDays int `yaml:"termination_notice_days"`
	// MaterialWait is how long a consumer has to send the material asked for
	// (待补正), counted from the request; after it the complaint may be rejected
	// for missing material (投诉材料不全且未按要求补正). 1h to 2160h (90 days).
	MaterialWait Duration `yaml:"material_wait"`
	// MassThreshold complaints against one merchant within MassWindow raise a
	// mass-complaint group (群体投诉) for supervisors; 2 to 1000.
	MassThreshold int `yaml:"mass_threshold"`
	// MassWindow is how far back the mass-complaint detector counts; 1h to 2160h.
	MassWindow Duration `yaml:"mass_window"`
	// ProposalAnswerDays is how many days a merchant's settlement proposal may
	// wait for the consumer's 接受 / 不接受 before the chat asks once more.
	ProposalAnswerDays int `yaml:"proposal_answer_days"`
	// ProposalReturnDays is how many days after that reminder a proposal still
	// unanswered lapses and the case returns to the association's mediation
	// queue (with an alert, and the consumer told).
	ProposalReturnDays int `yaml:"proposal_return_days"`
	// PaymentAnswerDays is how many days after the last ask whether the agreed
	// money arrived an unanswered question lapses: the mediator is alerted to
	// check, and a later 已到账 / 未到账 no longer closes or reopens the case.
	PaymentAnswerDays int `yaml:"payment_answer_days"`
}

// maxProposalDays bounds the proposal's waits and the payment question's: a
// month each is already long for a consumer who asked for help.
const maxProposalDays = 30

// Bounds of casework.material_wait: a consumer needs at least an hour to answer,
// and a complaint should not wait for material longer than a quarter.
const (
	minMaterialWait = time.Hour
	maxMaterialWait = 90 * 24 * time.Hour
)

// defaultCasework is the statutory limits, 10 and 7 working days, and a week
// for missing material.
func defaultCasework() CaseworkConfig {
	return CaseworkConfig{MerchantDays: 10, TerminationNoticeDays: 7, MaterialWait: seconds(7 * 24 * 60 * 60),
		MassThreshold: 5, MassWindow: seconds(7 * 24 * 60 * 60), ProposalAnswerDays: 3, ProposalReturnDays: 4,
		PaymentAnswerDays: 7}
}

func (c Config) validateCasework(ch *checker) {
	w := c.Casework
	ch.count("casework.merchant_days", w.MerchantDays, maxWorkingDays, "")
	ch.count("casework.termination_notice_days", w.TerminationNoticeDays, maxWorkingDays, "")
	if mw := time.Duration(w.MaterialWait); mw < minMaterialWait || mw > maxMaterialWait {
		ch.add("casework.material_wait", "must be between %s and %s (got %s)",
			Duration(minMaterialWait), Duration(maxMaterialWait), w.MaterialWait)
	}
	c.validateMass(ch)
	ch.count("casework.proposal_answer_days", w.ProposalAnswerDays, maxProposalDays, "")
	ch.count("casework.proposal_return_days", w.ProposalReturnDays, maxProposalDays, "")
	ch.count("casework.payment_answer_days", w.PaymentAnswerDays, maxProposalDays, "")
}

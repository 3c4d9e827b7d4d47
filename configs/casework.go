package configs

// CaseworkConfig holds the rules of case handling: the statutory time limits,
// in working days of the association's calendar.
type CaseworkConfig struct {
	// AcceptanceDays is the limit for deciding whether to accept a case, from
	// receipt (SAMR Order 20, art. 14). It must equal cases.accept_working_days,
	// which the chat quotes to consumers.
	AcceptanceDays int `yaml:"acceptance_days"`
	// MediationDays is the limit for mediation, from acceptance (art. 21). It must
	// equal cases.mediation_working_days, which the chat quotes to consumers.
	MediationDays int `yaml:"mediation_days"`
	// MerchantDays is the merchant's limit for settling a case referred to it
	// (企业和解); the association's mediation clock stands still meanwhile.
	MerchantDays int `yaml:"merchant_days"`
	// TerminationNoticeDays is the limit for telling both parties that mediation
	// was terminated, from 终止调解 until the file is closed.
	TerminationNoticeDays int `yaml:"termination_notice_days"`
}

// defaultCasework is the statutory limits: 7, 45, 10 and 7 working days.
func defaultCasework() CaseworkConfig {
	return CaseworkConfig{AcceptanceDays: 7, MediationDays: 45, MerchantDays: 10, TerminationNoticeDays: 7}
}

func (c Config) validateCasework(ch *checker) {
	w := c.Casework
	for _, d := range []struct {
		key string
		n   int
	}{
		{"casework.acceptance_days", w.AcceptanceDays},
		{"casework.mediation_days", w.MediationDays},
		{"casework.merchant_days", w.MerchantDays},
		{"casework.termination_notice_days", w.TerminationNoticeDays},
	} {
		if d.n < 1 || d.n > maxWorkingDays {
			ch.add(d.key, "must be between 1 and %d (got %d)", maxWorkingDays, d.n)
		}
	}
	// The chat tells consumers the limits of cases.*; the clocks must count the same.
	if w.AcceptanceDays != c.Cases.AcceptWorkingDays {
		ch.add("casework.acceptance_days", "must equal cases.accept_working_days, which consumers are told (got %d and %d)",
			w.AcceptanceDays, c.Cases.AcceptWorkingDays)
	}
	if w.MediationDays != c.Cases.MediationWorkingDays {
		ch.add("casework.mediation_days", "must equal cases.mediation_working_days, which consumers are told (got %d and %d)",
			w.MediationDays, c.Cases.MediationWorkingDays)
	}
}

package configs

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
}

// defaultCasework is the statutory limits: 10 and 7 working days.
func defaultCasework() CaseworkConfig {
	return CaseworkConfig{MerchantDays: 10, TerminationNoticeDays: 7}
}

func (c Config) validateCasework(ch *checker) {
	w := c.Casework
	for _, d := range []struct {
		key string
		n   int
	}{
		{"casework.merchant_days", w.MerchantDays},
		{"casework.termination_notice_days", w.TerminationNoticeDays},
	} {
		if d.n < 1 || d.n > maxWorkingDays {
			ch.add(d.key, "must be between 1 and %d (got %d)", maxWorkingDays, d.n)
		}
	}
}

package configs

import "time"

// PrivacyConfig holds how long finished cases keep the consumer's personal data
// before the retention job anonymises them, in months from the day the case
// reached its final status, per outcome (storage.RetentionPolicy). The notice
// every consumer accepts promises 信息按规定期限保存，期满后匿名化处理.
type PrivacyConfig struct {
	// RetentionRejectedMonths keeps refused complaints (不予受理).
	RetentionRejectedMonths int `yaml:"retention_rejected_months"`
	// RetentionWithdrawnMonths keeps withdrawn complaints (已撤回, 撤回投诉).
	RetentionWithdrawnMonths int `yaml:"retention_withdrawn_months"`
	// RetentionMediatedMonths keeps complaints settled in mediation (调解成功).
	RetentionMediatedMonths int `yaml:"retention_mediated_months"`
	// RetentionArbitrationMonths keeps complaints ever referred to arbitration.
	RetentionArbitrationMonths int `yaml:"retention_arbitration_months"`
	// RetentionOtherMonths keeps every other finished complaint (终止调解, other
	// referrals).
	RetentionOtherMonths int `yaml:"retention_other_months"`
	// RetentionPoll is how often each instance asks whether the daily retention
	// run is due; one instance at a time runs it (a lease row in the database).
	RetentionPoll Duration `yaml:"retention_poll"`
	// DeletionDueWorkingDays is how many working days (the association's
	// calendar) the desk has to answer a consumer's deletion request for an
	// open case: PIPL asks for a reasonable time.
	DeletionDueWorkingDays int `yaml:"deletion_due_working_days"`
}

// maxDeletionDueDays bounds privacy.deletion_due_working_days: three months of
// working days is no longer a reasonable time.
const maxDeletionDueDays = 60

// Bounds of privacy.retention_poll.
const (
	minRetentionPoll = time.Second
	maxRetentionPoll = 24 * time.Hour
)

// maxRetentionMonths bounds a retention: a century is a typo, not a policy.
const maxRetentionMonths = 1200

// defaultPrivacy is storage.DefaultRetention: refusals and withdrawals a year,
// mediated and other cases three years, arbitration five.
func defaultPrivacy() PrivacyConfig {
	return PrivacyConfig{RetentionRejectedMonths: 12, RetentionWithdrawnMonths: 12,
		RetentionMediatedMonths: 36, RetentionArbitrationMonths: 60, RetentionOtherMonths: 36,
		RetentionPoll: Duration(time.Hour), DeletionDueWorkingDays: 15}
}

func (c Config) validatePrivacy(ch *checker) {
	p := c.Privacy
	ch.count("privacy.retention_rejected_months", p.RetentionRejectedMonths, maxRetentionMonths, " months")
	ch.count("privacy.retention_withdrawn_months", p.RetentionWithdrawnMonths, maxRetentionMonths, " months")
	ch.count("privacy.retention_mediated_months", p.RetentionMediatedMonths, maxRetentionMonths, " months")
	ch.count("privacy.retention_arbitration_months", p.RetentionArbitrationMonths, maxRetentionMonths, " months")
	ch.count("privacy.retention_other_months", p.RetentionOtherMonths, maxRetentionMonths, " months")
	ch.count("privacy.deletion_due_working_days", p.DeletionDueWorkingDays, maxDeletionDueDays, " working days")
	if d := time.Duration(p.RetentionPoll); d < minRetentionPoll || d > maxRetentionPoll {
		ch.add("privacy.retention_poll", "must be between %s and %s (got %s)",
			Duration(minRetentionPoll), Duration(maxRetentionPoll), p.RetentionPoll)
	}
}

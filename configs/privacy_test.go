package configs

import (
	"strings"
	"testing"
)

func TestPrivacyDefaultsAndBounds(t *testing.T) {
	c := Default()
	if p := c.Privacy; p.RetentionRejectedMonths != 12 || p.RetentionWithdrawnMonths != 12 ||
		p.RetentionMediatedMonths != 36 || p.RetentionArbitrationMonths != 60 || p.RetentionOtherMonths != 36 ||
		p.DeletionDueWorkingDays != 15 {
		t.Fatalf("defaults = %+v", p)
	}
	c.Privacy.RetentionMediatedMonths = 0
	c.Privacy.RetentionOtherMonths = 1201
	c.Privacy.DeletionDueWorkingDays = 61
	err := c.Validate()
	for _, want := range []string{
		"privacy.retention_mediated_months: must be between 1 and 1200 months (got 0)",
		"privacy.retention_other_months: must be between 1 and 1200 months (got 1201)",
		"privacy.deletion_due_working_days: must be between 1 and 60 working days (got 61)",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v, want %q", err, want)
		}
	}
}

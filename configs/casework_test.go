package configs

import (
	"strings"
	"testing"
)

func TestValidateCasework(t *testing.T) {
	c := Default()
	c.Casework.MerchantDays = 0
	c.Casework.TerminationNoticeDays = maxWorkingDays + 1
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted broken clock limits")
	}
	for _, want := range []string{
		"casework.merchant_days: must be between 1 and 365 (got 0)",
		"casework.termination_notice_days: must be between 1 and 365 (got 366)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v\nwant a line with %q", err, want)
		}
	}
}

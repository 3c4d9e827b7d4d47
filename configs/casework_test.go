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

func TestValidateProposalDays(t *testing.T) {
	c := Default()
	if c.Casework.ProposalAnswerDays != 3 || c.Casework.ProposalReturnDays != 4 || c.Casework.PaymentAnswerDays != 7 {
		t.Fatalf("defaults = %d, %d, %d; want 3, 4, 7", c.Casework.ProposalAnswerDays, c.Casework.ProposalReturnDays,
			c.Casework.PaymentAnswerDays)
	}
	c.Casework.ProposalAnswerDays = 0
	c.Casework.ProposalReturnDays = maxProposalDays + 1
	c.Casework.PaymentAnswerDays = 0
	err := c.Validate()
	if err == nil {
		t.Fatal("Validate accepted broken proposal waits")
	}
	for _, want := range []string{
		"casework.proposal_answer_days: must be between 1 and 30 (got 0)",
		"casework.proposal_return_days: must be between 1 and 30 (got 31)",
		"casework.payment_answer_days: must be between 1 and 30 (got 0)",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("Validate = %v\nwant a line with %q", err, want)
		}
	}
}

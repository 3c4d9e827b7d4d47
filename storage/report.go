package storage

import (
	"context"
	"time"
)

// MaxReportMonths bounds the calendar months a report may span.
const MaxReportMonths = 240

// Report is the statistics associations publish (DOMAIN.md, "What associations
// publish") for the cases received in [From, To).
//
//   - Received counts every case created in the period (受理).
//   - Mediated counts those whose outcome is OutcomeAgreement or OutcomeSettled
//     (调解成功), whatever their status.
//   - Concluded counts those with any outcome recorded or a final status (see
//     Status.Final; rejected cases included): the cases whose handling has ended.
//   - MediationRate is Mediated / Received (调解率), a fraction in [0, 1]; 0 when
//     nothing was received. It is the rate associations publish: the seed's
//     11,144 mediated of 11,550 received is 96.48%.
//   - RecoveredFen sums the money recovered (挽回经济损失) of every case, in fen.
//   - DoubleCompensation counts the cases with 加倍赔偿.
//
// ByCategory holds every category, most cases first (ties by name); TopMerchants
// the ten merchants with most cases, merchant names compared case-insensitively.
// ByMonth has one row per calendar month from From's month to the month before To
// (in From's location), empty months included.
type Report struct {
	From, To           time.Time
	Received           int
	Mediated           int
	Concluded          int
	MediationRate      float64
	RecoveredFen       int64
	DoubleCompensation int
	ByCategory         []ReportCount
	TopMerchants       []ReportCount
	ByMonth            []ReportMonth
}

// ReportCount is a name and how many cases it has.
type ReportCount struct {
	Name  string
	Count int
}

// ReportMonth is one calendar month of a Report.
type ReportMonth struct {
	Month        string // "2026-03"
	Start        time.Time
	Received     int
	Mediated     int
	RecoveredFen int64
}

// ReportTopMerchants is how many merchants Report.TopMerchants lists.
const ReportTopMerchants = 10

// ReportStore computes case statistics.
type ReportStore interface {
	// CaseReport reports on the cases created in [from, to). EINVALID unless from
	// is before to and the period spans at most MaxReportMonths months.
	CaseReport(ctx context.Context, from, to time.Time) (*Report, error)
}

// ReportMonths returns the starts of the calendar months (in from's location)
// that overlap [from, to): the first is from itself, later ones the 1st at 00:00.
func ReportMonths(from, to time.Time) []time.Time {
	var out []time.Time
	for t := from; t.Before(to); {
		out = append(out, t)
		t = time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, from.Location())
	}
	return out
}

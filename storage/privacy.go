package storage

import (
	"context"
	"time"
)

// RetentionClass is the rule a finished case is kept by, named after its outcome.
type RetentionClass string

// The retention classes, from the shortest default to the longest.
const (
	RetentionRejected    RetentionClass = "rejected"    // 不予受理
	RetentionWithdrawn   RetentionClass = "withdrawn"   // 已撤回 / 撤回投诉
	RetentionMediated    RetentionClass = "mediated"    // 调解成功: 达成调解协议 or 协商和解
	RetentionArbitration RetentionClass = "arbitration" // ever referred to 仲裁委员会
	RetentionOther       RetentionClass = "other"       // any other finished case (终止调解, other referrals)
)

// RetentionPolicy is how many months after a case finished its personal data is
// kept, per class. Months, not days, so "one year" is a calendar year.
type RetentionPolicy struct {
	RejectedMonths    int
	WithdrawnMonths   int
	MediatedMonths    int
	ArbitrationMonths int
	OtherMonths       int
}

// DefaultRetention is the policy with nothing configured: refusals and
// withdrawals a year, mediated cases three years, cases that went to arbitration
// five years (the limitation periods a later dispute may need), the rest three.
var DefaultRetention = RetentionPolicy{RejectedMonths: 12, WithdrawnMonths: 12,
	MediatedMonths: 36, ArbitrationMonths: 60, OtherMonths: 36}

// OrDefault is p, or DefaultRetention when p is unset (the zero value).
func (p RetentionPolicy) OrDefault() RetentionPolicy {
	if p == (RetentionPolicy{}) {
		return DefaultRetention
	}
	return p
}

// Months returns the months class is kept; an unknown class gets the longest.
func (p RetentionPolicy) Months(class RetentionClass) int {
	switch class {
	case RetentionRejected:
		return p.RejectedMonths
	case RetentionWithdrawn:
		return p.WithdrawnMonths
	case RetentionMediated:
		return p.MediatedMonths
	case RetentionOther:
		return p.OtherMonths
	}
	return max(p.ArbitrationMonths, p.MediatedMonths, p.OtherMonths)
}

// Until returns when a case of class that finished at finished expires.
func (p RetentionPolicy) Until(class RetentionClass, finished time.Time) time.Time {
	return finished.AddDate(0, p.Months(class), 0)
}

// AnonymisedLabel is what staff pages and exports show in place of personal data
// that was removed, so an anonymised case never reads as one with an empty name.
const AnonymisedLabel = "已匿名化"

// Audit actions of the privacy work. Runs and erasures by the system have no
// staff member (staff id NULL in the log).
const (
	AuditRetentionRun   = "retention_run"   // one run of the retention job: the detail counts
	AuditAnonymise      = "anonymise"       // one case anonymised: the detail says why
	AuditLegalHold      = "legal_hold"      // a supervisor set or cleared a case's legal hold
	AuditConsumerErase  = "consumer_erase"  // a consumer's erasure: the detail counts
	AuditConsumerRecord = "consumer_record" // someone looked up what is held on a consumer
)

// RetentionCase is a finished case the retention job looks at.
type RetentionCase struct {
	ID       int64
	Number   string
	Status   Status
	Class    RetentionClass
	Finished time.Time // when it reached its final status
	Until    time.Time // when its personal data expires
}

// RetentionRun is what one run of the retention job did, or in a dry run would do.
type RetentionRun struct {
	DryRun  bool
	Expired []RetentionCase // anonymised (or, in a dry run, due), in id order
	Held    int             // expired but kept under a legal hold
	// BlobsRemoved counts evidence files removed (0 in a dry run).
	BlobsRemoved int
}

// ConsumerRecord is one case held on a consumer, as the consumer or a staff
// member handling their request may see it.
type ConsumerRecord struct {
	CaseID     int64
	Number     string
	Status     Status
	Name       string
	Phone      string // whole; mask it where it is shown (as console.MaskPhone does)
	Anonymised bool
	LegalHold  bool
	Finished   time.Time // zero while open
	// Until is when the personal data expires under the policy; zero while the
	// case is open (the clock starts when it finishes) or once anonymised.
	Until time.Time
}

// Erasure is what EraseConsumer did: the finished cases it anonymised, and the
// cases it left alone, open (to be handled by staff) or under a legal hold.
type Erasure struct {
	Erased []string          // case numbers anonymised now
	Open   []*ConsumerRecord // open cases, untouched
	Held   []*ConsumerRecord // finished cases under a legal hold, untouched
	// BlobsRemoved counts the evidence files removed.
	BlobsRemoved int
	// Requested are the deletion requests RequestErasure filed for Open (nil
	// from EraseConsumer, which files none).
	Requested []*DeletionRequest
}

// BlobRemover removes evidence bytes. Keys are content-addressed, so the caller
// removes a key only when no remaining evidence row refers to it.
type BlobRemover interface {
	// DeleteBlob removes the bytes under key; a missing key is no error.
	DeleteBlob(ctx context.Context, key string) error
}

// PrivacyStore is retention and erasure of consumers' personal data.
type PrivacyStore interface {
	// RunRetention anonymises every finished case whose retention (policy by
	// class, counted from when it finished) ended by now and that no legal hold
	// keeps, removes their evidence bytes from blobs, and audits the run and each
	// case as the system. With dryRun it changes nothing and reports what would go.
	RunRetention(ctx context.Context, blobs BlobRemover, dryRun bool) (*RetentionRun, error)
	// ConsumerRecords lists the cases filed by openid, oldest first, with the
	// personal data they hold and when it expires. No cases is an empty list.
	ConsumerRecords(ctx context.Context, openid string) ([]*ConsumerRecord, error)
	// EraseConsumer anonymises openid's finished cases now (not those under a
	// legal hold) and returns the open ones untouched, audited as by.Actor.
	EraseConsumer(ctx context.Context, openid string, blobs BlobRemover, by By) (*Erasure, error)
	// SetLegalHold sets or clears a case's legal hold, audited. ENOTFOUND for an
	// unknown case, ECONFLICT for an anonymised one (nothing left to hold).
	SetLegalHold(ctx context.Context, caseID int64, hold bool, by By) (*Case, error)
}

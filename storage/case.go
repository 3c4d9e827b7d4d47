package storage

import (
	"context"
	"strings"
	"time"
)

// Case is one consumer complaint. Money is kept in fen (1/100 yuan) so that sums are
// exact; dates the consumer gave are kept as "2006-01-02" strings because they carry
// no time of day or zone.
type Case struct {
	ID     int64  `db:"id"`
	Number string `db:"number"`  // e.g. TS-2026-000123, see FormatCaseNumber
	OpenID string `db:"open_id"` // the consumer's WeChat openid for this account
	Status Status `db:"status"`

	Category        string `db:"category"`
	MerchantName    string `db:"merchant_name"`
	MerchantAddress string `db:"merchant_address"` // street address or online shop/platform
	PurchaseDate    string `db:"purchase_date"`    // "2006-01-02"
	AmountFen       int64  `db:"amount_fen"`
	Description     string `db:"description"`
	Demand          string `db:"demand"` // 退货/换货/退款/维修/赔偿/其他 or free text
	ComplainantName string `db:"complainant_name"`
	Phone           string `db:"phone"`

	// IntakeKey identifies the intake draft that produced the case; it makes
	// CreateCase idempotent across WeChat retries, two instances and crashes.
	IntakeKey string `db:"intake_key"`

	// The desk's fields.
	AssigneeID         int64  `db:"assignee_id"` // 0 when unassigned
	Unread             bool   `db:"unread"`      // the consumer wrote since staff last looked
	Outcome            string `db:"outcome"`     // one of the Outcome… constants, or "" (see Status.HasOutcome)
	RecoveredFen       int64  `db:"recovered_fen"`
	DoubleCompensation bool   `db:"double_compensation"`

	// Classification and channel, for routing and the published figures.
	Subcategory    string `db:"subcategory"`     // the category's second level, "" until classified
	Nature         string `db:"nature"`          // 投诉性质, "" until classified
	ReferralTarget string `db:"referral_target"` // the latest referral's target (ReferralTargets), or ""

	CreatedAt time.Time `db:"created_at"`
	UpdatedAt time.Time `db:"updated_at"`

	// The clock the case works against now (see ComputeClocks and DueOf), kept
	// up to date by the store at every status move and calendar change.
	DueKind   ClockKind `db:"due_kind"`   // "" when no clock runs or is paused
	DueOn     string    `db:"due_on"`     // its last day, YYYY-MM-DD China time; "" when paused or none
	DuePaused bool      `db:"due_paused"` // the clock stands still (待补正, 检测鉴定, the merchant's turn)
	// TeamID is the team whose queue the case is in (routed at filing, moved by
	// staff), 0 when none.
	TeamID int64 `db:"team_id"`

	// UnitID is the committee the case belongs to (see Unit); RootUnitID in a
	// single-unit deployment.
	UnitID int64 `db:"unit_id"`

	// MerchantID is the registry's merchant the case is linked to (see
	// MerchantStore), 0 while unlinked; MerchantName stays as the consumer typed it.
	MerchantID int64 `db:"merchant_id"`
	// SevenDayReturn tags a distance purchase (online, TV, mail order) with a
	// return or refund demand made within seven days of purchase: the chat told the
	// consumer the seven-day no-reason return rule (消费者权益保护法 art. 25).
	SevenDayReturn bool `db:"seven_day_return"`

	// Anonymised is set once the case's personal data was removed (retention or
	// the consumer's erasure; see PrivacyStore); show AnonymisedLabel for it.
	Anonymised bool `db:"anonymised"`
	// LegalHold keeps the case from anonymisation until a supervisor clears it.
	LegalHold bool `db:"legal_hold"`
}

// Due returns the case's stored due as a CaseDue.
func (c *Case) Due() CaseDue { return CaseDue{Kind: c.DueKind, On: c.DueOn, Paused: c.DuePaused} }

// NewCase is what the intake dialog submits.
type NewCase struct {
	OpenID          string
	IntakeKey       string
	Category        string
	MerchantName    string
	MerchantAddress string
	PurchaseDate    string
	AmountFen       int64
	Description     string
	Demand          string
	ComplainantName string
	Phone           string
	Evidence        []NewEvidence
	// UnitID is the committee the case is filed with; 0 files it with the root.
	UnitID int64
	// SevenDayReturn: see Case.SevenDayReturn.
	SevenDayReturn bool
}

// Validate checks the fields every case needs; it returns an EINVALID *Error naming
// each missing field.
func (nc *NewCase) Validate() error {
	var missing []string
	for name, v := range map[string]string{
		"open_id": nc.OpenID, "intake_key": nc.IntakeKey, "category": nc.Category,
		"merchant_name": nc.MerchantName, "description": nc.Description,
		"demand": nc.Demand, "complainant_name": nc.ComplainantName, "phone": nc.Phone,
	} {
		if v == "" {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		sortStrings(missing)
		return Errorf(EINVALID, "missing fields: %v", missing)
	}
	return nil
}

// CaseFilter selects and orders cases. Nil fields do not filter. Results are
// ordered newest first unless Sort says otherwise.
type CaseFilter struct {
	ID         *int64
	Number     *string
	OpenID     *string
	Status     *Status
	Category   *string
	AssigneeID *int64 // 0 selects unassigned cases
	Unread     *bool
	// Search matches a case number (also typed loosely), a merchant name (part of
	// it, any case) or a whole mobile number (never a part: lists mask the middle
	// digits, and a partial search would reveal them); see WholePhone.
	Search string

	// Open, when set, keeps only open cases (true: the status is not final) or
	// only finished ones (false: the status is final); see Status.Final.
	Open *bool

	// TeamID keeps the cases of one team; 0 selects cases in no team.
	TeamID *int64
	// WorkOf keeps a staff member's work: the cases assigned to them and the
	// unassigned cases of their teams.
	WorkOf *int64

	Offset int
	Limit  int // 0 means the store's default page size

	// Due keeps only cases whose running clock is overdue (DueOverdue: its due
	// day has passed) or soon due (DueSoon: due today or within
	// SoonDueWorkingDays working days), on the store's calendar and clock; see
	// DueWindow. Paused clocks and cases without a clock never match.
	Due DueFilter
	// DueFrom and DueTo, when set, keep only cases whose running clock's due day
	// (YYYY-MM-DD) lies in the inclusive range, like Due.
	DueFrom *string
	DueTo   *string
	// Sort orders the results (CaseSort…; "" is CaseSortReceived), newest or
	// latest first when SortDesc; ties go by id the same way.
	Sort     CaseSort
	SortDesc bool
	// UnitIDs, when not nil, keeps only the cases of these units (a staff
	// member's subtree; the console always sets it). An empty, non-nil list
	// keeps none.
	UnitIDs []int64

	// MerchantID keeps the cases linked to one merchant of the registry.
	MerchantID *int64
}

// DueFilter selects cases by where their clock stands.
type DueFilter string

// The due filters of the case list.
const (
	DueOverdue DueFilter = "overdue" // 已超期
	DueSoon    DueFilter = "soon"    // 即将到期
)

// Valid reports whether f is one of the known filters ("" included).
func (f DueFilter) Valid() bool { return f == "" || f == DueOverdue || f == DueSoon }

// CaseSort names an order of the case list.
type CaseSort string

// The orders of the case list.
const (
	CaseSortReceived CaseSort = "received" // when the case was filed
	CaseSortDue      CaseSort = "due"      // the current clock's due day; cases without one last
	CaseSortStatus   CaseSort = "status"   // the status, in the order of Statuses
	CaseSortAssignee CaseSort = "assignee" // the assignee's name; unassigned cases last
)

// Valid reports whether s is one of the known orders ("" included).
func (s CaseSort) Valid() bool {
	switch s {
	case "", CaseSortReceived, CaseSortDue, CaseSortStatus, CaseSortAssignee:
		return true
	}
	return false
}

// CaseStore stores cases with their timeline and evidence.
type CaseStore interface {
	// CreateCase assigns the next gapless number of the current year for prefix and
	// inserts the case, its first timeline event (EventSubmitted) and its evidence
	// rows in one transaction. In the same transaction the case is routed (see
	// TeamStore): it joins the team of the first routing rule it matches, or the
	// default team, and, if that team assigns automatically, gets a member. If a
	// case with the same IntakeKey already exists it is returned unchanged and
	// nothing is inserted. Returns EINVALID for missing fields.
	CreateCase(ctx context.Context, prefix string, nc NewCase) (*Case, error)

	// FindCaseByNumber returns the case with that exact number, or ENOTFOUND.
	FindCaseByNumber(ctx context.Context, number string) (*Case, error)

	// FindCases returns one page of the cases matching the filter, in the filter's
	// order (newest first by default), and the total count of matches.
	FindCases(ctx context.Context, filter CaseFilter) ([]*Case, int, error)

	// ListEvents returns the case's timeline, oldest first. ENOTFOUND if no such case.
	ListEvents(ctx context.Context, caseID int64) ([]*Event, error)

	// ListEvidence returns the case's evidence, oldest first. ENOTFOUND if no such case.
	ListEvidence(ctx context.Context, caseID int64) ([]*Evidence, error)

	// Ping checks that the database answers.
	Ping(ctx context.Context) error
}

// mobileDigits is the length of a whole mainland mobile number.
const mobileDigits = 11

// phoneSeparators are what people type inside phone numbers: spaces and dashes.
var phoneSeparators = strings.NewReplacer(" ", "", "-", "", "\u3000", "")

// WholePhone reports whether a search text is a whole mobile number (11 ASCII
// digits once spaces and dashes are dropped) and returns its digits. Such a
// search finds cases by the complainant's phone, so it tells the searcher whose
// number it is: the store matches it exactly, and the console treats it as a
// reveal of the number (audited and rate-limited). Both use this one test, so
// they cannot disagree about which searches are phone searches.
func WholePhone(text string) (string, bool) {
	digits := phoneSeparators.Replace(strings.TrimSpace(text))
	if len(digits) != mobileDigits {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", false
		}
	}
	return digits, true
}

// Outcomes of mediation (DOMAIN.md: 达成调解协议, 协商和解, 撤回投诉, 终止调解).
const (
	OutcomeAgreement  = "agreement"  // 达成调解协议
	OutcomeSettled    = "settled"    // 协商和解
	OutcomeWithdrawn  = "withdrawn"  // 撤回投诉
	OutcomeTerminated = "terminated" // 终止调解
)

// OutcomeLabels names the outcomes in Chinese, in display order.
var OutcomeLabels = []struct{ Value, Label string }{
	{OutcomeAgreement, "达成调解协议"}, {OutcomeSettled, "协商和解"},
	{OutcomeWithdrawn, "撤回投诉"}, {OutcomeTerminated, "终止调解"},
}

// DeskStore is the case desk's work on cases beyond status changes, and the
// canned replies staff write with.
type DeskStore interface {
	// AssignCase sets (or, with nil, clears) the mediator of a case and audits it.
	// ENOTFOUND for an unknown case; EINVALID if the assignee does not exist or is
	// disabled (a bad form value, not a missing page).
	AssignCase(ctx context.Context, caseID int64, assigneeID *int64, by By) (*Case, error)
	// ClaimCase makes staffID the mediator of a case only if it is unassigned ("assign
	// to me"). The check is made on the case as stored, inside the write and with the
	// row locked, so of two concurrent claims (or a claim and an assignment) exactly
	// one sees the case unassigned. Claiming a case one already has changes nothing.
	// ECONFLICT if someone else has the case; otherwise errors as AssignCase.
	ClaimCase(ctx context.Context, caseID, staffID int64, by By) (*Case, error)
	// MarkCaseRead clears the case's unread flag (staff have seen the consumer's
	// latest messages).
	MarkCaseRead(ctx context.Context, caseID int64) error

	CannedReplyStore
	// CaseworkStore closes cases with their outcome (the only way to record one)
	// and asks for material.
	CaseworkStore
}

// ConversationStore is what happens on a case after it was filed.
type ConversationStore interface {
	// ChangeStatus moves the case along the status table (audited when a staff
	// member makes the move), appends an
	// EventStatusChange and enqueues a NoticeStatusChange (none when the consumer
	// made the move: they were answered in the chat) and, when the case becomes
	// closed, a NoticeRatingRequest, in one transaction. ECONFLICT if the
	// move is not allowed from the current status; EINVALID if a reason is
	// required and missing; ENOTFOUND for an unknown case.
	ChangeStatus(ctx context.Context, change StatusChange) (*Case, error)

	// AddEvent appends a timeline entry (with its evidence and notification) in one
	// transaction; see NewEvent.DedupeKey. A consumer's message marks the case
	// unread; a staff member's reply or note is audited in the same transaction.
	// ENOTFOUND for an unknown case.
	AddEvent(ctx context.Context, ev NewEvent) (*Event, error)

	RatingStore
}

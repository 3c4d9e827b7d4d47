package console

import (
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// caseRow is one line of the queue. It holds the phone only masked: the full
// number never reaches the list's HTML.
type caseRow struct {
	Number      string
	Status      storage.Status
	Category    string
	Merchant    string
	MaskedPhone string
	Assignee    string
	Unread      bool
	CreatedAt   time.Time
}

// newCaseRow builds the queue line of c.
func newCaseRow(c *storage.Case, staff *staffDirectory) caseRow {
	return caseRow{
		Number: c.Number, Status: c.Status, Category: c.Category, Merchant: c.MerchantName,
		MaskedPhone: MaskPhone(c.Phone), Assignee: staff.name(c.AssigneeID),
		Unread: c.Unread, CreatedAt: c.CreatedAt,
	}
}

// caseFields is everything the detail page shows about a case. Phone is empty
// unless a staff member has just asked to reveal it (and that was audited).
type caseFields struct {
	Number          string
	Status          storage.Status
	Category        string
	MerchantName    string
	MerchantAddress string
	PurchaseDate    string
	AmountFen       int64
	Description     string
	Demand          string
	ComplainantName string
	MaskedPhone     string
	Phone           string
	AssigneeID      int64
	Assignee        string
	Unread          bool
	Outcome         string
	RecoveredFen    int64
	Double          bool
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// newCaseFields copies c for the detail page, the phone masked.
func newCaseFields(c *storage.Case, staff *staffDirectory) caseFields {
	return caseFields{
		Number: c.Number, Status: c.Status, Category: c.Category,
		MerchantName: c.MerchantName, MerchantAddress: c.MerchantAddress,
		PurchaseDate: c.PurchaseDate, AmountFen: c.AmountFen, Description: c.Description,
		Demand: c.Demand, ComplainantName: c.ComplainantName, MaskedPhone: MaskPhone(c.Phone),
		AssigneeID: c.AssigneeID, Assignee: staff.name(c.AssigneeID), Unread: c.Unread,
		Outcome: outcomeName(c.Outcome), RecoveredFen: c.RecoveredFen, Double: c.DoubleCompensation,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
	}
}

// statusMove is one status a case may move to from the detail page, with what
// the move asks for: a reason from a list (termination), a referral target, or
// nothing.
type statusMove struct {
	To      storage.Status
	Label   string
	Reasons []string // the reason must be one of these (terminated)
	Targets []string // the referral target must be one of these (referred)
}

// caseActions says which forms the detail page offers to this staff member for
// the case's current status. The handlers check the same rules again.
type caseActions struct {
	Accept     bool
	Reject     bool
	Moves      []statusMove
	Reopen     bool
	Assign     bool // choose any mediator (supervisor and up)
	AssignSelf bool // a mediator takes an unassigned case
	Outcome    bool
}

// allowedActions derives the actions from the status table and the role.
func allowedActions(c *storage.Case, st *storage.Staff) caseActions {
	supervisor := st.Role.AtLeast(storage.RoleSupervisor)
	a := caseActions{
		Accept:     c.Status.CanMoveTo(storage.StatusAccepted),
		Reject:     c.Status.CanMoveTo(storage.StatusRejected),
		Reopen:     supervisor && c.Status.CanReopen(),
		Assign:     supervisor,
		AssignSelf: !supervisor && c.AssigneeID == 0,
		Outcome:    outcomeAllowed(c.Status),
	}
	for _, to := range storage.Statuses() {
		if to == storage.StatusAccepted || to == storage.StatusRejected || !c.Status.CanMoveTo(to) {
			continue
		}
		a.Moves = append(a.Moves, newStatusMove(to))
	}
	return a
}

// newStatusMove describes the form of a move to to.
func newStatusMove(to storage.Status) statusMove {
	m := statusMove{To: to, Label: moveLabel(to)}
	switch to {
	case storage.StatusTerminated:
		m.Reasons = storage.TerminationReasons
	case storage.StatusReferred:
		m.Targets = storage.ReferralTargets
	}
	return m
}

// moveLabel is the button text of a move: what the staff member does, not where
// the case ends up.
func moveLabel(to storage.Status) string {
	switch to {
	case storage.StatusMediating:
		return "开始调解"
	case storage.StatusReferred:
		return "转办"
	case storage.StatusResolved:
		return "调解成功"
	case storage.StatusTerminated:
		return "终止调解"
	case storage.StatusWithdrawn:
		return "登记撤回"
	case storage.StatusClosed:
		return "办结"
	}
	return to.Label()
}

// outcomeAllowed reports whether an outcome may be recorded: once mediation has
// begun, and not on a complaint that was never accepted.
func outcomeAllowed(s storage.Status) bool {
	switch s {
	case storage.StatusSubmitted, storage.StatusAccepted, storage.StatusRejected:
		return false
	}
	return s.Valid()
}

// caseDetailView is the case page.
type caseDetailView struct {
	Case        caseFields
	Actions     caseActions
	Timeline    []timelineItem
	LastEventID int64
	Evidence    []evidenceView
	Canned      []*storage.CannedReply
	Assignees   []option

	RejectReasons      []string
	TerminationReasons []string
	Outcomes           []option

	// The length limits of the forms, as the handlers check them.
	ReplyMax, NoteMax, ReasonMax int

	// Idem is the idempotency key of this rendering's reply and note forms: a
	// second post of the same form adds nothing.
	Idem string

	// Rating is the consumer's verdict on the closed case; nil until they rate it.
	Rating *ratingView

	// Form is the refused post this rendering answers, if any.
	Form formState

	// Typical is the 典型案例 block (page_case_typical.go).
	Typical typicalView
}

// ratingView is the consumer's rating as the case page shows it.
type ratingView struct {
	Label   string // 满意, 基本满意 or 不满意
	Comment string // what they added, if anything
}

// ratingLabel names a storage.Rating… value in Chinese, the words the consumer
// chose from in the chat.
func ratingLabel(rating string) string {
	switch rating {
	case storage.RatingSatisfied:
		return "满意"
	case storage.RatingMostly:
		return "基本满意"
	case storage.RatingDissatisfied:
		return "不满意"
	}
	return rating
}

// caseListView is the queue: the filter form as the staff member set it, one
// page of cases, and the pagination.
type caseListView struct {
	Statuses   []option
	Categories []option
	Assignees  []option
	Unread     bool
	Open       bool
	Q          string
	Rows       []caseRow
	Pager      pager
}

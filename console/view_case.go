package console

import (
	"html/template"
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
	Due         dueCell // the 期限 column
	Unit        string  // the 单位 column, when there is one
}

// newCaseRow builds the queue line of c.
func newCaseRow(c *storage.Case, staff *staffDirectory) caseRow {
	return caseRow{
		Number: c.Number, Status: c.Status, Category: c.Category, Merchant: c.MerchantName,
		MaskedPhone: shownPhone(c), Assignee: staff.name(c.AssigneeID),
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
	Anonymised      bool // personal data removed: the fields above say so
	LegalHold       bool
}

// newCaseFields copies c for the detail page, the phone masked.
func newCaseFields(c *storage.Case, staff *staffDirectory) caseFields {
	return caseFields{
		Number: c.Number, Status: c.Status, Category: c.Category,
		MerchantName: c.MerchantName, MerchantAddress: c.MerchantAddress,
		PurchaseDate: c.PurchaseDate, AmountFen: c.AmountFen, Description: shownText(c, c.Description),
		Demand: c.Demand, ComplainantName: shownText(c, c.ComplainantName), MaskedPhone: shownPhone(c),
		AssigneeID: c.AssigneeID, Assignee: staff.name(c.AssigneeID), Unread: c.Unread,
		Outcome: outcomeName(c.Outcome), RecoveredFen: c.RecoveredFen, Double: c.DoubleCompensation,
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt, Anonymised: c.Anonymised, LegalHold: c.LegalHold,
	}
}

// shownPhone is the phone as lists, exports and the API show it: masked, or
// 已匿名化 once removed, so an anonymised case never reads as one without a phone.
func shownPhone(c *storage.Case) string {
	if c.Anonymised {
		return storage.AnonymisedLabel
	}
	return storage.MaskPhone(c.Phone)
}

// shownText is a personal field of c as staff surfaces show it: as stored, or
// 已匿名化 once removed.
func shownText(c *storage.Case, field string) string {
	if c.Anonymised {
		return storage.AnonymisedLabel
	}
	return field
}

// statusMove is one status a case may move to from the detail page, with what
// the move asks for: a referral target, or nothing.
type statusMove struct {
	To      storage.Status
	Label   string
	Targets []string // the referral target must be one of these (referred)
}

// caseActions says which forms the detail page offers to this staff member for
// the case's current status, grouped by what the mediator is doing. The handlers
// and the store check the same rules again.
type caseActions struct {
	// 受理: accept or reject a new complaint.
	Accept bool
	Reject bool
	// 与消费者沟通: ask for material (要求补正).
	RequestMaterial bool
	// 补正: the case waits for material (恢复办理, or, after the wait, 不予受理).
	Material *materialView
	// 调解: start or go back to mediation, testing and appraisal, referral.
	Mediate []statusMove
	// 结案: the outcomes the case may be closed with now.
	Close []option
	// 办结: close the file once the parties were told.
	Finish bool
	// 重新调解 (supervisors).
	Reopen bool
	// 指派.
	Assign     bool // choose any mediator (supervisor and up)
	AssignSelf bool // a mediator takes an unassigned case
}

// CloseWithMoney reports whether the closing form offers an agreement or a
// settlement, which take the money recovered and 加倍赔偿.
func (a caseActions) CloseWithMoney() bool {
	return a.closeOffers(storage.OutcomeAgreement) || a.closeOffers(storage.OutcomeSettled)
}

// CloseWithReason reports whether the closing form offers a termination, which
// takes its ground.
func (a caseActions) CloseWithReason() bool { return a.closeOffers(storage.OutcomeTerminated) }

// closeOffers reports whether the closing form offers outcome.
func (a caseActions) closeOffers(outcome string) bool {
	for _, o := range a.Close {
		if o.Value == outcome {
			return true
		}
	}
	return false
}

// Any reports whether a status action (anything but assigning) is offered.
func (a caseActions) Any() bool {
	return a.Accept || a.Reject || a.RequestMaterial || a.Material != nil || len(a.Mediate) > 0 ||
		len(a.Close) > 0 || a.Finish || a.Reopen
}

// mediationMoves are the plain moves of the 调解 group, in the order offered.
var mediationMoves = []storage.Status{storage.StatusMediating, storage.StatusAppraisal, storage.StatusReferred}

// allowedActions derives the actions from the status table and the role; mv is
// the pending request for material of a case in 待补正 (nil otherwise).
func allowedActions(c *storage.Case, st *storage.Staff, mv *materialView) caseActions {
	supervisor := st.Role.AtLeast(storage.RoleSupervisor)
	waiting := c.Status == storage.StatusAwaitingMaterial
	a := caseActions{
		Accept:          c.Status.CanMoveTo(storage.StatusAccepted),
		Reject:          c.Status.CanMoveTo(storage.StatusRejected) && !waiting,
		RequestMaterial: c.Status.CanMoveTo(storage.StatusAwaitingMaterial),
		Material:        mv,
		Close:           closeOutcomes(c.Status),
		Finish:          c.Status.CanMoveTo(storage.StatusClosed),
		Reopen:          supervisor && c.Status.CanReopen(),
		Assign:          supervisor,
		AssignSelf:      !supervisor && c.AssigneeID == 0,
	}
	if waiting {
		return a // resuming goes back where the case came from: the 补正 block
	}
	for _, to := range mediationMoves {
		if c.Status.CanMoveTo(to) {
			a.Mediate = append(a.Mediate, newStatusMove(c.Status, to))
		}
	}
	return a
}

// newStatusMove describes the form of a move from a case in from to to.
func newStatusMove(from, to storage.Status) statusMove {
	m := statusMove{To: to, Label: moveLabel(from, to)}
	if to == storage.StatusReferred {
		m.Targets = storage.ReferralTargets
	}
	return m
}

// moveLabel is the button text of a move: what the staff member does, not where
// the case ends up.
func moveLabel(from, to storage.Status) string {
	switch {
	case to == storage.StatusMediating && from == storage.StatusAppraisal:
		return "检测鉴定完成，继续调解"
	case to == storage.StatusMediating && from == storage.StatusReferred:
		return "收回，继续调解"
	case to == storage.StatusMediating:
		return "开始调解"
	case to == storage.StatusAppraisal:
		return "送检测鉴定"
	case to == storage.StatusReferred:
		return "转办"
	case to == storage.StatusClosed:
		return "办结"
	}
	return to.Label()
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
	Unit        string // the case's unit; "" (no line) with only the root unit

	RejectReasons      []string
	TerminationReasons []string

	// The length limits of the forms, as the handlers check them.
	ReplyMax, NoteMax, ReasonMax int
	MaterialMax                  int

	// Idem is the idempotency key of this rendering's reply and note forms: a
	// second post of the same form adds nothing.
	Idem string

	// Rating is the consumer's verdict on the closed case; nil until they rate it.
	Rating *ratingView

	// Form is the refused post this rendering answers, if any.
	Form formState

	// Clocks are the case's statutory time limits (the case_clocks block).
	Clocks []clockView
	// Classify is the classification block: category, subcategory, nature, team.
	Classify *classifyView
	// Typical is the 典型案例 block (page_case_typical.go).
	Typical typicalView
	// Mass is the 群体投诉 and 七日无理由退货 block (page_case_mass.go).
	Mass caseMassView
	// Transfer is the 移交其他单位 block (page_case_transfer.go).
	Transfer transferView
	// Merchant is the 商家 block (page_case_merchant.go).
	Merchant caseMerchantView
	// Agreement is the 调解协议书 block (page_case_agreement.go).
	Agreement agreementView
	// Referrals is the 转办记录 block (page_case_referrals.go).
	Referrals referralsView
	// Privacy is the 个人信息 block: anonymised, legal hold (page_case_privacy.go).
	Privacy privacyView
	// Deletion is the banner of the consumer's pending deletion request, nil
	// without one (page_case_privacy.go).
	Deletion *deletionBanner
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
	Pager      queuePager

	Dues  []option            // the due filter: 已超期, 即将到期
	Sorts map[string]sortLink // the sortable columns' header links, by storage.CaseSort
	Back  string              // the queue's query, for returning after a bulk assignment
	// BulkAssignees are whom the selected cases may be assigned to: anyone (or
	// no one) for a supervisor, only themselves for a mediator.
	BulkAssignees []option
	Teams         []option // the team filter (routing)
	// ExportQuery is the queue\'s filter as the export links carry it.
	ExportQuery template.URL
	// ShowUnit adds the 单位 column: only when the deployment has units.
	ShowUnit bool
	// Units is the 单位 filter: nil (none) when the staff member's scope holds
	// one unit.
	Units []option
}

package console

import (
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// The JSON shapes of the API. Field names are snake_case; money is given twice, as
// an exact yuan string ("3999.50") and as integer fen; a status as its stable code
// and its Chinese label. Phone numbers are always masked here: the full number comes
// only from POST /api/v1/cases/{number}/reveal-phone, which is audited.

// apiCase is a case as lists and the detail show it.
type apiCase struct {
	ID                 int64          `json:"id"`
	Number             string         `json:"number"`
	Status             storage.Status `json:"status"`
	StatusLabel        string         `json:"status_label"`
	Category           string         `json:"category"`
	MerchantName       string         `json:"merchant_name"`
	MerchantAddress    string         `json:"merchant_address"`
	PurchaseDate       string         `json:"purchase_date"`
	AmountYuan         string         `json:"amount_yuan"`
	AmountFen          int64          `json:"amount_fen"`
	Description        string         `json:"description"`
	Demand             string         `json:"demand"`
	ComplainantName    string         `json:"complainant_name"`
	PhoneMasked        string         `json:"phone_masked"`
	Assignee           *apiStaffRef   `json:"assignee"`
	Unread             bool           `json:"unread"`
	Outcome            string         `json:"outcome"`
	OutcomeLabel       string         `json:"outcome_label"`
	RecoveredYuan      string         `json:"recovered_yuan"`
	RecoveredFen       int64          `json:"recovered_fen"`
	DoubleCompensation bool           `json:"double_compensation"`
	CreatedAt          time.Time      `json:"created_at"`
	UpdatedAt          time.Time      `json:"updated_at"`
	// Due is the clock the case works against now; null when none runs or is paused.
	Due         *apiDue `json:"due"`
	Subcategory string  `json:"subcategory"` // "" until classified
	Nature      string  `json:"nature"`      // 投诉性质, "" until classified
	TeamID      int64   `json:"team_id"`     // 0 when in no team
	UnitID      int64   `json:"unit_id"`     // the case's unit (GET /api/v1/units); 1, the root, with a single unit
	MerchantID  int64   `json:"merchant_id"` // the linked registry merchant (GET /api/v1/merchants/{id}), 0 while unlinked
	// Anonymised: the personal fields were removed and read 已匿名化.
	Anonymised bool `json:"anonymised"`
	// LegalHold keeps the case from anonymisation (POST …/legal-hold).
	LegalHold bool `json:"legal_hold"`
}

// apiCaseDetail is one case with what happened to it.
type apiCaseDetail struct {
	apiCase
	// NextStatuses are the moves POST …/status makes from here: the status
	// table's, but 调解成功 and 终止调解 (POST …/close) and 待补正 (POST …/material).
	NextStatuses []apiStatus `json:"next_statuses"`
	// CanReopen tells whether a supervisor may reopen the case (POST …/reopen).
	CanReopen bool          `json:"can_reopen"`
	Timeline  []apiEvent    `json:"timeline"`
	Evidence  []apiEvidence `json:"evidence"`
	Rating    *apiRating    `json:"rating"`
	Clocks    []apiClock    `json:"clocks"`
	// CloseOutcomes are the outcomes POST …/close accepts now (结案).
	CloseOutcomes []apiChoice `json:"close_outcomes"`
	// CanRequestMaterial tells whether POST …/material may ask for material now.
	CanRequestMaterial bool `json:"can_request_material"`
	// DeletionRequest is the consumer's pending request to delete the case's
	// personal data (GET /api/v1/deletion-requests shape), null without one.
	DeletionRequest *apiDeletionRequestJSON `json:"deletion_request"`
}

// apiStaffRef names a staff member without their account details.
type apiStaffRef struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// apiStatus is a status code with its label.
type apiStatus struct {
	Status storage.Status `json:"status"`
	Label  string         `json:"label"`
}

// apiEvent is one timeline entry. Delivery is set for staff replies and status
// changes: how far the notice to the consumer got ("pending", "retrying", "sent",
// "notified" — a reply of which only a template notice got through — "held" — the
// consumer unfollowed the account — or "dead").
type apiEvent struct {
	ID        int64             `json:"id"`
	Kind      storage.EventKind `json:"kind"`
	KindLabel string            `json:"kind_label"`
	Actor     string            `json:"actor"`
	ActorName string            `json:"actor_name"`
	Body      string            `json:"body"`
	CreatedAt time.Time         `json:"created_at"`
	Delivery  string            `json:"delivery,omitempty"`
}

// apiEvidence describes a photo or voice message; the bytes are not in the API.
type apiEvidence struct {
	ID            int64     `json:"id"`
	Kind          string    `json:"kind"`
	DownloadState string    `json:"download_state"`
	ContentType   string    `json:"content_type"`
	Size          int64     `json:"size"`
	SHA256        string    `json:"sha256"`
	CreatedAt     time.Time `json:"created_at"`
}

// apiRating is the consumer's verdict on a closed case.
type apiRating struct {
	Rating  string `json:"rating"`
	Comment string `json:"comment"`
}

// apiMe is the caller's own account.
type apiMe struct {
	ID        int64        `json:"id"`
	Username  string       `json:"username"`
	Name      string       `json:"name"`
	Role      storage.Role `json:"role"`
	RoleLabel string       `json:"role_label"`
}

// apiAuditEntry is one line of the audit log.
type apiAuditEntry struct {
	ID         int64     `json:"id"`
	StaffID    int64     `json:"staff_id"`
	StaffName  string    `json:"staff_name"`
	Action     string    `json:"action"`
	CaseID     int64     `json:"case_id"`
	CaseNumber string    `json:"case_number"`
	Detail     string    `json:"detail"`
	IP         string    `json:"ip"`
	CreatedAt  time.Time `json:"created_at"`
}

// apiCannedReply is a reply text staff can insert.
type apiCannedReply struct {
	ID        int64     `json:"id"`
	Title     string    `json:"title"`
	Body      string    `json:"body"`
	UpdatedAt time.Time `json:"updated_at"`
}

// apiPage is every paginated list: {"items":[…],"total":N,"page":P,"per_page":20}.
type apiPage[T any] struct {
	Items   []T `json:"items"`
	Total   int `json:"total"`
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
}

// apiEventKindLabels are the Chinese names of timeline entries.
var apiEventKindLabels = map[storage.EventKind]string{
	storage.EventSubmitted:       "提交投诉",
	storage.EventConsumerMessage: "消费者留言",
	storage.EventStaffReply:      "工作人员回复",
	storage.EventStatusChange:    "状态变更",
	storage.EventNote:            "内部备注",
	storage.EventEvidence:        "补充证据",
	storage.EventReferral:        "转办",
}

// apiNames maps staff ids to names, to show who did what.
type apiNames map[int64]string

// ref returns the staff member with the id, or nil for 0.
func (n apiNames) ref(id int64) *apiStaffRef {
	if id == 0 {
		return nil
	}
	return &apiStaffRef{ID: id, Name: n[id]}
}

// actor names an event's or audit entry's actor for people.
func (n apiNames) actor(actor string) string {
	switch actor {
	case storage.ActorConsumer:
		return "消费者"
	case storage.ActorSystem:
		return "系统"
	}
	if id, ok := storage.StaffIDFromActor(actor); ok {
		return n[id]
	}
	return actor
}

// apiCaseJSON converts a case; the phone is masked.
func apiCaseJSON(c *storage.Case, names apiNames) apiCase {
	return apiCase{
		ID: c.ID, Number: c.Number, Status: c.Status, StatusLabel: c.Status.Label(),
		Category: c.Category, MerchantName: c.MerchantName, MerchantAddress: c.MerchantAddress,
		PurchaseDate: c.PurchaseDate, AmountYuan: FormatYuan(c.AmountFen), AmountFen: c.AmountFen,
		Description: shownText(c, c.Description), Demand: c.Demand, ComplainantName: shownText(c, c.ComplainantName),
		PhoneMasked: shownPhone(c), Assignee: names.ref(c.AssigneeID), Unread: c.Unread,
		Outcome: c.Outcome, OutcomeLabel: apiOutcomeLabel(c.Outcome),
		RecoveredYuan: FormatYuan(c.RecoveredFen), RecoveredFen: c.RecoveredFen,
		DoubleCompensation: c.DoubleCompensation, CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt,
		Due:         apiDueJSON(c),
		Subcategory: c.Subcategory, Nature: c.Nature, TeamID: c.TeamID, UnitID: c.UnitID,
		MerchantID: c.MerchantID, Anonymised: c.Anonymised, LegalHold: c.LegalHold,
	}
}

// apiCasesJSON converts a page of cases.
func apiCasesJSON(cases []*storage.Case, names apiNames) []apiCase {
	out := make([]apiCase, 0, len(cases))
	for _, c := range cases {
		out = append(out, apiCaseJSON(c, names))
	}
	return out
}

// apiOutcomeLabel is the Chinese name of an outcome, "" for none.
func apiOutcomeLabel(outcome string) string {
	for _, o := range storage.OutcomeLabels {
		if o.Value == outcome {
			return o.Label
		}
	}
	return outcome
}

// apiNextStatuses lists the moves the status table allows from s.
func apiNextStatuses(s storage.Status) []apiStatus {
	out := []apiStatus{}
	for _, next := range storage.Statuses() {
		if s.CanMoveTo(next) {
			out = append(out, apiStatus{Status: next, Label: next.Label()})
		}
	}
	return out
}

// apiEventJSON converts a timeline entry; delivery is "" when it sent no notice.
func apiEventJSON(e *storage.Event, names apiNames, delivery string) apiEvent {
	return apiEvent{
		ID: e.ID, Kind: e.Kind, KindLabel: apiEventKindLabels[e.Kind], Actor: e.Actor,
		ActorName: names.actor(e.Actor), Body: e.Body, CreatedAt: e.CreatedAt, Delivery: delivery,
	}
}

// apiEvidenceJSON converts evidence records.
func apiEvidenceJSON(list []*storage.Evidence) []apiEvidence {
	out := make([]apiEvidence, 0, len(list))
	for _, e := range list {
		out = append(out, apiEvidence{
			ID: e.ID, Kind: e.Kind, DownloadState: e.DownloadState, ContentType: e.ContentType,
			Size: e.Size, SHA256: e.SHA256, CreatedAt: e.CreatedAt,
		})
	}
	return out
}

// optionalTime is nil for the zero time, so that the JSON says null (or, with
// omitempty, leaves the field out) rather than 0001-01-01.
func optionalTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

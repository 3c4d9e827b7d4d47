package console

import (
	"net/http"
	"strconv"
)

// caseEventsView is the answer to the case page's polling: the timeline entries
// after the last one the page has, whether the case has unread consumer
// messages, and the current delivery state of every notice on the page (a reply
// sent a minute ago may have been delivered since).
type caseEventsView struct {
	Events     []timelineItem           `json:"events"`
	LastID     int64                    `json:"last_id"`
	Unread     bool                     `json:"unread"`
	Deliveries map[string]*deliveryView `json:"deliveries"`
}

// showCaseEvents answers GET /console/cases/{number}/events?after=<event id>
// with JSON; console.js polls it every few seconds while a case page is open.
// It does not mark the case read: new messages keep the queue's badge until a
// staff member opens the case or marks it read.
func (s *Server) showCaseEvents(w http.ResponseWriter, r *http.Request) {
	c, err := s.findCasePage(r, r.PathValue("number"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	staff, err := s.loadStaff(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	in, err := s.loadTimeline(r.Context(), c, staff)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, newCaseEventsView(buildTimeline(in), after, c.Unread))
}

// newCaseEventsView keeps the entries after the given event id.
func newCaseEventsView(items []timelineItem, after int64, unread bool) caseEventsView {
	v := caseEventsView{Events: []timelineItem{}, LastID: after, Unread: unread, Deliveries: map[string]*deliveryView{}}
	for _, it := range items {
		if it.Delivery != nil {
			v.Deliveries[strconv.FormatInt(it.EventID, 10)] = it.Delivery
		}
		if it.EventID > after {
			v.Events = append(v.Events, it)
			v.LastID = max(v.LastID, it.EventID)
		}
	}
	return v
}

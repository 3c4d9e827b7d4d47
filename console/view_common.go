package console

import (
	"context"
	"net/url"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// option is one choice of a <select>: the value sent, the label shown, and
// whether it is the current choice.
type option struct {
	Value    string
	Label    string
	Selected bool
}

// caseCategories are the level-1 complaint categories of the China Consumers
// Association's tree (storage.Categories): the chat offers a short list of them,
// staff filter by any.
var caseCategories = storage.CategoryNames()

// stringOptions makes options whose value is their label.
func stringOptions(values []string, selected string) []option {
	out := make([]option, 0, len(values))
	for _, v := range values {
		out = append(out, option{Value: v, Label: v, Selected: v == selected})
	}
	return out
}

// statusOptions offers every status by its Chinese name.
func statusOptions(selected string) []option {
	var out []option
	for _, st := range storage.Statuses() {
		out = append(out, option{Value: string(st), Label: st.Label(), Selected: string(st) == selected})
	}
	return out
}

// outcomeName names an outcome in Chinese ("" for none).
func outcomeName(outcome string) string {
	for _, o := range storage.OutcomeLabels {
		if o.Value == outcome {
			return o.Label
		}
	}
	return outcome
}

// knownOutcome reports whether v is one of the outcomes of mediation.
func knownOutcome(v string) bool { return v != "" && outcomeName(v) != v }

// staffDirectory names staff members by id, for assignees, timeline authors and
// audit entries. Its list, which pickers and filters offer, holds only the staff
// of the signed-in staff member's units (names cover everyone: a city
// mediator's note on a district case is named on the district's page).
type staffDirectory struct {
	list  []*storage.Staff
	names map[int64]string
	scope *unitScope
}

// loadStaff reads every account once per request.
func (s *Server) loadStaff(ctx context.Context) (*staffDirectory, error) {
	all, err := s.cfg.Store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	sc, err := s.scopeOf(ctx)
	if err != nil {
		return nil, err
	}
	d := &staffDirectory{names: make(map[int64]string, len(all)), scope: sc}
	for _, st := range all {
		d.names[st.ID] = st.Name
		if sc.hasStaff(st) {
			d.list = append(d.list, st)
		}
	}
	return d, nil
}

// inScope reports whether staff member id works in the viewer's units.
func (d *staffDirectory) inScope(id int64) bool {
	for _, st := range d.list {
		if st.ID == id {
			return true
		}
	}
	return false
}

// seeing returns the directory with only the staff who may see a case of unit
// in its list: whom such a case may be assigned to.
func (d *staffDirectory) seeing(unit int64) *staffDirectory {
	out := *d
	out.list = nil
	for _, st := range d.list {
		if d.scope.maySee(st, unit) {
			out.list = append(out.list, st)
		}
	}
	return &out
}

// name returns the staff member's name, or "#id" for an unknown account and ""
// for id 0.
func (d *staffDirectory) name(id int64) string {
	if id == 0 {
		return ""
	}
	if n, ok := d.names[id]; ok {
		return n
	}
	return "#" + strconv.FormatInt(id, 10)
}

// actorName names the author of a timeline event.
func (d *staffDirectory) actorName(actor string) string {
	if id, ok := storage.StaffIDFromActor(actor); ok {
		return d.name(id)
	}
	if id, ok := storage.MerchantAccountFromActor(actor); ok {
		return "商家（和解平台账号 " + strconv.FormatInt(id, 10) + "）"
	}
	switch actor {
	case storage.ActorConsumer:
		return "消费者"
	case storage.ActorSystem:
		return "系统"
	}
	return actor
}

// options offers the active staff members (for assigning), by name.
func (d *staffDirectory) options(selected int64) []option {
	var out []option
	for _, st := range d.list {
		if st.Disabled {
			continue
		}
		out = append(out, option{Value: strconv.FormatInt(st.ID, 10), Label: st.Name + "（" + st.Role.Label() + "）",
			Selected: st.ID == selected})
	}
	return out
}

// pager is the pagination of a list: the current page, the number of pages and
// links to the neighbours that keep the list's filters.
type pager struct {
	Page, Pages, Total int
	PrevURL, NextURL   string
}

// newPager computes the pages of total items, size per page, for a list at path
// filtered by query (its "page" is replaced).
func newPager(path string, query url.Values, page, size, total int) pager {
	p := pager{Page: page, Total: total, Pages: max(1, (total+size-1)/size)}
	link := func(n int) string {
		q := url.Values{}
		for k, v := range query {
			q[k] = v
		}
		q.Set("page", strconv.Itoa(n))
		return path + "?" + q.Encode()
	}
	if page > 1 {
		p.PrevURL = link(page - 1)
	}
	if page < p.Pages {
		p.NextURL = link(page + 1)
	}
	return p
}

// pageNumber reads a 1-based page number from the query; anything else is 1.
func pageNumber(query url.Values) int {
	n, err := strconv.Atoi(query.Get("page"))
	if err != nil || n < 1 {
		return 1
	}
	return n
}

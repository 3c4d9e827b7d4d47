package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// This file is the units page (admins): the tree of committees, adding a unit
// under one, editing one. An admin manages their own unit's subtree: they add
// units under it and edit its units, but cannot move their own unit elsewhere
// (its parent is outside their scope). The root's empty name, hotline and hours
// are the organisation settings; the page says so.

// unitRow is one unit of the tree as the page lists it.
type unitRow struct {
	ID                     int64
	Indent                 string // the depth below the admin's own unit, drawn (treeIndent)
	Name, Code             string
	NameFromOrg            bool // the root without a name: the settings' name is shown
	Regions                string
	Hotline, Hours         string
	HotlineFrom, HoursFrom string // "" or where an empty value comes from
	Disabled               bool
	Staff                  int
}

// unitsView is units.html: the tree and the form that adds a unit.
type unitsView struct {
	Units   []unitRow
	Parents []option
	Form    unitForm
	Error   string
}

// unitForm holds a unit form's values as typed.
type unitForm struct {
	ID                           int64
	Root                         bool
	Parent                       string
	Name, Code, Regions          string
	Hotline, ServiceHours        string
	Disabled                     bool
	MaxName, MaxHotline, MaxHour int
}

// unitEditView is unit_edit.html.
type unitEditView struct {
	Form    unitForm
	Parents []option // empty: the parent cannot be changed here
	Error   string
}

// orgSettings returns the organisation settings as stored, or the config
// file's while none are.
func (s *Server) orgSettings(ctx context.Context) (storage.OrgSettings, error) {
	o, err := s.cfg.Store.GetOrgSettings(ctx)
	switch storage.ErrorCode(err) {
	case "":
		return *o, nil
	case storage.ENOTFOUND:
		d := s.cfg.DefaultOrg
		if d.Name == "" {
			d.Name = s.cfg.OrgName
		}
		return storage.OrgSettings{Name: d.Name, Hotline: d.Hotline, ServiceHours: d.ServiceHours}, nil
	}
	return storage.OrgSettings{}, err
}

// unitLabel names a unit for staff: its name, the organisation's for the root
// without one.
func unitLabel(u *storage.Unit, org storage.OrgSettings) string {
	if u.Name == "" && u.ID == storage.RootUnitID {
		return org.Name
	}
	return u.Name
}

// scopeUnitOptions offers the units of the scope, indented by depth, for a unit
// picker; nil when the scope holds one unit only (then there is no picker).
func (s *Server) scopeUnitOptions(ctx context.Context, sc *unitScope, selected int64) []option {
	ids := sc.tree.Subtree(sc.top)
	if len(ids) <= 1 {
		return nil
	}
	org, err := s.orgSettings(ctx)
	if err != nil {
		s.cfg.Logger.Warn("organisation settings unreadable", "err", err)
	}
	var out []option
	s.walkUnits(sc, func(u *storage.Unit, depth int) {
		out = append(out, option{Value: strconv.FormatInt(u.ID, 10),
			Label: strings.Repeat("　", depth) + unitLabel(u, org), Selected: u.ID == selected})
	})
	return out
}

// walkUnits calls fn for each unit of the scope, parents before children, with
// its depth below the scope's top.
func (s *Server) walkUnits(sc *unitScope, fn func(u *storage.Unit, depth int)) {
	var walk func(id int64, depth int)
	walk = func(id int64, depth int) {
		if u := sc.tree.Unit(id); u != nil {
			fn(u, depth)
			for _, c := range sc.tree.Children(id) {
				walk(c.ID, depth+1)
			}
		}
	}
	walk(sc.top, 0)
}

// showUnits renders the tree and the form to add a unit.
func (s *Server) showUnits(w http.ResponseWriter, r *http.Request) {
	s.renderUnits(w, r, http.StatusOK, unitForm{}, "")
}

// renderUnits renders the page with form (as typed, for a refused add) and a
// reason it was refused.
func (s *Server) renderUnits(w http.ResponseWriter, r *http.Request, status int, form unitForm, refused string) {
	ctx := r.Context()
	sc, err := s.scopeOf(ctx)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	org, err := s.orgSettings(ctx)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	counts, err := s.staffPerUnit(ctx)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := unitsView{Error: refused, Form: withUnitLimits(form)}
	s.walkUnits(sc, func(u *storage.Unit, depth int) {
		v.Units = append(v.Units, newUnitRow(sc, u, depth, org, counts[u.ID]))
		v.Parents = append(v.Parents, option{Value: strconv.FormatInt(u.ID, 10),
			Label: strings.Repeat("　", depth) + unitLabel(u, org), Selected: form.Parent == strconv.FormatInt(u.ID, 10)})
	})
	s.render(w, r, status, "units.html", "单位", v)
}

// newUnitRow shows a unit, saying where an empty hotline or hours come from: a
// unit above, or in the end the organisation settings (so does the root's empty
// name).
func newUnitRow(sc *unitScope, u *storage.Unit, depth int, org storage.OrgSettings, staff int) unitRow {
	row := unitRow{ID: u.ID, Indent: treeIndent(depth), Name: unitLabel(u, org), Code: u.Code, Regions: strings.Join(u.Regions, "、"),
		Disabled: u.Disabled, Staff: staff, NameFromOrg: u.Name == "" && u.ID == storage.RootUnitID}
	row.Hotline, row.HotlineFrom = inherited(sc, u, func(x *storage.Unit) string { return x.Hotline }, org.Hotline)
	row.Hours, row.HoursFrom = inherited(sc, u, func(x *storage.Unit) string { return x.ServiceHours }, org.ServiceHours)
	return row
}

// inherited is the unit's own value of a field, else the nearest unit's above
// it ("上级单位"), else the organisation settings' ("机构设置").
func inherited(sc *unitScope, u *storage.Unit, field func(*storage.Unit) string, org string) (string, string) {
	if v := field(u); v != "" {
		return v, ""
	}
	for p := sc.tree.Unit(u.ParentID); p != nil && u.ID != storage.RootUnitID; p = sc.tree.Unit(p.ParentID) {
		if v := field(p); v != "" {
			return v, "上级单位"
		}
		if p.ID == storage.RootUnitID {
			break
		}
	}
	return org, "机构设置"
}

// staffPerUnit counts the accounts of each unit.
func (s *Server) staffPerUnit(ctx context.Context) (map[int64]int, error) {
	list, err := s.cfg.Store.ListStaff(ctx)
	if err != nil {
		return nil, err
	}
	out := map[int64]int{}
	for _, st := range list {
		out[st.UnitID]++
	}
	return out, nil
}

// withUnitLimits fills in the form's length limits.
func withUnitLimits(f unitForm) unitForm {
	f.MaxName, f.MaxHotline, f.MaxHour = storage.MaxUnitNameRunes, storage.MaxOrgHotlineChars, storage.MaxOrgServiceHoursRunes
	return f
}

// unitFormFrom reads a unit form as typed.
func unitFormFrom(r *http.Request) unitForm {
	return unitForm{Parent: r.PostFormValue("parent"), Name: r.PostFormValue("name"), Code: r.PostFormValue("code"),
		Regions: r.PostFormValue("regions"), Hotline: r.PostFormValue("hotline"),
		ServiceHours: r.PostFormValue("service_hours"), Disabled: r.PostFormValue("disabled") == "1"}
}

// input is the form as the store's UnitInput, with the parent given.
func (f unitForm) input(parent int64) storage.UnitInput {
	return storage.UnitInput{ParentID: parent, Name: f.Name, Code: f.Code, Regions: storage.SplitRegions(f.Regions),
		Hotline: f.Hotline, ServiceHours: f.ServiceHours, Disabled: f.Disabled}
}

// createUnit adds a unit under a unit of the admin's scope.
func (s *Server) createUnit(w http.ResponseWriter, r *http.Request) {
	form := unitFormFrom(r)
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	parent, perr := strconv.ParseInt(form.Parent, 10, 64)
	if perr != nil || !sc.hasUnit(parent) {
		s.renderUnits(w, r, http.StatusBadRequest, form, "请选择上级单位。")
		return
	}
	u, err := s.cfg.Store.CreateUnit(r.Context(), form.input(parent), s.actedBy(r))
	if code := storage.ErrorCode(err); code == storage.EINVALID || code == storage.ECONFLICT {
		status, message := httpStatus(err)
		s.renderUnits(w, r, status, form, message)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectFlash(w, r, "/console/units", "已添加单位 "+u.Name+"。")
}

// scopedUnit returns the unit of the path if it lies in the admin's scope; on
// failure the not-found page is written.
func (s *Server) scopedUnit(w http.ResponseWriter, r *http.Request) (*storage.Unit, *unitScope, bool) {
	id, ok := s.pathID(w, r, "单位")
	if !ok {
		return nil, nil, false
	}
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return nil, nil, false
	}
	u := sc.tree.Unit(id)
	if u == nil || !sc.hasUnit(id) {
		s.renderError(w, r, http.StatusNotFound, "找不到该单位。")
		return nil, nil, false
	}
	return u, sc, true
}

// showUnitEdit shows the form that edits a unit.
func (s *Server) showUnitEdit(w http.ResponseWriter, r *http.Request) {
	u, sc, ok := s.scopedUnit(w, r)
	if !ok {
		return
	}
	form := unitForm{ID: u.ID, Root: u.ID == storage.RootUnitID, Parent: strconv.FormatInt(u.ParentID, 10),
		Name: u.Name, Code: u.Code, Regions: strings.Join(u.Regions, "\n"), Hotline: u.Hotline,
		ServiceHours: u.ServiceHours, Disabled: u.Disabled}
	s.renderUnitEdit(w, r, http.StatusOK, sc, form, "")
}

// renderUnitEdit renders the edit form. The parent may be any unit of the scope
// outside the unit's own subtree; the admin's own unit and the root keep theirs.
func (s *Server) renderUnitEdit(w http.ResponseWriter, r *http.Request, status int, sc *unitScope, form unitForm, refused string) {
	v := unitEditView{Form: withUnitLimits(form), Error: refused}
	if form.ID != sc.top && !form.Root {
		org, _ := s.orgSettings(r.Context())
		s.walkUnits(sc, func(u *storage.Unit, depth int) {
			if !sc.tree.Contains(form.ID, u.ID) {
				id := strconv.FormatInt(u.ID, 10)
				v.Parents = append(v.Parents, option{Value: id, Label: strings.Repeat("　", depth) + unitLabel(u, org),
					Selected: id == form.Parent})
			}
		})
	}
	s.render(w, r, status, "unit_edit.html", "修改单位", v)
}

// updateUnit saves a unit of the admin's scope.
func (s *Server) updateUnit(w http.ResponseWriter, r *http.Request) {
	u, sc, ok := s.scopedUnit(w, r)
	if !ok {
		return
	}
	form := unitFormFrom(r)
	form.ID, form.Root = u.ID, u.ID == storage.RootUnitID
	parent := u.ParentID // the root and the admin's own unit stay where they are
	if u.ID != sc.top && !form.Root {
		p, err := strconv.ParseInt(form.Parent, 10, 64)
		if err != nil || !sc.hasUnit(p) {
			s.renderUnitEdit(w, r, http.StatusBadRequest, sc, form, "请选择上级单位。")
			return
		}
		parent = p
	}
	form.Parent = strconv.FormatInt(parent, 10)
	_, err := s.cfg.Store.UpdateUnit(r.Context(), u.ID, form.input(parent), s.actedBy(r))
	if code := storage.ErrorCode(err); code == storage.EINVALID || code == storage.ECONFLICT {
		status, message := httpStatus(err)
		s.renderUnitEdit(w, r, status, sc, form, message)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectFlash(w, r, "/console/units", "单位已保存。")
}

// treeIndent draws a unit's depth in the tree as text (the page's style sheet
// is fixed: no inline styles under the Content-Security-Policy).
func treeIndent(depth int) string {
	if depth == 0 {
		return ""
	}
	return strings.Repeat("　", depth-1) + "└ "
}

package console

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// The case page's classification forms, by the name a refused post comes back to.
const (
	formClassify = "classify"
	formTeam     = "team"
)

// mayReclassify reports whether st may change the case's classification:
// supervisors and admins always; a mediator only on a case assigned to them,
// since the category decides the figures the association publishes and the
// mediator who works the case is the one who knows what it is about.
func mayReclassify(st *storage.Staff, c *storage.Case) bool {
	return st.Role.AtLeast(storage.RoleSupervisor) || (c.AssigneeID != 0 && c.AssigneeID == st.ID)
}

// mayReroute reports whether st may move a case to another team's queue:
// supervisors and admins, who share the work between teams.
func mayReroute(st *storage.Staff) bool { return st.Role.AtLeast(storage.RoleSupervisor) }

// classifyView is the case page's classification block: the case's category,
// subcategory, nature and team, and the forms to change them when allowed.
type classifyView struct {
	Category, Subcategory, Nature, Team string

	CanEdit, CanReroute bool
	Categories          []categoryGroup // level 1 and 2, for the selects
	Natures             []option
	Teams               []option
}

// categoryGroup is a level-1 category with its subcategories, as options.
type categoryGroup struct {
	Name          string
	Selected      bool
	Subcategories []option
}

// classifyBlock builds the classification block of the case page.
func (s *Server) classifyBlock(ctx context.Context, c *storage.Case, st *storage.Staff) (*classifyView, error) {
	teams, err := s.cfg.Store.ListTeams(ctx)
	if err != nil {
		return nil, err
	}
	v := &classifyView{
		Category: c.Category, Subcategory: c.Subcategory, Nature: c.Nature, Team: teamName(teams, c.TeamID),
		CanEdit: mayReclassify(st, c), CanReroute: mayReroute(st),
		Natures: stringOptions(storage.Natures(), c.Nature),
	}
	for _, cat := range storage.Categories() {
		g := categoryGroup{Name: cat.Name, Selected: cat.Name == c.Category}
		for _, sub := range cat.Subcategories {
			g.Subcategories = append(g.Subcategories, option{Value: cat.Name + "/" + sub, Label: sub,
				Selected: g.Selected && sub == c.Subcategory})
		}
		v.Categories = append(v.Categories, g)
	}
	if _, ok := storage.FindCategory(c.Category); !ok {
		// A category from before the tree stays shown and selected, so that saving
		// the form asks for a real one instead of silently taking the first.
		v.Categories = append([]categoryGroup{{Name: c.Category, Selected: true}}, v.Categories...)
	}
	movable, err := s.caseTeams(ctx, c)
	if err != nil {
		return nil, err
	}
	for _, t := range movable {
		v.Teams = append(v.Teams, option{Value: strconv.FormatInt(t.ID, 10), Label: t.Name, Selected: t.ID == c.TeamID})
	}
	return v, nil
}

// teamName names the team with the id among teams, "" for none.
func teamName(teams []*storage.Team, id int64) string {
	for _, t := range teams {
		if t.ID == id {
			return t.Name
		}
	}
	if id != 0 {
		return idText(id)
	}
	return ""
}

// classifyCase serves the classification form: category, subcategory (sent as
// "<category>/<subcategory>", or empty) and nature.
func (s *Server) classifyCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if !mayReclassify(staffFrom(r.Context()), c) {
		s.renderError(w, r, http.StatusForbidden, "调解员只能修改分配给自己的案件的分类。")
		return
	}
	cl, err := classificationFromForm(r.PostFormValue("category"), r.PostFormValue("subcategory"), r.PostFormValue("nature"))
	if err != nil {
		s.refuseForm(w, r, c, formClassify, err)
		return
	}
	rc := storage.Reclassification{CaseID: c.ID, Classification: cl, By: s.actedBy(r)}
	if _, err := s.cfg.Store.ReclassifyCase(r.Context(), rc); err != nil {
		s.refuseForm(w, r, c, formClassify, err)
		return
	}
	redirectToCase(w, r, c.Number, "分类已保存。")
}

// classificationFromForm reads the form's fields. The subcategory's option value
// names its category too ("交通工具/汽车及零部件"), so that one select can list
// every subcategory; one picked under another category than the one chosen is
// refused. The store checks the rest against the tree.
func classificationFromForm(category, subcategory, nature string) (storage.Classification, error) {
	cl := storage.Classification{Category: strings.TrimSpace(category), Nature: strings.TrimSpace(nature)}
	cl.Subcategory = strings.TrimSpace(subcategory)
	if cat, sub, ok := strings.Cut(cl.Subcategory, "/"); ok {
		if cat != cl.Category {
			return cl, storage.Errorf(storage.EINVALID, "所选细类“%s”属于“%s”，不属于“%s”。", sub, cat, cl.Category)
		}
		cl.Subcategory = sub
	}
	return cl, nil
}

// rerouteCase serves the team form: move the case to a team's queue ("none": to
// no team). Supervisors only.
func (s *Server) rerouteCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if !mayReroute(staffFrom(r.Context())) {
		s.renderError(w, r, http.StatusForbidden, "只有主管可以改派案件到其他组。")
		return
	}
	var teamID int64
	if v := r.PostFormValue("team"); v != "none" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.refuseForm(w, r, c, formTeam, storage.Errorf(storage.EINVALID, "请选择组。"))
			return
		}
		teamID = id
	}
	err := s.checkCaseTeam(r.Context(), c, teamID)
	if err == nil {
		_, err = s.cfg.Store.SetCaseTeam(r.Context(), c.ID, teamID, s.actedBy(r))
	}
	if err != nil {
		s.refuseForm(w, r, c, formTeam, err)
		return
	}
	redirectToCase(w, r, c.Number, "案件已改派。")
}

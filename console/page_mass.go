package console

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// pageMaxWarningRunes bounds the consumer warning draft.
const pageMaxWarningRunes = 3000

// showMassGroups renders the 群体投诉 page: the groups with a case in the
// caller's units, open ones first (supervisors; the route asks for the role).
func (s *Server) showMassGroups(w http.ResponseWriter, r *http.Request) {
	sc, err := s.scopeOf(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	groups, err := s.cfg.Store.FindMassGroups(r.Context(), storage.MassFilter{UnitIDs: sc.unitIDs()})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var v massListView
	for _, g := range groups {
		v.Rows = append(v.Rows, newMassGroupRow(g))
	}
	s.render(w, r, http.StatusOK, "mass_list.html", "群体投诉", v)
}

// showMassGroup renders one group with the caller's cases of it.
func (s *Server) showMassGroup(w http.ResponseWriter, r *http.Request) {
	g, cases, _, err := s.scopedMassGroup(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v := massDetailView{Group: newMassGroupRow(g), Formed: g.Status == storage.MassFormed,
		Warning: g.Warning, Idem: newIdemKey(), Statuses: collectiveStatuses()}
	for _, gc := range cases {
		c := gc.Case
		v.Cases = append(v.Cases, massCaseRow{Number: c.Number, Status: c.Status.Label(), Category: c.Category,
			Received: c.CreatedAt.In(chinaTime).Format("2006-01-02 15:04"), Member: gc.Member,
			Relinked: gc.Relinked})
		if gc.Member {
			v.Members++
		}
	}
	s.render(w, r, http.StatusOK, "mass_detail.html", "群体投诉 #"+strconv.FormatInt(g.ID, 10), v)
}

// redirectToMass goes back to a group's page with a flash.
func redirectToMass(w http.ResponseWriter, r *http.Request, id int64, flash string) {
	redirectWithFlash(w, r, fmt.Sprintf("/console/mass/%d", id), flash)
}

// dismissMassGroup marks an open group 已忽略.
func (s *Server) dismissMassGroup(w http.ResponseWriter, r *http.Request) {
	g, _, _, err := s.scopedMassGroup(r)
	if err == nil {
		err = s.cfg.Store.DismissMassGroup(r.Context(), g.ID, s.actedBy(r))
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectToMass(w, r, g.ID, "已忽略该群体投诉。")
}

// formCollective forms the collective case (集体投诉) from the group: the
// caller's cases of it become members.
func (s *Server) formCollective(w http.ResponseWriter, r *http.Request) {
	g, _, units, err := s.scopedMassGroup(r)
	if err == nil {
		err = s.cfg.Store.FormCollective(r.Context(), g.ID, units, s.actedBy(r))
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectToMass(w, r, g.ID, "已组成集体投诉，并生成了消费提示草稿。")
}

// setCollectiveMember adds a case of the group to the collective case or
// removes it (form fields: case, the number; member, "1" to add).
func (s *Server) setCollectiveMember(w http.ResponseWriter, r *http.Request) {
	g, _, _, err := s.scopedMassGroup(r)
	var c *storage.Case
	if err == nil {
		c, err = s.scopedCase(r, r.PostFormValue("case"))
	}
	member := r.PostFormValue("member") == "1"
	if err == nil {
		err = s.cfg.Store.SetCollectiveMember(r.Context(), g.ID, c.ID, member, s.actedBy(r))
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	flash := c.Number + " 已移出集体投诉。"
	if member {
		flash = c.Number + " 已加入集体投诉。"
	}
	redirectToMass(w, r, g.ID, flash)
}

// replyToCollective sends one reply to every member in the caller's units: each
// gets its own timeline entry and notice. The form's idem key makes a double
// post reach nobody twice.
func (s *Server) replyToCollective(w http.ResponseWriter, r *http.Request) {
	g, _, units, err := s.scopedMassGroup(r)
	var out storage.MassFanout
	if err == nil {
		out, err = s.collectiveReply(r, g.ID, units, r.PostFormValue("text"), r.PostFormValue(idemField))
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectToMass(w, r, g.ID, fmt.Sprintf("统一回复已保存，正在发送给 %d 件案件的消费者。", out.Reached))
}

// collectiveReply checks the text and key and makes the reply; a missing key
// (an API call without Idempotency-Key) gets a fresh one.
func (s *Server) collectiveReply(r *http.Request, id int64, units []int64, raw, key string) (storage.MassFanout, error) {
	text, err := parseText("回复", raw, pageMaxReplyRunes)
	if err != nil {
		return storage.MassFanout{}, err
	}
	by := s.actedBy(r)
	if key == "" {
		key = newIdemKey()
	} else if !validIdemKey.MatchString(key) {
		return storage.MassFanout{}, storage.Errorf(storage.EINVALID, "幂等键（Idempotency-Key）应为 1–64 个字母、数字、- 或 _。")
	}
	return s.cfg.Store.ReplyToCollective(r.Context(), storage.MassReply{
		GroupID: id, UnitIDs: units, Text: text, Key: by.Actor + ":" + key, By: by})
}

// changeCollectiveStatus moves every member in the caller's units.
func (s *Server) changeCollectiveStatus(w http.ResponseWriter, r *http.Request) {
	g, _, units, err := s.scopedMassGroup(r)
	var out storage.MassFanout
	if err == nil {
		out, err = s.cfg.Store.ChangeCollectiveStatus(r.Context(), storage.MassStatusChange{GroupID: g.ID, UnitIDs: units,
			To: storage.Status(r.PostFormValue("status")), Reason: r.PostFormValue("reason"), By: s.actedBy(r)})
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectToMass(w, r, g.ID, fmt.Sprintf("已变更 %d 件案件的状态，跳过 %d 件（已是该状态或不能如此变更）。", out.Reached, out.Skipped))
}

// saveMassWarning keeps the edited consumer warning (消费提示) draft.
func (s *Server) saveMassWarning(w http.ResponseWriter, r *http.Request) {
	g, _, _, err := s.scopedMassGroup(r)
	var text string
	if err == nil {
		text, err = parseText("消费提示", r.PostFormValue("warning"), pageMaxWarningRunes)
	}
	if err == nil {
		err = s.cfg.Store.SaveMassWarning(r.Context(), g.ID, text, s.actedBy(r))
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	redirectToMass(w, r, g.ID, "消费提示草稿已保存（不会自动发布）。")
}

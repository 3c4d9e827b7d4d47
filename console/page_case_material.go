package console

import (
	"context"
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// requestMaterial asks the consumer for specific material (要求补正): the case
// becomes 待补正 and the consumer is told, in the same transaction, what to send
// and that they can send it in the chat.
func (s *Server) requestMaterial(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	if !c.Status.CanMoveTo(storage.StatusAwaitingMaterial) {
		s.refuseForm(w, r, c, formMaterial, storage.Errorf(storage.ECONFLICT, "案件当前为“%s”，不能要求补正。", c.Status.Label()))
		return
	}
	material, err := parseText("所需材料", r.PostFormValue("material"), storage.MaterialMaxRunes)
	if err != nil {
		s.refuseForm(w, r, c, formMaterial, err)
		return
	}
	by := s.actedBy(r)
	req := storage.NewMaterialRequest{CaseID: c.ID, Material: material, Actor: by.Actor, IP: by.IP}
	if _, err := s.cfg.Store.RequestMaterial(r.Context(), req); err != nil {
		s.refuseForm(w, r, c, formMaterial, err)
		return
	}
	redirectToCase(w, r, c.Number, "已要求消费者补正材料，案件状态为“待补正”。")
}

// resumeCase takes a case in 待补正 back to the status it came from (恢复办理).
func (s *Server) resumeCase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.caseFromPath(w, r)
	if !ok {
		return
	}
	updated, err := s.cfg.Store.ResumeCase(r.Context(), c.ID, "", s.actedBy(r))
	if err != nil {
		s.refuseForm(w, r, c, formResume, err)
		return
	}
	redirectToCase(w, r, c.Number, "已恢复办理，案件状态为“"+updated.Status.Label()+"”，将通知消费者。")
}

// materialView is what the case page shows of a case in 待补正: what was asked,
// when, where resuming takes it, and when rejecting for missing material becomes
// possible.
type materialView struct {
	Material     string
	RequestedAt  time.Time
	ResumeTo     storage.Status
	RejectableAt time.Time
	Rejectable   bool // the wait is over: 不予受理（投诉材料不全且未按要求补正） is offered
	RejectReason string
}

// findMaterialView reads the latest request of a case in 待补正; nil for a case
// in another status.
func (s *Server) findMaterialView(ctx context.Context, c *storage.Case) (*materialView, error) {
	if c.Status != storage.StatusAwaitingMaterial {
		return nil, nil
	}
	req, err := s.cfg.Store.FindMaterialRequest(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return &materialView{
		Material: req.Material, RequestedAt: req.RequestedAt, ResumeTo: req.FromStatus,
		RejectableAt: req.RejectableAt, Rejectable: !s.cfg.Now().Before(req.RejectableAt),
		RejectReason: storage.MaterialReasonMissing,
	}, nil
}

// initialRejectReasons are the grounds offered when rejecting a complaint that
// was not asked for material: missing material is a ground only after a request
// and its wait (the 补正 block offers it then).
func initialRejectReasons() []string {
	var out []string
	for _, r := range storage.RejectReasons {
		if r != storage.MaterialReasonMissing {
			out = append(out, r)
		}
	}
	return out
}

package console

import (
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// apiMaterialRequest is the body of …/material.
type apiMaterialRequest struct {
	Material string `json:"material"` // what the consumer must send (≤ storage.MaterialMaxRunes)
}

// apiResumeRequest is the body of …/resume.
type apiResumeRequest struct {
	Note string `json:"note"` // optional words for the consumer
}

// apiRequestMaterial serves POST …/material (要求补正): 待受理 or 调解中 → 待补正, the
// consumer told what to send.
func (s *Server) apiRequestMaterial(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiMaterialRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	material, err := parseText("material", req.Material, storage.MaterialMaxRunes)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	by := s.actedBy(r)
	updated, err := s.cfg.Store.RequestMaterial(r.Context(), storage.NewMaterialRequest{
		CaseID: c.ID, Material: material, Actor: by.Actor, IP: by.IP})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, updated)
}

// apiResume serves POST …/resume (恢复办理): 待补正 → the status the case came from.
func (s *Server) apiResume(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiResumeRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	note, err := optionalText("note", req.Note, apiMaxReasonRunes)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	updated, err := s.cfg.Store.ResumeCase(r.Context(), c.ID, note, s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, updated)
}

// apiPlainMoves lists the moves POST …/status makes from s: the table's, without
// those that need more than a reason (…/close, …/material).
func apiPlainMoves(s storage.Status) []apiStatus {
	out := []apiStatus{}
	for _, next := range apiNextStatuses(s) {
		if !next.Status.ClosingOnly() && next.Status != storage.StatusAwaitingMaterial {
			out = append(out, next)
		}
	}
	return out
}

// apiCloseOutcomes lists the outcomes POST …/close accepts for a case in s.
func apiCloseOutcomes(s storage.Status) []apiChoice {
	out := []apiChoice{}
	for _, o := range closeOutcomes(s) {
		out = append(out, apiChoice{Value: o.Value, Label: o.Label})
	}
	return out
}

package console

import (
	"net/http"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// apiTransferRequest is the body of …/transfer: the unit to move the case to, by
// id or by code, and the reason, which the consumer is told.
type apiTransferRequest struct {
	UnitID   int64  `json:"unit_id"`
	UnitCode string `json:"unit_code"`
	Reason   string `json:"reason"`
}

// apiTransfer serves POST /api/v1/cases/{number}/transfer (supervisors and
// admins; the route asks for the role), the twin of the case page's 移交其他单位.
// A case outside the caller's units reads as not found (the route's scopedCase).
func (s *Server) apiTransfer(w http.ResponseWriter, r *http.Request, c *storage.Case) {
	var req apiTransferRequest
	if err := apiDecode(w, r, &req); err != nil {
		s.apiDecodeError(w, r, err)
		return
	}
	units, err := s.loadUnits(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	to, err := apiTransferTarget(units, req)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	updated, err := s.cfg.Store.TransferCase(r.Context(), c.ID, to, req.Reason, s.actedBy(r))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiWriteCase(w, r, http.StatusOK, updated)
}

// apiTransferTarget is the unit the request names: unit_id, or unit_code (in any
// case) when no id is given. EINVALID when it names none; the store checks the
// rest (an unknown id, a disabled unit, the case's own).
func apiTransferTarget(units []*storage.Unit, req apiTransferRequest) (int64, error) {
	if req.UnitID != 0 {
		return req.UnitID, nil
	}
	code := strings.ToUpper(strings.TrimSpace(req.UnitCode))
	for _, u := range units {
		if code != "" && u.Code == code {
			return u.ID, nil
		}
	}
	if code == "" {
		return 0, storage.Errorf(storage.EINVALID, "请给出接收单位：unit_id 或 unit_code")
	}
	return 0, storage.Errorf(storage.EINVALID, "没有代码为 %s 的单位", code)
}

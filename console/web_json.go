package console

import (
	"encoding/json"
	"net/http"

	"github.com/complaintbot/complaintbot/storage"
)

// apiErrorBody is the shape of every JSON error: {"error":{"code":…,"message":…}}.
type apiErrorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	var body apiErrorBody
	body.Error.Code, body.Error.Message = code, message
	writeJSON(w, status, body)
}

// apiError maps a store error to a JSON error.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	status, message := httpStatus(err)
	code := storage.ErrorCode(err)
	if status == http.StatusInternalServerError {
		s.logFailure(r, "api request failed", err)
	}
	writeJSONError(w, status, code, message)
}

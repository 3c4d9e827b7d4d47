package console

import (
	"mime"
	"net/http"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// showEvidence serves a downloaded evidence photo or voice message to signed-in
// staff. Only image and audio types are served inline under their stored type;
// anything else is sent as a download, so bytes from outside can never become a
// page of the console.
func (s *Server) showEvidence(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		s.renderError(w, r, http.StatusNotFound, "找不到该证据。")
		return
	}
	ev, err := s.cfg.Store.FindEvidence(r.Context(), id)
	if err == nil {
		_, err = s.scopedCaseByID(r.Context(), ev.CaseID) // another unit's evidence reads as missing
	}
	if storage.ErrorCode(err) == storage.ENOTFOUND {
		s.renderError(w, r, http.StatusNotFound, "找不到该证据。")
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	if ev.DownloadState != storage.DownloadDone || ev.BlobKey == "" {
		s.renderError(w, r, http.StatusNotFound, "该证据尚未下载完成。")
		return
	}
	data, err := s.cfg.Blobs.GetBlob(r.Context(), ev.BlobKey)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	writeEvidence(w, ev, data)
}

// writeEvidence writes the bytes with headers that keep the browser from
// guessing their type: images and audio inline under their type, anything else
// a download (storage.ServedEvidenceType).
func writeEvidence(w http.ResponseWriter, ev *storage.Evidence, data []byte) {
	h := w.Header()
	ctype, inline := storage.ServedEvidenceType(ev.ContentType)
	disposition := "attachment"
	if inline {
		disposition = "inline"
	}
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{
		"filename": storage.EvidenceFilename(ev.ID, ctype),
	}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

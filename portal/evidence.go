package portal

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// The consumer's evidence on the portal. The privacy notice gives the merchant
// the consumer's material for the mediation, as it gives the name and phone, so
// the evidence follows their rule (see newCaseItem): its bytes are served only
// while the referral to the platform is open, and never for an anonymised case
// (whose bytes are gone). The list of records (kind, time, size) is no personal
// data and stays visible. Every download is audited before the bytes leave.

// evidenceItem is one evidence record as the portal lists it.
type evidenceItem struct {
	ID        int64
	Kind      string // 照片 or 语音
	CreatedAt time.Time
	Size      int64
	// URL is where its bytes are served; "" when they may not be had now,
	// and then State says why.
	URL   string
	State string
}

// evidenceShown says whether the merchant may have a case's evidence bytes
// now: the same rule as the consumer's name and phone.
func evidenceShown(pc *storage.PortalCase) bool {
	return pc.ReferralOpen && !pc.Case.Anonymised
}

// servable says whether ev's bytes can be sent as evidence of case caseID.
func servable(ev *storage.Evidence, caseID int64) bool {
	return ev.CaseID == caseID && ev.DownloadState == storage.DownloadDone && ev.BlobKey != ""
}

// newEvidenceItems lists a case's evidence with the download addresses below
// base ("/portal/cases/<number>/evidence/" or the API's twin).
func newEvidenceItems(pc *storage.PortalCase, list []*storage.Evidence, base string) []evidenceItem {
	out := make([]evidenceItem, 0, len(list))
	for _, ev := range list {
		it := evidenceItem{ID: ev.ID, Kind: "照片", CreatedAt: ev.CreatedAt, Size: ev.Size}
		if ev.Kind == "voice" {
			it.Kind = "语音"
		}
		switch {
		case pc.Case.Anonymised:
			it.State = "已删除"
		case !pc.ReferralOpen:
			it.State = "转办已结束，不再提供"
		case ev.DownloadState == storage.DownloadFailed:
			it.State = "未能从微信取回"
		case !servable(ev, pc.Case.ID):
			it.State = "正在从微信取回"
		default:
			it.URL = base + strconv.FormatInt(ev.ID, 10)
		}
		out = append(out, it)
	}
	return out
}

// evidenceBase is the address below which a case's evidence bytes are served,
// on the pages (prefix casesPath) or the API.
func evidenceBase(prefix, number string) string {
	return prefix + "/" + url.PathEscape(number) + "/evidence/"
}

// caseEvidence lists the evidence of a case for its page.
func (s *Server) caseEvidence(ctx context.Context, pc *storage.PortalCase) ([]evidenceItem, error) {
	list, err := s.cfg.Store.ListEvidence(ctx, pc.Case.ID)
	if err != nil {
		return nil, err
	}
	return newEvidenceItems(pc, list, evidenceBase(casesPath, pc.Case.Number)), nil
}

// showEvidence sends the bytes of an evidence record of one of the
// merchant's cases to the signed-in browser.
func (s *Server) showEvidence(w http.ResponseWriter, r *http.Request) {
	s.serveEvidence(w, r, "", s.pageError)
}

// apiEvidenceFile sends the bytes of an evidence record of one of the
// merchant's cases to its systems.
func (s *Server) apiEvidenceFile(w http.ResponseWriter, r *http.Request) {
	s.serveEvidence(w, r, "（接口）", s.apiError)
}

// serveEvidence sends the bytes of the evidence {id} of case {number}, after
// recording the download; anything the merchant may not have is fail's 404,
// the same whatever the reason.
func (s *Server) serveEvidence(
	w http.ResponseWriter, r *http.Request, via string, fail func(http.ResponseWriter, *http.Request, error),
) {
	u := userFrom(r.Context())
	ev, data, err := s.evidenceBytes(r.Context(), u.Account.MerchantID, r.PathValue("number"), r.PathValue("id"))
	if err == nil {
		// No record, no bytes: who at a merchant took whose material is on file.
		err = s.recordAudit(r, storage.AuditPortalEvidence, ev.CaseID,
			fmt.Sprintf("%s 下载证据 #%d%s", storage.MerchantActor(u.Account.ID), ev.ID, via))
	}
	if err != nil {
		fail(w, r, err)
		return
	}
	writeEvidence(w, ev, data)
}

// evidenceBytes returns the evidence idText of the merchant's case number and
// its bytes; ENOTFOUND for a bad id, any case not the merchant's on the
// platform, a case whose evidence is not shown now, another case's evidence
// and evidence not downloaded from WeChat.
func (s *Server) evidenceBytes(
	ctx context.Context, merchantID int64, number, idText string,
) (*storage.Evidence, []byte, error) {
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		return nil, nil, noEvidence()
	}
	pc, err := s.cfg.Store.PortalCase(ctx, merchantID, number)
	if err != nil {
		return nil, nil, err
	}
	if !evidenceShown(pc) {
		return nil, nil, noEvidence()
	}
	ev, err := s.cfg.Store.FindEvidence(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !servable(ev, pc.Case.ID) {
		return nil, nil, noEvidence()
	}
	data, err := s.cfg.Blobs.GetBlob(ctx, ev.BlobKey)
	if err != nil {
		return nil, nil, err
	}
	return ev, data, nil
}

// noEvidence is the not-found of evidence the merchant may not have.
func noEvidence() error {
	return storage.Errorf(storage.ENOTFOUND, "no such evidence on the portal")
}

// writeEvidence writes the bytes as a download under the console's type and
// file name (storage.ServedEvidenceType): always an attachment, since the
// portal never shows the consumer's material inside its own pages.
func writeEvidence(w http.ResponseWriter, ev *storage.Evidence, data []byte) {
	ctype, _ := storage.ServedEvidenceType(ev.ContentType)
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment",
		map[string]string{"filename": storage.EvidenceFilename(ev.ID, ctype)}))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Length", strconv.Itoa(len(data)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
}

// apiEvidenceItem is one evidence record in the portal's JSON: what it is,
// whether its bytes arrived from WeChat and, while the merchant may have
// them, where they are.
type apiEvidenceItem struct {
	ID          int64     `json:"id"`
	Kind        string    `json:"kind"`
	State       string    `json:"download_state"`
	ContentType string    `json:"content_type,omitempty"`
	Size        int64     `json:"size,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	DownloadURL string    `json:"download_url,omitempty"`
}

// apiEvidence lists the evidence of one of the merchant's cases; any other
// case is 404.
func (s *Server) apiEvidence(w http.ResponseWriter, r *http.Request) {
	u := userFrom(r.Context())
	pc, err := s.cfg.Store.PortalCase(r.Context(), u.Account.MerchantID, r.PathValue("number"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	list, err := s.cfg.Store.ListEvidence(r.Context(), pc.Case.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	items := newEvidenceItems(pc, list, evidenceBase(apiCasesPath, pc.Case.Number))
	out := make([]apiEvidenceItem, 0, len(list))
	for i, e := range list {
		out = append(out, apiEvidenceItem{ID: e.ID, Kind: e.Kind, State: e.DownloadState, ContentType: e.ContentType,
			Size: e.Size, CreatedAt: e.CreatedAt.UTC(), DownloadURL: items[i].URL})
	}
	writeJSON(w, http.StatusOK, map[string]any{"evidence": out})
}

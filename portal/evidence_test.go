package portal_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/portal"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/blobdir"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// fetched is what fetchEvidence did with each evidence record, by media id.
type fetched map[string]*storage.Evidence

// fetchEvidence plays the evidence fetcher for every pending record: media ids
// in pending stay pending (retried later), those in failed fail, the rest are
// stored in e.blobs as "bytes of <media id>" under contentType (a type per
// media id, default image/jpeg).
func (e *env) fetchEvidence(contentType map[string]string, pending, failed string) fetched {
	e.t.Helper()
	ctx := context.Background()
	list, err := e.db.ClaimEvidence(ctx, 100, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	out := fetched{}
	for _, ev := range list {
		switch ev.MediaID {
		case pending:
			err = e.db.RetryEvidence(ctx, ev.ID, ev.LeaseToken, "timeout", time.Now().Add(time.Hour))
		case failed:
			err = e.db.FailEvidence(ctx, ev.ID, ev.LeaseToken, "40007 invalid media_id")
		default:
			err = e.storeEvidence(ctx, ev, contentType[ev.MediaID])
		}
		if err != nil {
			e.t.Fatal(err)
		}
		if out[ev.MediaID], err = e.db.FindEvidence(ctx, ev.ID); err != nil {
			e.t.Fatal(err)
		}
	}
	return out
}

// storeEvidence stores the bytes of ev in e.blobs and marks it downloaded.
func (e *env) storeEvidence(ctx context.Context, ev *storage.Evidence, ctype string) error {
	if ctype == "" {
		ctype = "image/jpeg"
	}
	data := []byte("bytes of " + ev.MediaID)
	sum := sha256.Sum256(data)
	key := "sha256/" + hex.EncodeToString(sum[:])
	if err := e.blobs.PutBlob(ctx, key, data); err != nil {
		return err
	}
	return e.db.MarkEvidenceDownloaded(ctx, ev.ID, ev.LeaseToken, storage.DownloadedEvidence{
		ContentType: ctype, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), BlobKey: key})
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// wantDownload checks that r is the bytes of media, as an attachment of type
// ctype named name, and returns r.
func wantDownload(t *testing.T, r *resp, media, ctype, name string) {
	t.Helper()
	r.want(http.StatusOK)
	if r.body != "bytes of "+media {
		t.Fatalf("body %q, want the bytes of %s", r.body, media)
	}
	for k, want := range map[string]string{"Content-Type": ctype, "X-Content-Type-Options": "nosniff",
		"Content-Disposition": "attachment; filename=" + name, "Cache-Control": "no-store"} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
}

// apiEvidenceList is the portal's JSON list of a case's evidence.
type apiEvidenceList struct {
	Evidence []struct {
		ID          int64  `json:"id"`
		State       string `json:"download_state"`
		DownloadURL string `json:"download_url"`
	} `json:"evidence"`
}

func (e *env) evidenceList(token, number string) map[int64]string {
	e.t.Helper()
	r := e.apiCall(token, "GET", "/portal/api/v1/cases/"+number+"/evidence", "").want(http.StatusOK)
	var list apiEvidenceList
	if err := json.Unmarshal([]byte(r.body), &list); err != nil {
		e.t.Fatalf("evidence list %s: %v", r.body, err)
	}
	urls := map[int64]string{}
	for _, ev := range list.Evidence {
		urls[ev.ID] = ev.DownloadURL
	}
	return urls
}

func TestPortalServesItsCasesEvidence(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		c := e.newCaseWith("k5", e.mine, true, []storage.NewEvidence{{Kind: "image", MediaID: "photo"},
			{Kind: "voice", MediaID: "voice"}, {Kind: "image", MediaID: "late"}, {Kind: "image", MediaID: "lost"},
			{Kind: "image", MediaID: "page"}})
		ev := e.fetchEvidence(map[string]string{"voice": "audio/amr", "page": "text/html"}, "late", "lost")
		b := e.browser()
		acc := e.signUp(b, "invitationTokenForEvidence0123456789abcdefgh", "shop.ev", "first password")
		token := b.createToken("证据下载")
		base := "/portal/cases/" + c.Number + "/evidence/"
		apiBase := "/portal/api/v1/cases/" + c.Number + "/evidence/"

		// The case page lists every record and links what may be downloaded.
		page := b.do("GET", "/portal/cases/"+c.Number, nil).want(http.StatusOK)
		page.contains("证据材料", `href="`+base+itoa(ev["photo"].ID)+`"`, `href="`+base+itoa(ev["voice"].ID)+`"`,
			"语音", "正在从微信取回", "未能从微信取回", "14 B").
			lacks(base+itoa(ev["late"].ID)+`"`, base+itoa(ev["lost"].ID)+`"`)

		// The bytes, on the page's session and on the API token.
		wantDownload(t, b.do("GET", base+itoa(ev["photo"].ID), nil), "photo", "image/jpeg",
			"evidence-"+itoa(ev["photo"].ID)+".jpg")
		wantDownload(t, e.apiCall(token, "GET", apiBase+itoa(ev["voice"].ID), ""), "voice", "audio/amr",
			"evidence-"+itoa(ev["voice"].ID)+".amr")
		wantDownload(t, e.apiCall(token, "GET", apiBase+itoa(ev["page"].ID), ""), "page",
			"application/octet-stream", "evidence-"+itoa(ev["page"].ID)+".bin")
		urls := e.evidenceList(token, c.Number)
		if urls[ev["photo"].ID] != apiBase+itoa(ev["photo"].ID) || urls[ev["late"].ID] != "" || urls[ev["lost"].ID] != "" {
			t.Fatalf("download URLs %v", urls)
		}

		// Each download is on record with the case and the account.
		action := storage.AuditPortalEvidence
		entries, n, err := db.FindAudit(ctx, storage.AuditFilter{Action: &action})
		if err != nil || n != 3 {
			t.Fatalf("%d evidence downloads audited, want 3 (%v)", n, err)
		}
		for _, a := range entries {
			if a.CaseID != c.ID || !strings.HasPrefix(a.Detail, storage.MerchantActor(acc.ID)+" 下载证据 #") {
				t.Fatalf("audit entry %+v", a)
			}
		}

		// Everything else is the same 404, on the pages and on the API.
		mine, other := e.referred.Number, e.other.Number
		notFound := map[string]string{ // path below /cases/ → why it is not the merchant's
			other + "/evidence/" + itoa(ev["media-k3"].ID):                "another merchant's case",
			e.notReferred.Number + "/evidence/" + itoa(ev["media-k2"].ID): "a case not referred",
			mine + "/evidence/" + itoa(ev["media-k3"].ID):                 "another case's evidence under this number",
			c.Number + "/evidence/" + itoa(ev["media-k1"].ID):             "a case of its own, another of its cases' evidence",
			c.Number + "/evidence/" + itoa(ev["late"].ID):                 "not downloaded from WeChat yet",
			c.Number + "/evidence/" + itoa(ev["lost"].ID):                 "failed to download",
			c.Number + "/evidence/abc":                                    "a bad id",
			c.Number + "/evidence/0":                                      "a zero id",
			c.Number + "/evidence/-1":                                     "a negative id",
			c.Number + "/evidence/99999999":                               "an unknown id",
			"TS-2026-999999/evidence/" + itoa(ev["photo"].ID):             "an unknown case",
		}
		e.wantSameNotFound(b, token, notFound)
		wantAudit(t, db, storage.AuditPortalEvidence, 3)
	})
}

// wantSameNotFound checks that every path below /portal/cases/ (and the API's
// twin) is a 404 with the same body as any other.
func (e *env) wantSameNotFound(b *browser, token string, paths map[string]string) {
	e.t.Helper()
	var page, api string
	for path, why := range paths {
		r := b.do("GET", "/portal/cases/"+path, nil).want(http.StatusNotFound)
		if page == "" {
			page = r.body
		} else if r.body != page {
			e.t.Errorf("%s (%s): the page differs from another 404:\n%s", path, why, r.body)
		}
		r = e.apiCall(token, "GET", "/portal/api/v1/cases/"+path, "").want(http.StatusNotFound)
		if api == "" {
			api = r.body
		} else if r.body != api {
			e.t.Errorf("%s (%s): the API's answer differs from another 404: %s", path, why, r.body)
		}
	}
	if !strings.Contains(page, "页面不存在，或您无权查看") || !strings.Contains(api, `"error":"not_found"`) {
		e.t.Fatalf("the 404s:\n%s\n%s", page, api)
	}
}

func TestPortalEvidenceOnlyWhileTheReferralIsOpen(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		ev := e.fetchEvidence(nil, "", "")
		photo := ev["media-k1"]
		b := e.browser()
		e.signUp(b, "invitationTokenForClosedRef0123456789abcdefg", "shop.closed", "first password")
		token := b.createToken("证据下载")
		path := e.referred.Number + "/evidence/" + itoa(photo.ID)
		wantDownload(t, b.do("GET", "/portal/cases/"+path, nil), "media-k1", "image/jpeg", "evidence-"+itoa(photo.ID)+".jpg")

		// The merchant refuses: the referral closes, and with it the evidence.
		e.apiCall(token, "POST", "/portal/api/v1/cases/"+e.referred.Number+"/proposal",
			`{"refused":true,"reasons":"不同意"}`).want(http.StatusCreated)
		b.do("GET", "/portal/cases/"+e.referred.Number, nil).want(http.StatusOK).
			contains("转办已结束，不再提供").lacks(`href="/portal/cases/` + path + `"`)
		if urls := e.evidenceList(token, e.referred.Number); len(urls) != 1 || urls[photo.ID] != "" {
			t.Fatalf("download URLs after the referral closed: %v", urls)
		}
		e.wantSameNotFound(b, token, map[string]string{path: "referral closed", "TS-2026-999999/evidence/1": "unknown"})

		// Finished and erased at the consumer's request: anonymised, nothing served.
		if _, err := db.CloseCase(ctx, storage.Closing{CaseID: e.referred.ID, Outcome: storage.OutcomeWithdrawn,
			Actor: e.supervisor.Actor}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.EraseConsumer(ctx, "o-k1", e.blobs.(storage.BlobRemover), e.supervisor); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindCaseByNumber(ctx, e.referred.Number); err != nil || !got.Anonymised {
			t.Fatalf("the case was not anonymised: %+v, %v", got, err)
		}
		b.do("GET", "/portal/cases/"+e.referred.Number, nil).want(http.StatusOK).contains("已删除")
		e.wantSameNotFound(b, token, map[string]string{path: "anonymised", "TS-2026-999999/evidence/1": "unknown"})
		wantAudit(t, db, storage.AuditPortalEvidence, 1)
	})
}

func TestPortalServesEvidenceFromADirectory(t *testing.T) {
	dir, err := blobdir.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dir.Close() })
	e := newEnvWith(t, testenv.SQLite(t, sqlstore.Open), func(c *portal.Config) { c.Blobs = dir })
	photo := e.fetchEvidence(nil, "", "")["media-k1"]
	if _, err := e.db.GetBlob(context.Background(), photo.BlobKey); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("the bytes are in the database too (%v)", err)
	}
	b := e.browser()
	e.signUp(b, "invitationTokenForBlobDir0123456789abcdefghi", "shop.dir", "first password")
	wantDownload(t, b.do("GET", "/portal/cases/"+e.referred.Number+"/evidence/"+itoa(photo.ID), nil),
		"media-k1", "image/jpeg", "evidence-"+itoa(photo.ID)+".jpg")
}

// auditDown is a store whose audit log cannot be written.
type auditDown struct{ *sqlstore.DB }

func (auditDown) AddAudit(context.Context, storage.AuditEntry) error {
	return errors.New("audit log unavailable")
}

func TestPortalServesNoEvidenceUnrecorded(t *testing.T) {
	db := testenv.SQLite(t, sqlstore.Open)
	e := newEnvWith(t, db, func(c *portal.Config) { c.Store = auditDown{db} })
	photo := e.fetchEvidence(nil, "", "")["media-k1"]
	b := e.browser()
	e.signUp(b, "invitationTokenForNoAudit0123456789abcdefghi", "shop.noaudit", "first password")
	b.do("GET", "/portal/cases/"+e.referred.Number+"/evidence/"+itoa(photo.ID), nil).
		want(http.StatusInternalServerError).lacks("bytes of")
}

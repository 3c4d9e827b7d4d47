package console_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// download stores bytes for every pending evidence record, as the evidence
// fetcher does, with the given content type.
func (e *pageEnv) download(ctx context.Context, data []byte, contentType string) []*storage.Evidence {
	e.t.Helper()
	list, err := e.db.ClaimEvidence(ctx, 10, time.Minute)
	if err != nil {
		e.t.Fatal(err)
	}
	sum := sha256.Sum256(data)
	key := "sha256/" + hex.EncodeToString(sum[:])
	e.mustOK(e.db.PutBlob(ctx, key, data))
	for _, ev := range list {
		e.mustOK(e.db.MarkEvidenceDownloaded(ctx, ev.ID, ev.LeaseToken, storage.DownloadedEvidence{
			ContentType: contentType, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), BlobKey: key,
		}))
	}
	return list
}

func TestEvidenceIsServedToStaffOnly(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	photo := []byte("\xff\xd8\xff\xe0 a jpeg")
	c := e.newCase(func(nc *storage.NewCase) {
		nc.Evidence = []storage.NewEvidence{{Kind: "image", MediaID: "media-1"}}
	})
	ev := e.download(ctx, photo, "image/jpeg")[0]
	path := "/console/evidence/" + pageItoa(ev.ID)

	e.anonymous().get(path).redirected("/console/login")
	r := e.as(e.mediator).get(path).want(http.StatusOK)
	if r.body != string(photo) {
		t.Fatalf("body %q", r.body)
	}
	for k, want := range map[string]string{
		"Content-Type": "image/jpeg", "X-Content-Type-Options": "nosniff",
		"Content-Disposition": `inline; filename=evidence-` + pageItoa(ev.ID) + `.jpg`,
	} {
		if got := r.header.Get(k); got != want {
			t.Errorf("%s: %q, want %q", k, got, want)
		}
	}
	// The case page shows the photo as a thumbnail on the submission.
	e.as(e.mediator).get(pageCasePath(c, "")).contains(`<img src="` + path + `"`)

	// A record not yet downloaded is not found; an unknown id neither.
	pending := e.newCase(func(nc *storage.NewCase) {
		nc.Evidence = []storage.NewEvidence{{Kind: "image", MediaID: "media-2"}}
	})
	list, err := e.db.ListEvidence(ctx, pending.ID)
	if err != nil {
		t.Fatal(err)
	}
	e.as(e.mediator).get("/console/evidence/" + pageItoa(list[0].ID)).want(http.StatusNotFound)
	e.as(e.mediator).get("/console/evidence/99999").want(http.StatusNotFound)
	e.as(e.mediator).get(pageCasePath(pending, "")).contains("下载中")
}

func TestEvidenceOfAnUnsafeTypeIsADownload(t *testing.T) {
	e := newPageEnv(t)
	e.newCase(func(nc *storage.NewCase) { nc.Evidence = []storage.NewEvidence{{Kind: "image", MediaID: "m"}} })
	ev := e.download(context.Background(), []byte("<script>alert(1)</script>"), "text/html")[0]
	r := e.as(e.mediator).get("/console/evidence/" + pageItoa(ev.ID)).want(http.StatusOK)
	if ct, cd := r.header.Get("Content-Type"), r.header.Get("Content-Disposition"); ct != "application/octet-stream" || cd[:10] != "attachment" {
		t.Fatalf("served as %q, %q", ct, cd)
	}
}

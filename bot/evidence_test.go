package bot

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/storage"
)

var testJPEG = append([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 'J', 'F', 'I', 'F', 0x00}, make([]byte, 300)...)

// caseWithEvidence files a case whose evidence names the given media ids.
func (f *pushFixture) caseWithEvidence(t *testing.T, openID string, mediaIDs ...string) *storage.Case {
	t.Helper()
	nc := storage.NewCase{OpenID: openID, IntakeKey: "ev-" + openID, Category: "食品", MerchantName: "某某超市",
		Description: "买到过期牛奶，要求退款。", Demand: "退款", ComplainantName: "张三", Phone: "13812345678"}
	for _, id := range mediaIDs {
		nc.Evidence = append(nc.Evidence, storage.NewEvidence{Kind: "image", MediaID: id})
	}
	c, err := f.db.CreateCase(context.Background(), "TS", nc)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (f *pushFixture) fetcher(maxBytes int64) *EvidenceFetcher {
	return NewEvidenceFetcher(EvidenceConfig{MaxBytes: maxBytes, Now: f.clock.Now}, f.db, f.db, f.api,
		slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func evidenceStates(t *testing.T, f *pushFixture, c *storage.Case) map[string]*storage.Evidence {
	t.Helper()
	ev, err := f.db.ListEvidence(context.Background(), c.ID)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]*storage.Evidence{}
	for _, e := range ev {
		out[e.MediaID] = e
	}
	return out
}

func TestEvidenceFetcherKeepsGoodMediaAndRefusesBadMedia(t *testing.T) {
	f := newPushFixture(t)
	good := f.platform.AddMedia("image/jpeg", testJPEG)
	big := f.platform.AddMedia("image/jpeg", append(testJPEG, make([]byte, 4096)...))
	html := f.platform.AddMedia("image/jpeg", []byte("<html><script>alert(1)</script></html>"))
	c := f.caseWithEvidence(t, "oEv1", good, big, html, "MEDIA_THAT_EXPIRED")
	if _, err := f.fetcher(2048).FetchOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := evidenceStates(t, f, c)
	if e := got[good]; e.DownloadState != storage.DownloadDone || e.ContentType != "image/jpeg" || e.Size != int64(len(testJPEG)) {
		t.Fatalf("good photo: %+v", e)
	}
	for _, id := range []string{big, html, "MEDIA_THAT_EXPIRED"} {
		if e := got[id]; e.DownloadState != storage.DownloadFailed || e.LastError == "" {
			t.Errorf("%s should fail for good: %+v", id, e)
		}
	}
	if !strings.Contains(got["MEDIA_THAT_EXPIRED"].LastError, "40007") {
		t.Errorf("an unknown media id should record WeChat's 40007: %q", got["MEDIA_THAT_EXPIRED"].LastError)
	}
}

func TestEvidenceFetcherRetriesWhenWeChatIsDown(t *testing.T) {
	f := newPushFixture(t)
	id := f.platform.AddMedia("image/jpeg", testJPEG)
	c := f.caseWithEvidence(t, "oEv2", id)
	f.platform.FailNext(wechatsim.Fault{Endpoint: "media/get", HTTPStatus: 502})
	fetcher := f.fetcher(0)
	if _, err := fetcher.FetchOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e := evidenceStates(t, f, c)[id]; e.DownloadState != storage.DownloadPending || e.Attempts != 1 {
		t.Fatalf("after a 502 the download waits for a retry: %+v", e)
	}
	f.clock.Advance(fetcher.cfg.MaxBackoff)
	if _, err := fetcher.FetchOnce(context.Background()); err != nil {
		t.Fatal(err)
	}
	if e := evidenceStates(t, f, c)[id]; e.DownloadState != storage.DownloadDone {
		t.Fatalf("the retry should have downloaded it: %+v", e)
	}
}

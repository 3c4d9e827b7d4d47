package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// consumerMessage is a consumer's follow-up with a photo, deduplicated by the WeChat
// MsgId, acknowledged to the consumer.
func consumerMessage(caseID int64, msgID string) storage.NewEvent {
	return storage.NewEvent{
		CaseID: caseID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer,
		Body: "商家还是不退款", DedupeKey: "wx:" + msgID,
		Evidence: []storage.NewEvidence{{Kind: "image", MediaID: "media-" + msgID}},
		Notify:   &storage.NewNotification{Kind: storage.NoticeAck},
	}
}

func TestAddEventWithNotice(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		e, err := db.AddEvent(ctx, storage.NewEvent{
			CaseID: c.ID, Kind: storage.EventStaffReply, Actor: staff, Body: "请提供购物小票",
			Notify: &storage.NewNotification{Kind: storage.NoticeStaffReply, Text: "请提供购物小票"},
		})
		if err != nil {
			t.Fatal(err)
		}
		timeline := events(t, db, c.ID)
		if len(timeline) != 2 || *timeline[1] != *e || e.Body != "请提供购物小票" || e.Actor != staff {
			t.Fatalf("timeline %+v, want the reply %+v appended", timeline, e)
		}
		notices := caseNotices(t, db, c.ID)
		n := notices[0]
		if len(notices) != 1 || n.Kind != storage.NoticeStaffReply || n.Text != "请提供购物小票" ||
			n.OpenID != c.OpenID || n.CaseNumber != c.Number || n.StatusLabel != "待受理" {
			t.Fatalf("notices %+v, want the reply to the case's consumer", notices)
		}
	})
}

func TestAddEventDeduplicated(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		other := mustCreate(t, db, newCase("other"))
		first, err := db.AddEvent(ctx, consumerMessage(c.ID, "1001"))
		if err != nil {
			t.Fatal(err)
		}
		advance(db, 5*time.Second) // WeChat retries after 5 s
		retry := consumerMessage(c.ID, "1001")
		retry.Body = "a retry must not change the event"
		again, err := db.AddEvent(ctx, retry)
		if err != nil || *again != *first {
			t.Fatalf("retry = %+v, %v; want the first event %+v", again, err, first)
		}
		for _, ev := range []storage.NewEvent{consumerMessage(c.ID, "1002"), consumerMessage(other.ID, "1001")} {
			if _, err := db.AddEvent(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		noKey := consumerMessage(c.ID, "")
		noKey.DedupeKey = ""
		for range 2 {
			if _, err := db.AddEvent(ctx, noKey); err != nil {
				t.Fatal(err)
			}
		}
		// Submission, 1001, 1002 and the two without a key.
		evidence, err := db.ListEvidence(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if e, n, ev := len(events(t, db, c.ID)), len(caseNotices(t, db, c.ID)), len(evidence); e != 5 || n != 4 || ev != 4 {
			t.Fatalf("%d events, %d notices, %d evidence; want 5, 4, 4", e, n, ev)
		}
		if e := len(events(t, db, other.ID)); e != 2 {
			t.Fatalf("the other case has %d events, want 2: keys are per case", e)
		}
	})
}

func TestAddEventDeduplicatedConcurrent(t *testing.T) {
	eachTarget(t, func(t *testing.T, target string) {
		dbs := []*DB{testenv.OpenMigrated(t, Open, target), testenv.Open(t, Open, target)}
		c := mustCreate(t, dbs[0], newCase("k"))
		for _, db := range dbs {
			warmPool(t, db, 10)
		}
		ids := make([]int64, 20)
		errs := make([]error, len(ids))
		start := make(chan struct{})
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				<-start
				e, err := dbs[i%2].AddEvent(context.Background(), consumerMessage(c.ID, "2001"))
				if errs[i] = err; err == nil {
					ids[i] = e.ID
				}
			})
		}
		close(start)
		wg.Wait()
		for i, err := range errs {
			if err != nil || ids[i] != ids[0] {
				t.Fatalf("append %d = event %d, %v; want event %d", i, ids[i], err, ids[0])
			}
		}
		if e, n := len(events(t, dbs[0], c.ID)), len(caseNotices(t, dbs[0], c.ID)); e != 2 || n != 1 {
			t.Fatalf("%d events and %d notices, want 2 and 1", e, n)
		}
	})
}

func TestAddEventRefused(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		_, err := db.AddEvent(ctx, consumerMessage(c.ID+1, "1"))
		wantCode(t, err, storage.ENOTFOUND)
		stranger := consumerMessage(c.ID, "2")
		stranger.Notify.OpenID = "oSomeoneElse"
		for i, ev := range []storage.NewEvent{
			{CaseID: c.ID, Kind: storage.EventStatusChange, Actor: staff, Body: "待受理 → 已受理"},
			{CaseID: c.ID, Kind: storage.EventSubmitted, Actor: storage.ActorConsumer},
			{CaseID: c.ID, Kind: storage.EventNote, Body: "no actor"},
			{CaseID: c.ID, Actor: staff, Body: "no kind"},
			stranger,
		} {
			_, err := db.AddEvent(ctx, ev)
			if storage.ErrorCode(err) != storage.EINVALID {
				t.Fatalf("event %d: error %v, want EINVALID", i, err)
			}
		}
		assertUntouched(t, db, c)
	})
}

func TestAddEventEvidenceIsDownloaded(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		c := mustCreate(t, db, newCase("k"))
		if _, err := db.AddEvent(context.Background(), consumerMessage(c.ID, "3001")); err != nil {
			t.Fatal(err)
		}
		claimed := claimEvidence(t, db, 10)
		if len(claimed) != 1 || claimed[0].MediaID != "media-3001" || claimed[0].CaseID != c.ID {
			t.Fatalf("claimed %s, want the photo sent with the message", fmt.Sprint(claimed))
		}
	})
}

func TestAddEventNoticeReportsTheEvent(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		move(t, db, c, storage.StatusAccepted, "")
		e, err := db.AddEvent(ctx, storage.NewEvent{
			CaseID: c.ID, Kind: storage.EventStaffReply, Actor: staff, Body: "请提供购物小票",
			Notify: &storage.NewNotification{Kind: storage.NoticeStaffReply, Text: "请提供购物小票"},
		})
		if err != nil {
			t.Fatal(err)
		}
		notices := caseNotices(t, db, c.ID)
		if len(notices) != 2 || notices[0].EventID != 0 || notices[1].EventID != e.ID {
			t.Fatalf("notices %+v, want the status notice without event, the reply's with %d", notices, e.ID)
		}
		// A retried consumer message returns the first event; its one ack reports it.
		first, err := db.AddEvent(ctx, consumerMessage(c.ID, "2001"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AddEvent(ctx, consumerMessage(c.ID, "2001")); err != nil {
			t.Fatal(err)
		}
		notices = caseNotices(t, db, c.ID)
		if len(notices) != 3 || notices[2].EventID != first.ID || notices[2].Kind != storage.NoticeAck {
			t.Fatalf("notices %+v, want one ack reporting event %d", notices, first.ID)
		}
	})
}

func TestEventsAndEvidence(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		nc := newCase("with-evidence")
		nc.Evidence = []storage.NewEvidence{
			{Kind: "image", MediaID: "media-1", PicURL: "http://mmbiz.example/1"},
			{Kind: "voice", MediaID: "media-2"},
		}
		c := mustCreate(t, db, nc)

		events, err := db.ListEvents(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 {
			t.Fatalf("got %d events, want 1", len(events))
		}
		e := events[0]
		if e.CaseID != c.ID || e.Kind != storage.EventSubmitted ||
			e.Actor != storage.ActorConsumer || !e.CreatedAt.Equal(c.CreatedAt) {
			t.Fatalf("event %+v, want submitted by the consumer at %v", e, c.CreatedAt)
		}
		if !strings.Contains(e.Body, nc.Category) {
			t.Fatalf("event body %q does not name the category", e.Body)
		}
		for _, personal := range []string{nc.ComplainantName, nc.Phone, nc.Description} {
			if strings.Contains(e.Body, personal) {
				t.Fatalf("event body %q holds personal data %q", e.Body, personal)
			}
		}

		evidence, err := db.ListEvidence(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(evidence) != 2 {
			t.Fatalf("got %d evidence rows, want 2", len(evidence))
		}
		for i, ev := range evidence {
			want := nc.Evidence[i]
			if ev.CaseID != c.ID || ev.Kind != want.Kind || ev.MediaID != want.MediaID ||
				ev.PicURL != want.PicURL || ev.DownloadState != storage.DownloadPending ||
				ev.SHA256 != "" || !ev.CreatedAt.Equal(c.CreatedAt) {
				t.Fatalf("evidence %d = %+v, want pending %+v", i, ev, want)
			}
		}
		if evidence[0].ID >= evidence[1].ID {
			t.Fatalf("evidence not oldest first: ids %d, %d", evidence[0].ID, evidence[1].ID)
		}
	})
}

func TestListUnknownCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		_, err := db.ListEvents(ctx, c.ID+1)
		wantCode(t, err, storage.ENOTFOUND)
		_, err = db.ListEvidence(ctx, c.ID+1)
		wantCode(t, err, storage.ENOTFOUND)
		// A case without evidence lists none, not ENOTFOUND.
		evidence, err := db.ListEvidence(ctx, c.ID)
		if err != nil || len(evidence) != 0 {
			t.Fatalf("ListEvidence = %v, %v; want empty", evidence, err)
		}
	})
}

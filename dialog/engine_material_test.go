package dialog

import (
	"context"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// TestEngineMaterialLandsOnTheWaitingCase runs the 待补正 flow on real stores: a
// mediator asks for material on one of the consumer's two open cases; the text and
// the photo the consumer then sends land on that case (a timeline message, a
// piece of evidence), mark it unread, and are acknowledged as material.
func TestEngineMaterialLandsOnTheWaitingCase(t *testing.T) {
	for _, rs := range realStores {
		t.Run(rs.name, func(t *testing.T) {
			db, store := rs.open(t)
			clock := testenv.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			e := &Engine{Store: store, Cases: db, Catalogue: mustCatalogue(t, Settings{Hotline: "12315"}),
				CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now}
			ctx := context.Background()
			other := fileCase(t, db, "oMat", "甲商店")
			waiting := fileCase(t, db, "oMat", "乙商城")
			if _, err := db.RequestMaterial(ctx, storage.NewMaterialRequest{CaseID: waiting.ID, Material: "购物发票", Actor: "staff:1"}); err != nil {
				t.Fatal(err)
			}
			if err := db.MarkCaseRead(ctx, waiting.ID); err != nil {
				t.Fatal(err)
			}
			// 查询 says what to send (a template card outside the 48-hour window cannot).
			wantIn(t, "query", say(t, e, "oMat", "q1", text("查询 "+waiting.Number)), "待补正", "调解员要求您补充材料：购物发票")
			wantIn(t, "text", say(t, e, "oMat", "m1", text("发票在这里")), "已收到您为投诉 "+waiting.Number+" 补充的材料", "调解员核对后会恢复办理")
			wantIn(t, "photo", say(t, e, "oMat", "m2", imageIn("media-1")), "已收到您为投诉 "+waiting.Number+" 补充的材料")

			events, err := db.ListEvents(ctx, waiting.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n := countMessages(events, "发票在这里"); n != 1 {
				t.Errorf("%d text messages on the waiting case, want 1", n)
			}
			evidence, err := db.ListEvidence(ctx, waiting.ID)
			if err != nil || len(evidence) != 1 || evidence[0].MediaID != "media-1" {
				t.Errorf("evidence %+v, %v; want the photo", evidence, err)
			}
			found, err := db.FindCaseByNumber(ctx, waiting.Number)
			if err != nil || !found.Unread {
				t.Errorf("case %+v, %v; want it unread", found, err)
			}
			if events, _ := db.ListEvents(ctx, other.ID); len(events) != 1 {
				t.Errorf("%d events on the other case, want only its submission", len(events))
			}
		})
	}
}

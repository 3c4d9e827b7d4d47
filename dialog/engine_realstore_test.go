package dialog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// realStores are the case and dialog stores the rating-first flow runs on: SQLite
// with miniredis (always), and PostgreSQL with Redis when the test servers are
// configured (CONVENTIONS 7: skipped without them, failing with
// COMPLAINTBOT_TEST_REQUIRE=1).
var realStores = []struct {
	name string
	open func(t *testing.T) (*sqlstore.DB, Store)
}{
	{"sqlite+miniredis", func(t *testing.T) (*sqlstore.DB, Store) {
		return testenv.SQLite(t, sqlstore.Open), NewRedisStore(testenv.NewRedis(t), RedisStoreOptions{})
	}},
	{"postgres+redis", func(t *testing.T) (*sqlstore.DB, Store) {
		db := testenv.Postgres(t, sqlstore.Open)
		rdb, prefix := testenv.NewRealRedis(t)
		return db, NewRedisStore(rdb, RedisStoreOptions{Prefix: prefix})
	}},
}

// TestEngineRatingFirstOnRealStores closes a case through the store, then lets
// its consumer write: within the window they are asked for the rating and their
// answer is recorded, once; a message for another, open case still reaches it;
// after the window nobody is asked.
func TestEngineRatingFirstOnRealStores(t *testing.T) {
	for _, rs := range realStores {
		t.Run(rs.name, func(t *testing.T) {
			db, store := rs.open(t)
			// The database and the Engine share the clock, so the closing time the
			// store records and the Engine's window agree.
			clock := testenv.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			e := &Engine{Store: store, Cases: db, Catalogue: mustCatalogue(t, Settings{Hotline: "12315"}),
				CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now}
			ctx := context.Background()
			closed := fileAndClose(t, db, "oReal", "甲商店")
			open := fileCase(t, db, "oReal", "乙商城")
			late := fileAndClose(t, db, "oLate", "丙公司")

			clock.Advance(3 * 24 * time.Hour)
			first := say(t, e, "oReal", "r1", text("商家又来电话了"))
			wantIn(t, "first", first, "已转给调解员", open.Number, "您的投诉 "+closed.Number+"（甲商店）已办结，请您评价")
			wantIn(t, "rate", say(t, e, "oReal", "r2", text("不满意")), "感谢您对投诉 "+closed.Number+" 的评价（不满意）")
			wantIn(t, "comment", say(t, e, "oReal", "r3", text("太慢了")), "已收到您的意见")
			r, err := db.FindRating(ctx, closed.ID)
			if err != nil || r.Rating != storage.RatingDissatisfied || r.Comment != "太慢了" {
				t.Fatalf("rating %+v, %v", r, err)
			}
			if again := say(t, e, "oReal", "r4", text("好的")); strings.Contains(again, "请您评价") {
				t.Errorf("asked again after rating:\n%s", again)
			}
			events, err := db.ListEvents(ctx, open.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n := countMessages(events, "商家又来电话了", "好的"); n != 2 {
				t.Errorf("%d of the 2 messages reached the open case", n)
			}

			clock.Advance(5 * 24 * time.Hour) // 8 days after closing
			reply := say(t, e, "oLate", "l1", text("你好"))
			wantIn(t, "after the window", reply, "您的投诉 "+late.Number+" 已经处理结束（已办结）", "或致电 12315")
			if strings.Contains(reply, "请您评价") {
				t.Errorf("asked after the window:\n%s", reply)
			}
		})
	}
}

// fileCase files a case of openID through the store.
func fileCase(t *testing.T, db *sqlstore.DB, openID, merchant string) *storage.Case {
	t.Helper()
	c, err := db.CreateCase(context.Background(), "TS", storage.NewCase{
		OpenID: openID, IntakeKey: openID + merchant, Category: "食品", MerchantName: merchant,
		Description: "买到的牛奶已经过期了，商家不肯退。", Demand: "退款", ComplainantName: "张三", Phone: "13912345678",
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// fileAndClose files a case and moves it to closed as the desk would.
func fileAndClose(t *testing.T, db *sqlstore.DB, openID, merchant string) *storage.Case {
	t.Helper()
	c := fileCase(t, db, openID, merchant)
	ctx := context.Background()
	for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating, storage.StatusResolved, storage.StatusClosed} {
		var err error
		if to == storage.StatusResolved { // an outcome's status: closing (结案) reaches it
			_, err = db.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeSettled, Actor: storage.ActorSystem})
		} else {
			_, err = db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: to, Actor: storage.ActorSystem})
		}
		if err != nil {
			t.Fatalf("to %s: %v", to, err)
		}
	}
	return c
}

// countMessages counts the consumer messages among events whose body is one of bodies.
func countMessages(events []*storage.Event, bodies ...string) int {
	n := 0
	for _, ev := range events {
		for _, b := range bodies {
			if ev.Kind == storage.EventConsumerMessage && ev.Body == b {
				n++
			}
		}
	}
	return n
}

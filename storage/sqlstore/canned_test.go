package sqlstore

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

func TestCannedReplies(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := mustStaff(t, db, "zhao", "赵", storage.RoleMediator)
		receipt, err := db.CreateCannedReply(ctx, " 索要小票 ", "请上传购物小票或订单截图。", s.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := storage.CannedReply{ID: receipt.ID, Title: "索要小票", Body: "请上传购物小票或订单截图。",
			CreatedBy: s.ID, UpdatedAt: db.Now().UTC(), UnitID: storage.RootUnitID}
		if *receipt != want {
			t.Fatalf("created %+v, want %+v", *receipt, want)
		}
		if _, err := db.CreateCannedReply(ctx, "受理通知", "您的投诉已受理。", 0); err != nil {
			t.Fatal(err)
		}
		advance(db, time.Hour)
		if err := db.UpdateCannedReply(ctx, receipt.ID, "补充材料", "请补充材料。"); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListCannedReplies(ctx)
		if err != nil || len(list) != 2 || list[0].Title != "受理通知" || list[0].CreatedBy != 0 {
			t.Fatalf("ListCannedReplies = %v, %v", list, err)
		}
		want.Title, want.Body, want.UpdatedAt = "补充材料", "请补充材料。", db.Now().UTC()
		if *list[1] != want {
			t.Fatalf("updated %+v, want %+v", *list[1], want)
		}
		if err := db.DeleteCannedReply(ctx, receipt.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.ListCannedReplies(ctx); len(list) != 1 {
			t.Fatalf("%d replies after delete, want 1", len(list))
		}
		wantCode(t, db.DeleteCannedReply(ctx, receipt.ID), storage.ENOTFOUND)
		wantCode(t, db.UpdateCannedReply(ctx, receipt.ID, "t", "b"), storage.ENOTFOUND)
	})
}

func TestCannedReplyLimits(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		long := func(n int) string { return string(slices.Repeat([]rune{'字'}, n)) }
		if _, err := db.CreateCannedReply(ctx, long(50), long(1000), 0); err != nil {
			t.Fatalf("a reply at the limits: %v", err)
		}
		for _, tb := range [][2]string{{"", "b"}, {" ", "b"}, {long(51), "b"}, {"t", ""}, {"t", long(1001)}} {
			_, err := db.CreateCannedReply(ctx, tb[0], tb[1], 0)
			wantCode(t, err, storage.EINVALID)
			wantCode(t, db.UpdateCannedReply(ctx, 1, tb[0], tb[1]), storage.EINVALID)
		}
		_, err := db.CreateCannedReply(ctx, "t", "b", 999)
		wantCode(t, err, storage.EINVALID)
	})
}

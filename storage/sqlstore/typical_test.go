package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

func TestTypicalCases(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		boss, err := db.CreateStaff(ctx, storage.NewStaff{Username: "boss", Name: "主管", Role: storage.RoleSupervisor})
		if err != nil {
			t.Fatal(err)
		}
		by := storage.By{Actor: boss.Actor(), IP: "10.0.0.9"}
		open := mustCreate(t, db, newCase("open"))
		done := mustCreate(t, db, newCase("done"))
		move(t, db, done, storage.StatusAccepted, "")
		move(t, db, done, storage.StatusMediating, "")
		if _, err := db.CloseCase(ctx, storage.Closing{CaseID: done.ID, Outcome: storage.OutcomeAgreement, Actor: staff}); err != nil {
			t.Fatal(err)
		}
		setClock(db, time.Date(2027, 1, 5, 10, 0, 0, 0, cst))
		nextYear := mustCreate(t, db, newCase("next-year"))
		move(t, db, nextYear, storage.StatusRejected, "无法确定被投诉经营者")

		mark := func(c *storage.Case, title, summary string) (*storage.TypicalCase, error) {
			return db.MarkTypicalCase(ctx, storage.TypicalCaseMark{CaseID: c.ID, Title: title, Summary: summary, By: by})
		}
		_, err = mark(open, "标题", "摘要")
		wantCode(t, err, storage.ECONFLICT) // not concluded
		_, err = mark(done, "  ", "摘要")
		wantCode(t, err, storage.EINVALID)
		_, err = mark(done, strings.Repeat("长", storage.MaxTypicalTitleRunes+1), "摘要")
		wantCode(t, err, storage.EINVALID)
		_, err = db.MarkTypicalCase(ctx, storage.TypicalCaseMark{CaseID: done.ID, Title: "t", Summary: "s",
			By: storage.By{Actor: storage.ActorSystem}})
		wantCode(t, err, storage.EINVALID)
		_, err = mark(&storage.Case{ID: 999}, "标题", "摘要")
		wantCode(t, err, storage.ENOTFOUND)

		tc, err := mark(done, " 空调不制冷获退款 ", "消费者购买空调后不制冷，经调解商家退款。")
		if err != nil {
			t.Fatal(err)
		}
		if tc.Title != "空调不制冷获退款" || tc.Number != done.Number || tc.MarkedBy != boss.ID || tc.Category != done.Category {
			t.Fatalf("mark = %+v", tc)
		}
		if _, err := mark(done, "改写的标题", "改写的摘要"); err != nil {
			t.Fatal(err)
		}
		if _, err := mark(nextYear, "下一年", "不予受理的典型"); err != nil {
			t.Fatal(err)
		}
		year := func(y int) []*storage.TypicalCase {
			t.Helper()
			list, err := db.TypicalCases(ctx, time.Date(y, 1, 1, 0, 0, 0, 0, cst), time.Date(y+1, 1, 1, 0, 0, 0, 0, cst))
			if err != nil {
				t.Fatal(err)
			}
			return list
		}
		if got := year(2026); len(got) != 1 || got[0].Title != "改写的标题" || got[0].Summary != "改写的摘要" {
			t.Fatalf("2026 = %+v", got)
		}
		if got := year(2027); len(got) != 1 || got[0].CaseID != nextYear.ID {
			t.Fatalf("2027 = %+v", got)
		}

		if err := db.UnmarkTypicalCase(ctx, done.ID, by); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.UnmarkTypicalCase(ctx, done.ID, by), storage.ENOTFOUND)
		_, err = db.FindTypicalCase(ctx, done.ID)
		wantCode(t, err, storage.ENOTFOUND)
		if got := year(2026); len(got) != 0 {
			t.Fatalf("2026 after unmarking = %+v", got)
		}
		// Marking again restores the row.
		if _, err := mark(done, "再次标记", "摘要"); err != nil {
			t.Fatal(err)
		}
		if got, err := db.FindTypicalCase(ctx, done.ID); err != nil || got.Title != "再次标记" {
			t.Fatalf("found %+v, %v", got, err)
		}

		// Newest first: marked again, unmarked, reworded, marked.
		want := []string{"typical_case 标为典型案例 10.0.0.9", "typical_case 取消典型案例 10.0.0.9",
			"typical_case 标为典型案例 10.0.0.9", "typical_case 标为典型案例 10.0.0.9"}
		var got []string
		for _, e := range caseAudit(t, db, done.ID) {
			if e.Action == storage.AuditTypicalCase {
				got = append(got, e.Action+" "+e.Detail+" "+e.IP)
			}
		}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Fatalf("audit = %q, want %q", got, want)
		}
	})
}

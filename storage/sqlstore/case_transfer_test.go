package sqlstore

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// transferUnitsFixture is a city with two districts and a disabled county.
var transferUnitsFixture = []testenv.TestUnit{
	{ID: 2, ParentID: 1, Name: "樊城区消委会", Code: "FC", Regions: "樊城区", Hotline: "0710-1111111"},
	{ID: 3, ParentID: 1, Name: "襄城区消委会", Code: "XC", Regions: "襄城区"},
	{ID: 4, ParentID: 1, Name: "南漳县消委会", Code: "NZ", Regions: "南漳县", Disabled: true},
}

func TestTransferCaseMovesUnitKeepsClocks(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		testenv.AddUnits(t, db, transferUnitsFixture...)
		nc := newCase("transfer")
		nc.UnitID = 2
		c := mustCreate(t, db, nc)
		tm := mustTeam(t, db, "一组", false, false)
		mediator := mustStaff(t, db, "med", "李调解", storage.RoleMediator)
		if _, err := db.SetCaseTeam(ctx, c.ID, tm.ID, by); err != nil {
			t.Fatal(err)
		}
		if _, err := db.AssignCase(ctx, c.ID, &mediator.ID, by); err != nil {
			t.Fatal(err)
		}
		accepted := move(t, db, c, storage.StatusAccepted, "")
		clocksBefore, err := db.CaseClocks(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		noticesBefore := len(caseNotices(t, db, c.ID))
		advance(db, 24*time.Hour)

		moved, err := db.TransferCase(ctx, c.ID, 3, "  商家实际位于襄城区  ", by)
		if err != nil {
			t.Fatal(err)
		}
		if moved.UnitID != 3 || moved.TeamID != 0 || moved.AssigneeID != 0 || moved.Number != c.Number ||
			moved.Status != storage.StatusAccepted || moved.Due() != accepted.Due() {
			t.Fatalf("moved = %+v; want unit 3, no team, no assignee, same number, status and due %+v",
				moved, accepted.Due())
		}
		found, err := db.FindCaseByNumber(ctx, c.Number)
		if err != nil || *found != *moved {
			t.Fatalf("stored = %+v, %v; want %+v", found, err, moved)
		}
		clocksAfter, err := db.CaseClocks(ctx, c.ID)
		if err != nil || !reflect.DeepEqual(clocksAfter, clocksBefore) {
			t.Fatalf("clocks after transfer = %+v, %v; want unchanged %+v", clocksAfter, err, clocksBefore)
		}
		timeline := events(t, db, c.ID)
		last := timeline[len(timeline)-1]
		if last.Kind != storage.EventNote || last.Actor != staff ||
			last.Body != "移交：樊城区消委会 → 襄城区消委会；原因：商家实际位于襄城区" {
			t.Fatalf("last event = %+v", last)
		}
		action := storage.AuditTransfer
		audit, _, err := db.FindAudit(ctx, storage.AuditFilter{CaseID: &c.ID, Action: &action})
		if err != nil || len(audit) != 1 || audit[0].Detail != last.Body || audit[0].IP != by.IP {
			t.Fatalf("audit = %+v, %v", audit, err)
		}
		notices := caseNotices(t, db, c.ID)
		n := notices[len(notices)-1]
		if len(notices) != noticesBefore+1 || n.Kind != storage.NoticeTransfer || n.Text != "商家实际位于襄城区" ||
			n.Summary != "已移交襄城区消委会" || n.OpenID != c.OpenID || n.CaseNumber != c.Number || n.EventID != last.ID {
			t.Fatalf("notices = %+v; want a transfer notice last", n)
		}
	})
}

func TestTransferCaseRefusals(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		testenv.AddUnits(t, db, transferUnitsFixture...)
		nc := newCase("refused")
		nc.UnitID = 2
		c := mustCreate(t, db, nc)
		for name, tc := range map[string]struct {
			to     int64
			reason string
			by     storage.By
			code   string
		}{
			"unknown unit":  {99, "原因", by, storage.EINVALID},
			"disabled unit": {4, "原因", by, storage.EINVALID},
			"same unit":     {2, "原因", by, storage.EINVALID},
			"no reason":     {3, "   ", by, storage.EINVALID},
			"long reason":   {3, strings.Repeat("长", storage.TransferReasonMax+1), by, storage.EINVALID},
			"no actor":      {3, "原因", storage.By{}, storage.EINVALID},
		} {
			_, err := db.TransferCase(ctx, c.ID, tc.to, tc.reason, tc.by)
			if storage.ErrorCode(err) != tc.code {
				t.Errorf("%s: err = %v, want %s", name, err, tc.code)
			}
		}
		_, err := db.TransferCase(ctx, 9999, 3, "原因", by)
		wantCode(t, err, storage.ENOTFOUND)
		withdrawn := mustCreate(t, db, newCase("withdrawn"))
		move(t, db, withdrawn, storage.StatusWithdrawn, "")
		_, err = db.TransferCase(ctx, withdrawn.ID, 3, "原因", by)
		wantCode(t, err, storage.EINVALID)
		stored, err := db.FindCaseByNumber(ctx, c.Number)
		if err != nil || stored.UnitID != 2 || len(events(t, db, c.ID)) != 1 || len(caseNotices(t, db, c.ID)) != 0 {
			t.Fatalf("a refused transfer changed the case: %+v, %v", stored, err)
		}
	})
}

// TestClaimedNoticeCarriesCaseUnit checks that a claimed notice names the unit
// its case is in when it is sent, after a transfer too.
func TestClaimedNoticeCarriesCaseUnit(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		testenv.AddUnits(t, db, transferUnitsFixture...)
		nc := newCase("claimed")
		nc.UnitID = 2
		c := mustCreate(t, db, nc)
		if _, err := db.TransferCase(context.Background(), c.ID, 3, "辖区调整", by); err != nil {
			t.Fatal(err)
		}
		enqueue(t, db, "oOther", "无关的回复")
		got := claim(t, db)
		units := map[string]int64{}
		for _, n := range got {
			units[string(n.Kind)] = n.UnitID
		}
		want := map[string]int64{string(storage.NoticeTransfer): 3, string(storage.NoticeDialogReply): 0}
		if !reflect.DeepEqual(units, want) {
			t.Fatalf("claimed units = %v, want %v", units, want)
		}
	})
}

package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// askMaterial asks for material on c or fails the test.
func askMaterial(t *testing.T, db *DB, c *storage.Case, material string) *storage.Case {
	t.Helper()
	got, err := db.RequestMaterial(context.Background(), storage.NewMaterialRequest{
		CaseID: c.ID, Material: material, Actor: staff, IP: "192.0.2.1"})
	if err != nil {
		t.Fatalf("request material: %v", err)
	}
	return got
}

func TestRequestMaterialAndResume(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mediating(t, db, "k")
		got := askMaterial(t, db, c, " 购物发票或订单截图 ")
		if got.Status != storage.StatusAwaitingMaterial {
			t.Fatalf("status %s, want 待补正", got.Status)
		}
		n := caseNotices(t, db, c.ID)
		if last := n[len(n)-1]; last.StatusLabel != "待补正" || last.Text != "购物发票或订单截图" {
			t.Fatalf("notice %+v, want the material", last)
		}
		req, err := db.FindMaterialRequest(ctx, c.ID)
		if err != nil || req.FromStatus != storage.StatusMediating || req.Material != "购物发票或订单截图" ||
			!req.RequestedAt.Equal(db.Now()) || !req.RejectableAt.Equal(db.Now().Add(storage.DefaultMaterialWait)) {
			t.Fatalf("request %+v, %v", req, err)
		}
		// Only back where it came from.
		_, err = db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusSubmitted, Actor: staff})
		wantCode(t, err, storage.ECONFLICT)
		advance(db, time.Hour)
		got, err = db.ResumeCase(ctx, c.ID, "已收到发票", storage.By{Actor: staff, IP: "192.0.2.2"})
		if err != nil || got.Status != storage.StatusMediating {
			t.Fatalf("resumed %+v, %v", got, err)
		}
		timeline := events(t, db, c.ID)
		if body := timeline[len(timeline)-1].Body; body != "待补正 → 调解中：恢复办理（已收到发票）" {
			t.Fatalf("event %q", body)
		}
		if a := caseAudit(t, db, c.ID)[0]; a.Action != storage.AuditStatusChange || a.Detail != "待补正 → 调解中" || a.IP != "192.0.2.2" {
			t.Fatalf("audit %+v", a)
		}
		_, err = db.ResumeCase(ctx, c.ID, "", storage.By{Actor: staff})
		wantCode(t, err, storage.ECONFLICT)

		// From 待受理, resuming goes back to 待受理.
		s := mustCreate(t, db, newCase("s"))
		askMaterial(t, db, s, "身份证明")
		if got, err := db.ResumeCase(ctx, s.ID, "", storage.By{Actor: staff}); err != nil || got.Status != storage.StatusSubmitted {
			t.Fatalf("resumed from submitted %+v, %v", got, err)
		}
	})
}

func TestRequestMaterialRefusals(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		for _, req := range []storage.NewMaterialRequest{
			{CaseID: c.ID, Material: "  ", Actor: staff},
			{CaseID: c.ID, Material: strings.Repeat("票", storage.MaterialMaxRunes+1), Actor: staff},
			{CaseID: c.ID, Material: "发票"},
		} {
			_, err := db.RequestMaterial(ctx, req)
			wantCode(t, err, storage.EINVALID)
		}
		assertUntouched(t, db, c)
		accepted := move(t, db, c, storage.StatusAccepted, "")
		_, err := db.RequestMaterial(ctx, storage.NewMaterialRequest{CaseID: accepted.ID, Material: "发票", Actor: staff})
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.FindMaterialRequest(ctx, c.ID)
		wantCode(t, err, storage.ENOTFOUND)
	})
}

// TestRejectForMissingMaterialOnlyAfterWait checks that the store, not only the
// page, refuses the rejection for missing material before the configured wait.
func TestRejectForMissingMaterialOnlyAfterWait(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		db.MaterialWait = 48 * time.Hour
		c := mustCreate(t, db, newCase("k"))
		reject := func(reason string) error {
			_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusRejected, Actor: staff, Reason: reason})
			return err
		}
		// Not without a request first.
		wantCode(t, reject(storage.MaterialReasonMissing), storage.ECONFLICT)
		askMaterial(t, db, c, "发票")
		advance(db, 47*time.Hour)
		err := reject(storage.MaterialReasonMissing)
		wantCode(t, err, storage.ECONFLICT)
		if !strings.Contains(storage.ErrorMessage(err), "补正期限尚未届满") {
			t.Fatalf("message %q", storage.ErrorMessage(err))
		}
		advance(db, time.Hour)
		wantCode(t, reject("经营者之间的纠纷"), storage.ECONFLICT)
		if err := reject(storage.MaterialReasonMissing + "（逾期未补充发票）"); err != nil {
			t.Fatalf("rejecting after the wait: %v", err)
		}
		if got := storedCase(t, db, c.ID); got.Status != storage.StatusRejected || got.Outcome != "" {
			t.Fatalf("case %+v", got)
		}
	})
}

func TestConsumerWithdrawsWhileAwaitingMaterial(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		c := mediating(t, db, "k")
		askMaterial(t, db, c, "发票")
		got, err := db.ChangeStatus(context.Background(), storage.StatusChange{
			CaseID: c.ID, To: storage.StatusWithdrawn, Actor: storage.ActorConsumer})
		if err != nil || got.Status != storage.StatusWithdrawn || got.Outcome != storage.OutcomeWithdrawn {
			t.Fatalf("withdrawn %+v, %v", got, err)
		}
	})
}

func TestAppraisalMoves(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		c := mediating(t, db, "k")
		got := move(t, db, c, storage.StatusAppraisal, "送检")
		n := caseNotices(t, db, c.ID)
		if got.Status != storage.StatusAppraisal || n[len(n)-1].StatusLabel != "检测鉴定" {
			t.Fatalf("appraisal %+v, notice %+v", got, n[len(n)-1])
		}
		_, err := db.ChangeStatus(context.Background(), storage.StatusChange{CaseID: c.ID, To: storage.StatusReferred, Actor: staff, Reason: "仲裁委员会"})
		wantCode(t, err, storage.ECONFLICT)
		if got := move(t, db, c, storage.StatusMediating, ""); got.Status != storage.StatusMediating {
			t.Fatalf("back to mediating: %+v", got)
		}
	})
}

package main

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// referredToPlatform files a case against a merchant on the platform and refers
// it there, as staff would in the console.
func referredToPlatform(t *testing.T, db *sqlstore.DB) *storage.Case {
	t.Helper()
	ctx := context.Background()
	boss, err := db.CreateStaff(ctx, storage.NewStaff{Username: "boss", Name: "主管", Role: storage.RoleSupervisor, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	by := storage.By{Actor: boss.Actor()}
	m, err := db.CreateMerchant(ctx, storage.MerchantInput{Name: "好又多超市", OnPlatform: true, PlatformSince: "2026-01-02", By: by})
	if err != nil {
		t.Fatal(err)
	}
	c, err := db.CreateCase(ctx, "TS", storage.NewCase{OpenID: "oOVER", IntakeKey: "over", Category: "食品安全",
		MerchantName: "好又多超市", Description: "买到过期牛奶", Demand: "退款", AmountFen: 12_950,
		ComplainantName: "张三", Phone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LinkCaseMerchant(ctx, c.ID, m.ID, by); err != nil {
		t.Fatal(err)
	}
	for _, to := range []storage.Status{storage.StatusAccepted, storage.StatusMediating, storage.StatusReferred} {
		ch := storage.StatusChange{CaseID: c.ID, To: to, Actor: by.Actor}
		if to == storage.StatusReferred {
			ch.Reason = storage.MerchantReferral
		}
		if c, err = db.ChangeStatus(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	return c
}

// TestOverdueReturnerMovesEachCaseOnce runs three instances' returners at once
// past the merchant clock's last day: the case goes back to 调解中 once.
func TestOverdueReturnerMovesEachCaseOnce(t *testing.T) {
	db := testenv.SQLite(t, sqlstore.Open)
	c := referredToPlatform(t, db)
	due, err := time.ParseInLocation(time.DateOnly, c.DueOn, overdueZone)
	if err != nil {
		t.Fatalf("due day %q: %v", c.DueOn, err)
	}
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	onDueDay := &overdueReturner{store: db, chase: proposalChase(configs.Default().Casework), now: func() time.Time { return due.Add(20 * time.Hour) }, logger: logger}
	if n := onDueDay.returnDue(context.Background()); n != 0 {
		t.Fatalf("returned %d on the due day", n)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
	)
	for range 3 {
		wg.Go(func() {
			o := &overdueReturner{store: db, chase: proposalChase(configs.Default().Casework), now: func() time.Time { return due.AddDate(0, 0, 1) }, logger: logger}
			n := o.returnDue(context.Background())
			mu.Lock()
			total += n
			mu.Unlock()
		})
	}
	wg.Wait()
	got, err := db.FindCaseByNumber(context.Background(), c.Number)
	if err != nil || total != 1 || got.Status != storage.StatusMediating || !got.Unread {
		t.Fatalf("moved %d; case %+v, %v", total, got, err)
	}
}

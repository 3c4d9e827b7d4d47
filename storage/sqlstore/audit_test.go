package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// caseAudit returns the case's audit entries, newest first, or fails the test.
func caseAudit(t *testing.T, db *DB, caseID int64) []*storage.AuditEntry {
	t.Helper()
	entries, total, err := db.FindAudit(context.Background(), storage.AuditFilter{CaseID: &caseID})
	if err != nil || total != len(entries) {
		t.Fatalf("FindAudit(case %d) = %d of %d, %v", caseID, len(entries), total, err)
	}
	return entries
}

// auditSummary renders entries as "action staff detail", in order.
func auditSummary(entries []*storage.AuditEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, fmt.Sprintf("%s %d %s", e.Action, e.StaffID, e.Detail))
	}
	return out
}

func TestAddAndFindAudit(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		start := db.Now()
		add := []storage.AuditEntry{
			{StaffID: 1, Action: storage.AuditLogin, IP: "192.0.2.1"},
			{Action: storage.AuditLoginFailed, Detail: "unknown username", IP: "192.0.2.9"},
			{StaffID: 2, Action: storage.AuditRevealPhone, CaseID: c.ID, Detail: "138****8000"},
			{StaffID: 1, Action: storage.AuditRevealPhone, CaseID: c.ID},
			{StaffID: 1, Action: storage.AuditLogout, CreatedAt: time.Unix(0, 0)}, // ignored
		}
		for _, e := range add {
			advance(db, time.Minute)
			if err := db.AddAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		all, total, err := db.FindAudit(ctx, storage.AuditFilter{})
		if err != nil || total != 5 || len(all) != 5 {
			t.Fatalf("FindAudit = %d of %d, %v; want 5", len(all), total, err)
		}
		first := all[4]
		want := storage.AuditEntry{ID: first.ID, StaffID: 1, Action: storage.AuditLogin, IP: "192.0.2.1",
			CreatedAt: start.Add(time.Minute).UTC()}
		if *first != want || !all[0].CreatedAt.Equal(db.Now()) || all[0].Action != storage.AuditLogout {
			t.Fatalf("oldest %+v (want %+v), newest %+v (want the logout, now)", *first, want, *all[0])
		}

		one, zero, reveal := int64(1), int64(0), storage.AuditRevealPhone
		since, until := start.Add(2*time.Minute), start.Add(4*time.Minute)
		tests := []struct {
			name   string
			filter storage.AuditFilter
			want   []string
			total  int
		}{
			{"staff", storage.AuditFilter{StaffID: &one}, []string{"logout", "reveal_phone", "login"}, 3},
			{"no staff", storage.AuditFilter{StaffID: &zero}, []string{"login_failed"}, 1},
			{"case", storage.AuditFilter{CaseID: &c.ID}, []string{"reveal_phone", "reveal_phone"}, 2},
			{"no case", storage.AuditFilter{CaseID: &zero}, []string{"logout", "login_failed", "login"}, 3},
			{"action and staff", storage.AuditFilter{Action: &reveal, StaffID: &one}, []string{"reveal_phone"}, 1},
			{"since, until", storage.AuditFilter{Since: &since, Until: &until}, []string{"reveal_phone", "login_failed"}, 2},
			{"page", storage.AuditFilter{Offset: 1, Limit: 2}, []string{"reveal_phone", "reveal_phone"}, 5},
		}
		for _, tt := range tests {
			got, total, err := db.FindAudit(ctx, tt.filter)
			var actions []string
			for _, e := range got {
				actions = append(actions, e.Action)
			}
			if err != nil || !slices.Equal(actions, tt.want) || total != tt.total {
				t.Errorf("%s: %v (total %d), %v; want %v (total %d)", tt.name, actions, total, err, tt.want, tt.total)
			}
		}

		wantCode(t, db.AddAudit(ctx, storage.AuditEntry{StaffID: 1}), storage.EINVALID)
		wantCode(t, db.AddAudit(ctx, storage.AuditEntry{StaffID: 1, Action: "x", CaseID: c.ID + 1}), storage.EINVALID)
	})
}

func TestFindAuditPageSize(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for range 210 {
			if err := db.AddAudit(ctx, storage.AuditEntry{StaffID: 1, Action: storage.AuditLogin}); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct{ limit, want int }{{0, 50}, {-1, 50}, {10, 10}, {500, 200}} {
			got, total, err := db.FindAudit(ctx, storage.AuditFilter{Limit: tt.limit})
			if err != nil || len(got) != tt.want || total != 210 {
				t.Errorf("limit %d: %d of %d, %v; want %d of 210", tt.limit, len(got), total, err, tt.want)
			}
		}
		got, _, _ := db.FindAudit(ctx, storage.AuditFilter{Limit: 3})
		if got[0].ID < got[1].ID || got[1].ID < got[2].ID {
			t.Fatalf("entries of one instant not newest first: %d, %d, %d", got[0].ID, got[1].ID, got[2].ID)
		}
	})
}

func TestStatusChangesAuditedWithTheMove(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		move(t, db, c, storage.StatusRejected, "已由法院受理，张三 13800138000")
		// The consumer's and the system's moves are on the timeline only.
		other := mustCreate(t, db, newCase("other"))
		for _, ch := range []storage.StatusChange{
			{CaseID: other.ID, To: storage.StatusWithdrawn, Actor: storage.ActorConsumer},
			{CaseID: other.ID, To: storage.StatusClosed, Actor: storage.ActorSystem},
		} {
			if _, err := db.ChangeStatus(ctx, ch); err != nil {
				t.Fatal(err)
			}
		}
		got := auditSummary(caseAudit(t, db, c.ID))
		if want := []string{"status_change 7 待受理 → 不予受理"}; !slices.Equal(got, want) {
			t.Fatalf("audit %v, want %v (no reason: it may hold personal data)", got, want)
		}
		if n := len(caseAudit(t, db, other.ID)); n != 0 {
			t.Fatalf("%d audit entries for the consumer's and the system's moves, want none", n)
		}

		// A refused move writes no audit entry.
		_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusAccepted, Actor: staff})
		wantCode(t, err, storage.ECONFLICT)
		if n := len(caseAudit(t, db, c.ID)); n != 1 {
			t.Fatalf("%d audit entries after a refused move, want 1", n)
		}
	})
}

func TestStatusChangeFailsWithoutItsAudit(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		// Without the audit log the last write of a staff move fails; the move, its
		// event and its notice must go too.
		rename(t, db, "audit_log", "audit_log_away")
		_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusAccepted, Actor: staff})
		if err == nil {
			t.Fatal("ChangeStatus succeeded without an audit log")
		}
		rename(t, db, "audit_log_away", "audit_log")
		assertUntouched(t, db, c)
		if n := len(caseAudit(t, db, c.ID)); n != 0 {
			t.Fatalf("%d audit entries, want none", n)
		}
	})
}

func TestRepliesAndNotesAudited(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		var ids []int64
		for _, ev := range []storage.NewEvent{
			{CaseID: c.ID, Kind: storage.EventStaffReply, Actor: "staff:3", Body: "请提供小票，张三",
				Notify: &storage.NewNotification{Kind: storage.NoticeStaffReply, Text: "请提供小票，张三"}},
			{CaseID: c.ID, Kind: storage.EventNote, Actor: "staff:4", Body: "已电话联系 13800138000"},
			{CaseID: c.ID, Kind: storage.EventConsumerMessage, Actor: storage.ActorConsumer, Body: "好的"},
			{CaseID: c.ID, Kind: storage.EventNote, Actor: storage.ActorSystem, Body: "自动提醒"},
		} {
			e, err := db.AddEvent(ctx, ev)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, e.ID)
		}
		got := auditSummary(caseAudit(t, db, c.ID))
		want := []string{
			fmt.Sprintf("note 4 内部备注（时间线 #%d）", ids[1]),
			fmt.Sprintf("reply 3 回复消费者（时间线 #%d）", ids[0]),
		}
		if !slices.Equal(got, want) {
			t.Fatalf("audit %v, want %v", got, want)
		}
	})
}

// TestStoreWrittenAuditEntriesCarryTheClientAddress makes every staff action the
// store audits itself (an assignment, a claim, a status change, a reply, a note,
// an outcome, the organisation settings) from a different address, and checks
// that each entry holds the address its action came from.
func TestStoreWrittenAuditEntriesCarryTheClientAddress(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		boss := mustStaff(t, db, "boss", "主管甲", storage.RoleSupervisor)
		zhao := mustStaff(t, db, "zhao", "赵调解", storage.RoleMediator)
		c := mustCreate(t, db, newCase("k"))
		free := mustCreate(t, db, newCase("free"))
		steps := []struct {
			action, ip string
			do         func(ip string) error
		}{
			{storage.AuditAssign, "192.0.2.1", func(ip string) error {
				_, err := db.AssignCase(ctx, c.ID, &zhao.ID, storage.By{Actor: boss.Actor(), IP: ip})
				return err
			}},
			{storage.AuditAssign, "192.0.2.2", func(ip string) error {
				_, err := db.ClaimCase(ctx, free.ID, zhao.ID, storage.By{Actor: zhao.Actor(), IP: ip})
				return err
			}},
			{storage.AuditStatusChange, "2001:db8::3", func(ip string) error {
				_, err := db.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusAccepted, Actor: zhao.Actor(), IP: ip})
				return err
			}},
			{storage.AuditReply, "192.0.2.4", func(ip string) error {
				_, err := db.AddEvent(ctx, storage.NewEvent{CaseID: c.ID, Kind: storage.EventStaffReply, Actor: zhao.Actor(), IP: ip, Body: "您好"})
				return err
			}},
			{storage.AuditNote, "192.0.2.5", func(ip string) error {
				_, err := db.AddEvent(ctx, storage.NewEvent{CaseID: c.ID, Kind: storage.EventNote, Actor: zhao.Actor(), IP: ip, Body: "已致电"})
				return err
			}},
			{storage.AuditOutcome, "192.0.2.6", func(ip string) error {
				_, err := db.CloseCase(ctx, storage.Closing{CaseID: c.ID, Outcome: storage.OutcomeWithdrawn, Actor: zhao.Actor(), IP: ip})
				return err
			}},
			{storage.AuditSettings, "cli", func(ip string) error {
				return db.SaveOrgSettings(ctx, storage.OrgSettings{Name: "某市消委会"}, storage.By{Actor: boss.Actor(), IP: ip})
			}},
		}
		var want []string
		for _, s := range steps {
			advance(db, time.Minute)
			if err := s.do(s.ip); err != nil {
				t.Fatalf("%s: %v", s.action, err)
			}
			want = append([]string{s.action + " " + s.ip}, want...) // newest first
		}
		all, _, err := db.FindAudit(ctx, storage.AuditFilter{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range all {
			got = append(got, e.Action+" "+e.IP)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("audit (action, address) %v, want %v", got, want)
		}
	})
}

package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

func TestUpdateStaffChangesNameAndRoleAndAuditsIt(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		admin := mustStaff(t, db, "admin", "管理员", storage.RoleAdmin)
		zhao := mustStaff(t, db, "zhao", "赵", storage.RoleMediator)
		name, role := " 赵敏 ", storage.RoleSupervisor
		by := storage.By{Actor: admin.Actor(), IP: "192.0.2.7"}
		got, err := db.UpdateStaff(ctx, zhao.ID, storage.StaffUpdate{Name: &name, Role: &role}, by)
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != "赵敏" || got.Role != storage.RoleSupervisor || got.Username != "zhao" {
			t.Fatalf("updated %+v, want 赵敏 the supervisor", got)
		}
		entries, _, err := db.FindAudit(ctx, staffUpdateAudit())
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit entries %v, %v; want one", entries, err)
		}
		e := entries[0]
		if e.StaffID != admin.ID || e.IP != "192.0.2.7" || !strings.Contains(e.Detail, "角色由调解员改为主管") ||
			strings.Contains(e.Detail, "赵敏") {
			t.Fatalf("audit entry %+v: want the admin, the address and the roles, not the name", e)
		}

		// The same values again change nothing and audit nothing.
		if _, err := db.UpdateStaff(ctx, zhao.ID, storage.StaffUpdate{Name: &name, Role: &role}, by); err != nil {
			t.Fatal(err)
		}
		if _, n, _ := db.FindAudit(ctx, staffUpdateAudit()); n != 1 {
			t.Fatalf("%d staff_update entries after a no-op, want 1", n)
		}
	})
}

func TestUpdateStaffRefusesBadInput(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		zhao := mustStaff(t, db, "zhao", "赵", storage.RoleMediator)
		blank, long, root := "  ", strings.Repeat("名", 51), storage.Role("root")
		by := storage.By{Actor: "staff:1", IP: "cli"}
		_, err := db.UpdateStaff(ctx, zhao.ID, storage.StaffUpdate{Name: &blank}, by)
		wantCode(t, err, storage.EINVALID)
		_, err = db.UpdateStaff(ctx, zhao.ID, storage.StaffUpdate{Name: &long}, by)
		wantCode(t, err, storage.EINVALID)
		_, err = db.UpdateStaff(ctx, zhao.ID, storage.StaffUpdate{Role: &root}, by)
		wantCode(t, err, storage.EINVALID)
		_, err = db.UpdateStaff(ctx, 999, storage.StaffUpdate{Name: &long}, by)
		wantCode(t, err, storage.ENOTFOUND)
	})
}

// TestLastActiveAdminStays: the last active admin can be neither demoted nor
// disabled; with a second admin both work, and a disabled admin does not count.
func TestLastActiveAdminStays(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		a := mustStaff(t, db, "admin.a", "甲", storage.RoleAdmin)
		b := mustStaff(t, db, "admin.b", "乙", storage.RoleAdmin)
		mediator := storage.RoleMediator
		by := storage.By{Actor: a.Actor(), IP: "192.0.2.1"}
		if err := db.SetStaffDisabled(ctx, b.ID, true); err != nil {
			t.Fatalf("disable one of two admins: %v", err)
		}
		_, err := db.UpdateStaff(ctx, a.ID, storage.StaffUpdate{Role: &mediator}, by)
		wantCode(t, err, storage.ECONFLICT)
		wantCode(t, db.SetStaffDisabled(ctx, a.ID, true), storage.ECONFLICT)
		if st, _ := db.FindStaffByID(ctx, a.ID); st.Role != storage.RoleAdmin || st.Disabled {
			t.Fatalf("the last admin became %+v", st)
		}
		// Demoting the disabled admin is fine: it leaves the active one.
		if _, err := db.UpdateStaff(ctx, b.ID, storage.StaffUpdate{Role: &mediator}, by); err != nil {
			t.Fatalf("demote a disabled admin: %v", err)
		}
		c := mustStaff(t, db, "admin.c", "丙", storage.RoleAdmin)
		if _, err := db.UpdateStaff(ctx, a.ID, storage.StaffUpdate{Role: &mediator}, by); err != nil {
			t.Fatalf("demote one of two active admins: %v", err)
		}
		wantCode(t, db.SetStaffDisabled(ctx, c.ID, true), storage.ECONFLICT)
	})
}

func TestPasswordSetBySomeoneElseMustBeChanged(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		st, err := db.CreateStaff(ctx, storage.NewStaff{Username: "qian", Name: "钱", Role: storage.RoleMediator,
			PasswordHash: "h0", MustChangePassword: true})
		if err != nil || !st.MustChangePassword {
			t.Fatalf("created %+v, %v; want must change", st, err)
		}
		if err := db.SetStaffPassword(ctx, st.ID, "h1", false); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindStaffByID(ctx, st.ID); got.MustChangePassword || got.PasswordHash != "h1" {
			t.Fatalf("after the owner's change %+v", got)
		}
		if err := db.SetStaffPassword(ctx, st.ID, "h2", true); err != nil {
			t.Fatal(err)
		}
		if got, _ := db.FindStaffByUsername(ctx, "qian"); !got.MustChangePassword || got.PasswordHash != "h2" {
			t.Fatalf("after a reset %+v", got)
		}
	})
}

// staffUpdateAudit selects the staff_update entries.
func staffUpdateAudit() storage.AuditFilter {
	action := storage.AuditStaffUpdate
	return storage.AuditFilter{Action: &action}
}

package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// mustStaff creates an account or fails the test.
func mustStaff(t *testing.T, db *DB, username, name string, role storage.Role) *storage.Staff {
	t.Helper()
	s, err := db.CreateStaff(context.Background(), storage.NewStaff{
		Username: username, Name: name, Role: role, PasswordHash: "hash-of-" + username,
	})
	if err != nil {
		t.Fatalf("CreateStaff(%s): %v", username, err)
	}
	return s
}

func TestCreateAndFindStaff(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := mustStaff(t, db, " Li.Ming ", " 李明 ", storage.RoleSupervisor)
		now := db.Now().UTC()
		want := storage.Staff{ID: s.ID, Username: "li.ming", Name: "李明", Role: storage.RoleSupervisor,
			PasswordHash: "hash-of- Li.Ming ", CreatedAt: now, UpdatedAt: now, UnitID: storage.RootUnitID}
		if *s != want {
			t.Fatalf("created %+v, want %+v", *s, want)
		}
		for _, username := range []string{"li.ming", "LI.MING", " Li.Ming"} {
			found, err := db.FindStaffByUsername(ctx, username)
			if err != nil || *found != want {
				t.Fatalf("FindStaffByUsername(%q) = %+v, %v; want %+v", username, found, err, want)
			}
		}
		found, err := db.FindStaffByID(ctx, s.ID)
		if err != nil || *found != want {
			t.Fatalf("FindStaffByID = %+v, %v", found, err)
		}
		_, err = db.FindStaffByID(ctx, s.ID+1)
		wantCode(t, err, storage.ENOTFOUND)
		_, err = db.FindStaffByUsername(ctx, "nobody")
		wantCode(t, err, storage.ENOTFOUND)
	})
}

func TestCreateStaffRefusesDuplicatesAndBadInput(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustStaff(t, db, "wang_fang", "王芳", storage.RoleMediator)
		_, err := db.CreateStaff(ctx, storage.NewStaff{Username: "Wang_Fang", Name: "另一个王芳", Role: storage.RoleAdmin})
		wantCode(t, err, storage.ECONFLICT)
		bad := []storage.NewStaff{
			{Username: "ab", Name: "短", Role: storage.RoleMediator},
			{Username: strings.Repeat("a", 33), Name: "长", Role: storage.RoleMediator},
			{Username: "王芳", Name: "王芳", Role: storage.RoleMediator},
			{Username: "has space", Name: "空格", Role: storage.RoleMediator},
			{Username: "noname", Name: "  ", Role: storage.RoleMediator},
			{Username: "longname", Name: strings.Repeat("名", 51), Role: storage.RoleMediator},
			{Username: "norole", Name: "无角色", Role: "root"},
		}
		for _, ns := range bad {
			_, err := db.CreateStaff(ctx, ns)
			wantCode(t, err, storage.EINVALID)
		}
		if _, err := db.CreateStaff(ctx, storage.NewStaff{
			Username: "a-1.b_2", Name: strings.Repeat("名", 50), Role: storage.RoleAdmin,
		}); err != nil {
			t.Fatalf("a valid account at the limits: %v", err)
		}
		if n, err := db.CountStaff(ctx); err != nil || n != 2 {
			t.Fatalf("CountStaff = %d, %v; want 2", n, err)
		}
	})
}

func TestListAndUpdateStaff(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		if n, err := db.CountStaff(ctx); err != nil || n != 0 {
			t.Fatalf("CountStaff on an empty desk = %d, %v", n, err)
		}
		zhao := mustStaff(t, db, "zhao", "赵", storage.RoleMediator)
		mustStaff(t, db, "admin", "管理员", storage.RoleAdmin)
		advance(db, time.Hour)
		if err := db.SetStaffPassword(ctx, zhao.ID, "new-hash", false); err != nil {
			t.Fatal(err)
		}
		if err := db.SetStaffDisabled(ctx, zhao.ID, true); err != nil {
			t.Fatal(err)
		}
		list, err := db.ListStaff(ctx)
		if err != nil || len(list) != 2 || list[0].Username != "admin" || list[1].Username != "zhao" {
			t.Fatalf("ListStaff = %v, %v; want admin, zhao", list, err)
		}
		z := list[1]
		if z.PasswordHash != "new-hash" || !z.Disabled || !z.UpdatedAt.Equal(db.Now()) ||
			!z.CreatedAt.Equal(zhao.CreatedAt) {
			t.Fatalf("zhao = %+v, want the new hash, disabled, updated now", z)
		}
		if err := db.SetStaffDisabled(ctx, zhao.ID, false); err != nil {
			t.Fatal(err)
		}
		if s, _ := db.FindStaffByID(ctx, zhao.ID); s.Disabled {
			t.Fatal("re-enabled account still disabled")
		}
		wantCode(t, db.SetStaffPassword(ctx, 999, "x", false), storage.ENOTFOUND)
		wantCode(t, db.SetStaffDisabled(ctx, 999, true), storage.ENOTFOUND)
	})
}

package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

func TestOrgSettings(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		_, err := db.GetOrgSettings(ctx)
		wantCode(t, err, storage.ENOTFOUND)

		admin, err := db.CreateStaff(ctx, storage.NewStaff{Username: "adm", Name: "管理员", Role: storage.RoleAdmin})
		if err != nil {
			t.Fatal(err)
		}
		actor := storage.StaffActor(admin.ID)
		first := storage.OrgSettings{Name: " 某市消费者协会 ", Hotline: "(0571) 123-456", ServiceHours: "工作日 9:00–17:00"}
		if err := db.SaveOrgSettings(ctx, first, storage.By{Actor: actor}); err != nil {
			t.Fatal(err)
		}
		got, err := db.GetOrgSettings(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := storage.OrgSettings{Name: "某市消费者协会", Hotline: "(0571) 123-456", ServiceHours: "工作日 9:00–17:00",
			UpdatedAt: time.Date(2026, 3, 15, 2, 0, 0, 0, time.UTC), UpdatedBy: admin.ID}
		if *got != want {
			t.Fatalf("got %+v, want %+v", *got, want)
		}

		// A second save replaces the row; empty hotline and hours are allowed.
		setClock(db, time.Date(2026, 3, 16, 10, 0, 0, 0, cst))
		if err := db.SaveOrgSettings(ctx, storage.OrgSettings{Name: "消协"}, storage.By{Actor: "system"}); err != nil {
			t.Fatal(err)
		}
		got, _ = db.GetOrgSettings(ctx)
		if got.Name != "消协" || got.Hotline != "" || got.ServiceHours != "" || got.UpdatedBy != 0 ||
			!got.UpdatedAt.Equal(time.Date(2026, 3, 16, 2, 0, 0, 0, time.UTC)) {
			t.Fatalf("after second save %+v", got)
		}

		// Only the staff member's save is audited, with the values.
		action := storage.AuditSettings
		entries, n, err := db.FindAudit(ctx, storage.AuditFilter{Action: &action})
		if err != nil || n != 1 {
			t.Fatalf("audit %d entries, %v", n, err)
		}
		if e := entries[0]; e.StaffID != admin.ID || e.CaseID != 0 ||
			!strings.Contains(e.Detail, "某市消费者协会") || !strings.Contains(e.Detail, "(0571) 123-456") {
			t.Fatalf("audit entry %+v", e)
		}
	})
}

func TestOrgSettingsRefusesBadValues(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		for _, c := range []struct {
			s     storage.OrgSettings
			field string
		}{
			{storage.OrgSettings{Name: "  "}, "机构名称"},
			{storage.OrgSettings{Name: strings.Repeat("消", 41)}, "机构名称"},
			{storage.OrgSettings{Name: "消协\n热线"}, "机构名称"},
			{storage.OrgSettings{Name: "消协", Hotline: "12315 转 1"}, "热线电话"},
			{storage.OrgSettings{Name: "消协", Hotline: "+86 12315"}, "热线电话"},
			{storage.OrgSettings{Name: "消协", Hotline: strings.Repeat("1", 31)}, "热线电话"},
			{storage.OrgSettings{Name: "消协", ServiceHours: strings.Repeat("时", 41)}, "服务时间"},
		} {
			err := db.SaveOrgSettings(ctx, c.s, storage.By{Actor: "staff:1"})
			wantCode(t, err, storage.EINVALID)
			if !strings.Contains(storage.ErrorMessage(err), c.field) {
				t.Errorf("%+v: %q does not name %s", c.s, storage.ErrorMessage(err), c.field)
			}
		}
		// Limits are inclusive and count characters, not bytes.
		ok := storage.OrgSettings{Name: strings.Repeat("消", 40), Hotline: strings.Repeat("1", 30),
			ServiceHours: strings.Repeat("时", 40)}
		if err := db.SaveOrgSettings(ctx, ok, storage.By{Actor: "staff:1"}); err != nil {
			t.Fatalf("at the limits: %v", err)
		}
		_, n, _ := db.FindAudit(ctx, storage.AuditFilter{})
		if n != 1 {
			t.Fatalf("%d audit entries, want 1 (refused saves are not audited)", n)
		}
	})
}

package sqlstore

import (
	"context"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// mustAddUnit adds a unit under parent or fails the test.
func mustAddUnit(t *testing.T, db *DB, parent int64, name, code string, regions ...string) *storage.Unit {
	t.Helper()
	u, err := db.CreateUnit(context.Background(), storage.UnitInput{
		ParentID: parent, Name: name, Code: code, Regions: regions,
	}, by)
	if err != nil {
		t.Fatalf("CreateUnit(%s): %v", code, err)
	}
	return u
}

// TestUnitsCreateAndUpdateAudited builds a city with a district, changes one,
// and checks that each change is audited and read back.
func TestUnitsCreateAndUpdateAudited(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		fc, err := db.CreateUnit(ctx, storage.UnitInput{
			ParentID: storage.RootUnitID, Name: " 樊城区消委会 ", Code: "fc",
			Regions: []string{"樊城区", " ", "樊城区", "牛首镇"}, Hotline: "0710-12315", ServiceHours: "工作日 9:00-17:00",
		}, by)
		if err != nil {
			t.Fatal(err)
		}
		if fc.Name != "樊城区消委会" || fc.Code != "FC" || fc.ParentID != storage.RootUnitID ||
			strings.Join(fc.Regions, ",") != "樊城区,牛首镇" || fc.Hotline != "0710-12315" {
			t.Fatalf("created unit = %+v", fc)
		}
		zy := mustAddUnit(t, db, fc.ID, "枣阳市消委会", "ZY", "枣阳市")
		in := storage.UnitInput{ParentID: storage.RootUnitID, Name: "枣阳市消委会", Code: "ZY", Regions: []string{"枣阳市"}, Disabled: true}
		got, err := db.UpdateUnit(ctx, zy.ID, in, by)
		if err != nil || got.ParentID != storage.RootUnitID || !got.Disabled {
			t.Fatalf("UpdateUnit = %+v, %v", got, err)
		}
		units, err := db.ListUnits(ctx)
		if err != nil || len(units) != 3 {
			t.Fatalf("ListUnits = %d units, %v", len(units), err)
		}
		entries := otherAudit(t, db, storage.AuditUnit)
		if len(entries) != 3 || !strings.Contains(entries[0].Detail, "上级 #2 → #1") || !strings.Contains(entries[0].Detail, "停用") ||
			!strings.Contains(entries[2].Detail, "新建单位") {
			t.Fatalf("unit audit = %+v", entries)
		}
		// Saving the same again changes and audits nothing.
		if _, err := db.UpdateUnit(ctx, zy.ID, in, by); err != nil {
			t.Fatal(err)
		}
		if n := len(otherAudit(t, db, storage.AuditUnit)); n != 3 {
			t.Fatalf("an unchanged save wrote an audit entry (%d entries)", n)
		}
	})
}

// TestUnitsRefuseBadChanges checks validation, code conflicts, cycles and the
// root's place.
func TestUnitsRefuseBadChanges(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		fc := mustAddUnit(t, db, storage.RootUnitID, "樊城区消委会", "FC", "樊城区")
		street := mustAddUnit(t, db, fc.ID, "某街道调解站", "FCJD")
		for name, in := range map[string]storage.UnitInput{
			"no name":      {ParentID: 1, Code: "AB"},
			"long name":    {ParentID: 1, Name: strings.Repeat("区", 41), Code: "AB"},
			"short code":   {ParentID: 1, Name: "某区", Code: "A"},
			"code symbols": {ParentID: 1, Name: "某区", Code: "A-B"},
			"short region": {ParentID: 1, Name: "某区", Code: "AB", Regions: []string{"区"}},
			"bad hotline":  {ParentID: 1, Name: "某区", Code: "AB", Hotline: "call me"},
			"no parent":    {Name: "某区", Code: "AB"},
			"lost parent":  {ParentID: 999, Name: "某区", Code: "AB"},
		} {
			_, err := db.CreateUnit(ctx, in, by)
			if storage.ErrorCode(err) != storage.EINVALID {
				t.Errorf("%s: error %v, want EINVALID", name, err)
			}
		}
		_, err := db.CreateUnit(ctx, storage.UnitInput{ParentID: 1, Name: "另一个", Code: "FC"}, by)
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.UpdateUnit(ctx, fc.ID, storage.UnitInput{ParentID: street.ID, Name: "樊城区消委会", Code: "FC"}, by)
		wantCode(t, err, storage.EINVALID) // under its own child: a cycle
		_, err = db.UpdateUnit(ctx, fc.ID, storage.UnitInput{ParentID: fc.ID, Name: "樊城区消委会", Code: "FC"}, by)
		wantCode(t, err, storage.EINVALID)
		_, err = db.UpdateUnit(ctx, storage.RootUnitID, storage.UnitInput{ParentID: fc.ID, Code: "ROOT"}, by)
		wantCode(t, err, storage.EINVALID) // the root stays the root
		_, err = db.UpdateUnit(ctx, storage.RootUnitID, storage.UnitInput{Code: "ROOT", Disabled: true}, by)
		wantCode(t, err, storage.EINVALID) // and takes cases
		_, err = db.UpdateUnit(ctx, 999, storage.UnitInput{ParentID: 1, Name: "某区", Code: "AB"}, by)
		wantCode(t, err, storage.ENOTFOUND)
		// The root's name may stay empty: the organisation settings stand in.
		root, err := db.UpdateUnit(ctx, storage.RootUnitID, storage.UnitInput{Code: "XY", Hotline: "12315"}, by)
		if err != nil || root.Name != "" || root.Code != "XY" || root.Hotline != "12315" {
			t.Fatalf("root update = %+v, %v", root, err)
		}
	})
}

// TestStaffUnitMoveAudited checks that staff are created in a unit and moved
// by an audited update, and that an unknown unit is refused.
func TestStaffUnitMoveAudited(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		fc := mustAddUnit(t, db, storage.RootUnitID, "樊城区消委会", "FC")
		st, err := db.CreateStaff(ctx, storage.NewStaff{Username: "fc.med", Name: "樊城调解员", Role: storage.RoleMediator,
			PasswordHash: "x", UnitID: fc.ID})
		if err != nil || st.UnitID != fc.ID {
			t.Fatalf("CreateStaff = %+v, %v", st, err)
		}
		_, err = db.CreateStaff(ctx, storage.NewStaff{Username: "lost.med", Name: "某人", Role: storage.RoleMediator,
			PasswordHash: "x", UnitID: 999})
		wantCode(t, err, storage.EINVALID)
		root := storage.RootUnitID
		moved, err := db.UpdateStaff(ctx, st.ID, storage.StaffUpdate{UnitID: &root}, by)
		if err != nil || moved.UnitID != root {
			t.Fatalf("UpdateStaff = %+v, %v", moved, err)
		}
		entries := otherAudit(t, db, storage.AuditStaffUpdate)
		if len(entries) != 1 || !strings.Contains(entries[0].Detail, "单位由FC改为ROOT") {
			t.Fatalf("staff audit = %+v", entries)
		}
		lost := int64(999)
		_, err = db.UpdateStaff(ctx, st.ID, storage.StaffUpdate{UnitID: &lost}, by)
		wantCode(t, err, storage.EINVALID)

		// Holding an open case of the city, the mediator cannot move to the
		// district, whose staff would not see it; once it is reassigned they can.
		c := mustCreate(t, db, newCase("city-case"))
		if _, err := db.AssignCase(ctx, c.ID, &st.ID, by); err != nil {
			t.Fatal(err)
		}
		district := fc.ID
		_, err = db.UpdateStaff(ctx, st.ID, storage.StaffUpdate{UnitID: &district}, by)
		wantCode(t, err, storage.ECONFLICT)
		if _, err := db.AssignCase(ctx, c.ID, nil, by); err != nil {
			t.Fatal(err)
		}
		if _, err := db.UpdateStaff(ctx, st.ID, storage.StaffUpdate{UnitID: &district}, by); err != nil {
			t.Fatalf("move after the case was reassigned: %v", err)
		}
	})
}

// TestCaseAndAuditFiltersByUnit checks CaseFilter.UnitIDs and
// AuditFilter.UnitIDs: a district's scope holds its cases and the entries of
// its staff about them, not the other district's.
func TestCaseAndAuditFiltersByUnit(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		fc := mustAddUnit(t, db, storage.RootUnitID, "樊城区消委会", "FC")
		xz := mustAddUnit(t, db, storage.RootUnitID, "襄州区消委会", "XZ")
		ncFC, ncXZ := newCase("fc"), newCase("xz")
		ncFC.UnitID, ncXZ.UnitID = fc.ID, xz.ID
		cFC, cXZ := mustCreate(t, db, ncFC), mustCreate(t, db, ncXZ)
		mustCreate(t, db, newCase("root"))
		wantFound(t, db, "district", storage.CaseFilter{UnitIDs: []int64{fc.ID}}, cFC.Number)
		wantFound(t, db, "none", storage.CaseFilter{UnitIDs: []int64{}})
		if _, total, err := db.FindCases(ctx, storage.CaseFilter{}); err != nil || total != 3 {
			t.Fatalf("unscoped total = %d, %v", total, err)
		}

		sFC, err := db.CreateStaff(ctx, storage.NewStaff{Username: "fc.med", Name: "甲", Role: storage.RoleMediator, PasswordHash: "x", UnitID: fc.ID})
		if err != nil {
			t.Fatal(err)
		}
		sXZ, err := db.CreateStaff(ctx, storage.NewStaff{Username: "xz.med", Name: "乙", Role: storage.RoleMediator, PasswordHash: "x", UnitID: xz.ID})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range []storage.AuditEntry{
			{StaffID: sFC.ID, Action: storage.AuditMarkRead, CaseID: cFC.ID},
			{StaffID: sXZ.ID, Action: storage.AuditMarkRead, CaseID: cXZ.ID},
			{StaffID: sXZ.ID, Action: storage.AuditLogin},
			{Action: storage.AuditLoginFailed},
		} {
			if err := db.AddAudit(ctx, e); err != nil {
				t.Fatal(err)
			}
		}
		entries, total, err := db.FindAudit(ctx, storage.AuditFilter{UnitIDs: []int64{fc.ID}})
		if err != nil || total != 2 {
			t.Fatalf("district audit = %+v (%d), %v", entries, total, err)
		}
		for _, e := range entries {
			if e.StaffID == sXZ.ID || e.CaseID == cXZ.ID {
				t.Fatalf("the other district's entry %+v is in scope", e)
			}
		}
		if _, total, _ := db.FindAudit(ctx, storage.AuditFilter{}); total != 6 { // with the two units created
			t.Fatalf("unscoped audit total = %d, want 6", total)
		}
	})
}

// TestCannedRepliesTakeTheWritersUnit checks that a reply is stored in its
// writer's unit, and seeded ones in the root.
func TestCannedRepliesTakeTheWritersUnit(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		fc := mustAddUnit(t, db, storage.RootUnitID, "樊城区消委会", "FC")
		st, err := db.CreateStaff(ctx, storage.NewStaff{Username: "fc.sup", Name: "甲", Role: storage.RoleSupervisor, PasswordHash: "x", UnitID: fc.ID})
		if err != nil {
			t.Fatal(err)
		}
		mine, err := db.CreateCannedReply(ctx, "区里的", "请到区消委会。", st.ID)
		if err != nil || mine.UnitID != fc.ID {
			t.Fatalf("district reply = %+v, %v", mine, err)
		}
		seeded, err := db.CreateCannedReply(ctx, "通用", "您好。", 0)
		if err != nil || seeded.UnitID != storage.RootUnitID {
			t.Fatalf("seeded reply = %+v, %v", seeded, err)
		}
	})
}

// TestRoutingStaysInTheUnit checks that a rule routes only cases of its team's
// unit subtree, that each unit has its own default team, and that a team takes
// no member who could not see its cases.
func TestRoutingStaysInTheUnit(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		fc := mustAddUnit(t, db, storage.RootUnitID, "樊城区消委会", "FC")
		xz := mustAddUnit(t, db, storage.RootUnitID, "襄州区消委会", "XZ")
		cityDefault := mustTeam(t, db, "市综合", false, true)
		fcCars, err := db.CreateTeam(ctx, storage.TeamInput{Name: "樊城汽车", UnitID: fc.ID}, by)
		if err != nil || fcCars.UnitID != fc.ID {
			t.Fatalf("CreateTeam = %+v, %v", fcCars, err)
		}
		fcDefault, err := db.CreateTeam(ctx, storage.TeamInput{Name: "樊城综合", Default: true, UnitID: fc.ID}, by)
		if err != nil {
			t.Fatal(err)
		}
		mustRule(t, db, storage.RuleCategory, "交通工具", fcCars)
		teams, err := db.ListTeams(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, tm := range teams {
			if tm.ID == cityDefault.ID && !tm.Default {
				t.Fatal("a district's default took the city's")
			}
		}
		fileIn := func(key, category string, unit int64) *storage.Case {
			nc := newCase(key)
			nc.Category, nc.UnitID = category, unit
			return mustCreate(t, db, nc)
		}
		for _, tc := range []struct {
			c    *storage.Case
			want int64
		}{
			{fileIn("fc-car", "交通工具", fc.ID), fcCars.ID},
			{fileIn("fc-food", "食品", fc.ID), fcDefault.ID},
			{fileIn("xz-car", "交通工具", xz.ID), cityDefault.ID}, // 樊城's rule is not 襄州's
			{fileIn("root-car", "交通工具", storage.RootUnitID), cityDefault.ID},
		} {
			if tc.c.TeamID != tc.want {
				t.Errorf("%s went to team %d, want %d", tc.c.IntakeKey, tc.c.TeamID, tc.want)
			}
		}
		xzMed, err := db.CreateStaff(ctx, storage.NewStaff{Username: "xz.med", Name: "乙", Role: storage.RoleMediator, PasswordHash: "x", UnitID: xz.ID})
		if err != nil {
			t.Fatal(err)
		}
		_, err = db.SetTeamMembers(ctx, fcCars.ID, []int64{xzMed.ID}, by)
		wantCode(t, err, storage.EINVALID)
		cityMed := mustStaff(t, db, "city.med", "丙", storage.RoleMediator)
		if _, err := db.SetTeamMembers(ctx, fcCars.ID, []int64{cityMed.ID}, by); err != nil {
			t.Fatalf("a city mediator joins a district team: %v", err)
		}
	})
}

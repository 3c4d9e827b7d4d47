package sqlstore

import (
	"context"
	"strconv"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestRootUnitAfterMigration checks that a migrated database has exactly the
// root unit and files cases and accounts with it.
func TestRootUnitAfterMigration(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		units, err := db.ListUnits(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(units) != 1 || units[0].ID != storage.RootUnitID || units[0].ParentID != 0 || units[0].Code != "ROOT" {
			t.Fatalf("units = %+v, want only the root", units)
		}
		tree := storage.NewUnitTree(units)
		if !tree.Single() {
			t.Fatal("a fresh deployment is not single-unit")
		}
		c := mustCreate(t, db, newCase("root-unit"))
		s := mustStaff(t, db, "unit.staff", "某人", storage.RoleMediator)
		if c.UnitID != storage.RootUnitID || s.UnitID != storage.RootUnitID {
			t.Fatalf("case unit %d, staff unit %d; want the root's", c.UnitID, s.UnitID)
		}
	})
}

// TestUnitTreeVersionFollowsEveryChange checks that the version read with the
// units moves with every change to them, made by the store or by any other
// statement (the triggers of migration 00029), and stays put when neither
// they nor the other reference data change: an
// instance that keeps the units trusts it to say when they are stale.
func TestUnitTreeVersionFollowsEveryChange(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		version := func() int64 {
			t.Helper()
			v := referenceVersionOf(t, db)
			units, err := db.UnitsAt(ctx, v)
			if err != nil {
				t.Fatal(err)
			}
			want, err := db.ListUnits(ctx)
			if err != nil || len(units) != len(want) {
				t.Fatalf("UnitsAt has %d units, ListUnits %d (%v)", len(units), len(want), err)
			}
			return v
		}
		v0 := version()
		mustCreate(t, db, newCase("no-unit-change"))
		mustStaff(t, db, "unit.other", "某人", storage.RoleMediator)
		if v := version(); v != v0 {
			t.Fatalf("version moved from %d to %d without a unit change", v0, v)
		}
		u := mustAddUnit(t, db, storage.RootUnitID, "樊城区消委会", "FC", "樊城区")
		v1 := version()
		if v1 <= v0 {
			t.Fatalf("version %d after a unit was added, was %d", v1, v0)
		}
		if _, err := db.UpdateUnit(ctx, u.ID, storage.UnitInput{ParentID: storage.RootUnitID, Name: "樊城区消委会", Code: "FC", Disabled: true}, by); err != nil {
			t.Fatal(err)
		}
		v2 := version()
		if v2 <= v1 {
			t.Fatalf("version %d after a unit was disabled, was %d", v2, v1)
		}
		for _, q := range []string{"UPDATE units SET hotline = '12315' WHERE id = " + strconv.FormatInt(u.ID, 10),
			"DELETE FROM units WHERE id = " + strconv.FormatInt(u.ID, 10)} {
			if _, err := db.db.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
			v := version()
			if v <= v2 {
				t.Fatalf("version %d after %q, was %d", v, q, v2)
			}
			v2 = v
		}
	})
}

package sqlstore

import (
	"context"
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

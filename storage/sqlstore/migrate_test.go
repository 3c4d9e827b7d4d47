package sqlstore

import (
	"context"
	"testing"
)

// TestMigrationsGoDownAndUp checks that every migration's Down section undoes its Up
// section: an operator rolling a release back must be able to run it.
func TestMigrationsGoDownAndUp(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		p, err := db.newMigrator()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 0); err != nil {
			t.Fatalf("down: %v", err)
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		mustCreate(t, db, newCase("k"))
		enqueue(t, db, "oA", "after a round trip")
	})
}

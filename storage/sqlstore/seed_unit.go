package sqlstore

// Test support, like seed.go: adding units for the tests of the figures per
// unit, before the console manages units.

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// SeedUnit adds a unit under parent with its name and code and returns its id.
func SeedUnit(ctx context.Context, db *DB, parent int64, name, code string) (int64, error) {
	var id int64
	err := db.inWriteTx(ctx, "seed unit", func(tx *sqlx.Tx) error {
		now := dbTime(db.now())
		q := tx.Rebind(`INSERT INTO units (parent_id, name, code, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?) RETURNING id`)
		return tx.GetContext(ctx, &id, q, parent, name, code, now, now)
	})
	if err != nil {
		return 0, fmt.Errorf("seed unit %s: %w", code, err)
	}
	return id, nil
}

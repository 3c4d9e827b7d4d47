package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// unitRow is a units row; regions are stored one per line.
type unitRow struct {
	storage.Unit
	ParentID *int64 `db:"parent_id"`
	Regions  string `db:"regions"`
}

const unitColumns = `id, parent_id, name, code, regions, hotline, service_hours, disabled,
	created_at, updated_at`

// ListUnits returns every unit, the root first, then by parent and name, in one
// statement: every request with a unit scope asks it.
func (d *DB) ListUnits(ctx context.Context) ([]*storage.Unit, error) {
	var out []*storage.Unit
	err := d.inRead(ctx, "list units", func(r reader) error {
		var err error
		out, err = listUnits(ctx, r)
		return err
	})
	return out, err
}

// unitOrder is ListUnits's order: the root first, then by parent and name.
const unitOrder = " ORDER BY COALESCE(parent_id, 0), name, id"

// listUnits does ListUnits's work in tx.
func listUnits(ctx context.Context, tx reader) ([]*storage.Unit, error) {
	var rows []unitRow
	q := "SELECT " + unitColumns + " FROM units" + unitOrder
	if err := tx.SelectContext(ctx, &rows, q); err != nil {
		return nil, fmt.Errorf("select units: %w", err)
	}
	out := make([]*storage.Unit, 0, len(rows))
	for i := range rows {
		out = append(out, rows[i].unit())
	}
	return out, nil
}

// unit turns the row into the domain's Unit.
func (r *unitRow) unit() *storage.Unit {
	u := r.Unit
	if r.ParentID != nil {
		u.ParentID = *r.ParentID
	}
	for _, line := range strings.Split(r.Regions, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			u.Regions = append(u.Regions, line)
		}
	}
	u.CreatedAt, u.UpdatedAt = u.CreatedAt.UTC(), u.UpdatedAt.UTC()
	return &u
}

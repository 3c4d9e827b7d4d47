package sqlstore

import (
	"context"
	"slices"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestMigrationMapsCategoriesOntoTheTree stores every kind of category a case
// may have been filed with before the tree (level-1 names, the CCA's spelling
// with 类, aliases, level-2 names, anything else), applies migration 00010 again,
// and checks that each case's category is what storage.CategoryOf says, and that
// insertCaseAt9SQL inserts a case into the schema of migration 00009, whatever
// columns later migrations add.
const insertCaseAt9SQL = `INSERT INTO cases (number, open_id, status, category, merchant_name,
	merchant_address, purchase_date, amount_fen, description, demand, complainant_name,
	phone, intake_key, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
	RETURNING id`

// a level-2 name became the subcategory: the SQL and the Go rule must agree.
func TestMigrationMapsCategoriesOntoTheTree(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		values := []string{"食品安全", " 食品 ", "汽车", "汽车/交通工具", "烟、酒和饮料", "家用电器", "网购"}
		var subs []string
		for _, c := range storage.Categories() {
			values = append(values, c.Name, c.Name+"类")
			for _, s := range c.Subcategories {
				if s != storage.CategoryOther {
					values, subs = append(values, s), append(subs, s)
				}
			}
		}
		p, err := db.newMigrator()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.DownTo(ctx, 9); err != nil {
			t.Fatalf("down to 9: %v", err)
		}
		ids := make([]int64, len(values))
		now := dbTime(db.Now())
		for i, v := range values {
			err := db.db.GetContext(ctx, &ids[i], db.db.Rebind(insertCaseAt9SQL), number(i+1), "o", storage.StatusSubmitted,
				v, "某店", "", "", 0, "事情经过", "退款", "张三", "13800138000", v+"-key", now, now)
			if err != nil {
				t.Fatalf("insert %q: %v", v, err)
			}
		}
		if err := db.Migrate(ctx); err != nil {
			t.Fatalf("up again: %v", err)
		}
		for i, v := range values {
			c := storedCase(t, db, ids[i])
			if want := storage.CategoryOf(v); c.Category != want {
				t.Errorf("%q became %q, want %q", v, c.Category, want)
			}
			wantSub := ""
			if slices.Contains(subs, v) {
				wantSub = v
			}
			if c.Subcategory != wantSub {
				t.Errorf("%q: subcategory %q, want %q", v, c.Subcategory, wantSub)
			}
		}
	})
}

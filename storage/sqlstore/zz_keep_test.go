package sqlstore

import (
	"context"
	"github.com/complaintbot/complaintbot/storage"
	"os"
	"testing"
)

func BenchmarkZZKeepSeed(b *testing.B) {
	url := os.Getenv("ZZ_KEEP_URL")
	if url == "" {
		b.Skip()
	}
	db := openMigrated(b, url)
	seedBenchCases(b, db, benchCases)
	_ = context.Background()
}

func TestZZMigrateURL(t *testing.T) {
	url := os.Getenv("ZZ_MIGRATE_URL")
	if url == "" {
		t.Skip()
	}
	db := openMigrated(t, url)
	var idx []string
	if err := db.db.Select(&idx, "SELECT indexname FROM pg_indexes WHERE tablename = 'cases' AND indexname LIKE '%trgm%' AND schemaname = current_schema()"); err != nil {
		t.Fatal(err)
	}
	var ext []string
	db.db.Select(&ext, "SELECT extname || ' in ' || extnamespace::regnamespace::text FROM pg_extension")
	t.Logf("trigram indexes %v, extensions %v", idx, ext)
	setClock(db, db.now())
	c := mustCreate(t, db, newCase("k"))
	got, n, err := db.FindCases(context.Background(), storage.CaseFilter{Search: "好又多"})
	t.Logf("search: %d %d %v (case %s)", len(got), n, err, c.Number)
}

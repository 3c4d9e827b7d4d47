package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// cst is China Standard Time; a fixed zone so the tests need no tzdata.
var cst = time.FixedZone("CST", 8*3600)

// dialect is one database the contract tests run on.
type dialect struct {
	name string
	// newTarget returns the URL or path of a fresh, empty database.
	newTarget func(testing.TB) string
}

var dialects = []dialect{
	{DialectSQLite, testenv.SQLitePath},
	{DialectPostgres, testenv.PostgresURL},
}

// eachDialect runs fn as a subtest on each dialect with a fresh migrated DB whose
// clock stands at 2026-03-15 10:00 CST.
func eachDialect(t *testing.T, fn func(t *testing.T, db *DB)) {
	t.Helper()
	eachTarget(t, func(t *testing.T, target string) {
		db := testenv.OpenMigrated(t, Open, target)
		setClock(db, time.Date(2026, 3, 15, 10, 0, 0, 0, cst))
		fn(t, db)
	})
}

// eachTarget runs fn as a subtest on each dialect with the target of a fresh, empty
// database, for tests that open it more than once.
func eachTarget(t *testing.T, fn func(t *testing.T, target string)) {
	t.Helper()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			fn(t, d.newTarget(t))
		})
	}
}

// setClock stops db's clock at now. Not for use while goroutines call the DB.
func setClock(db *DB, now time.Time) {
	db.Now = func() time.Time { return now }
}

// newCase returns a complete NewCase for the intake key.
func newCase(key string) storage.NewCase {
	return storage.NewCase{
		OpenID:          "oOPENID-" + key,
		IntakeKey:       key,
		Category:        "食品安全",
		MerchantName:    "好又多超市",
		MerchantAddress: "人民路 1 号",
		PurchaseDate:    "2026-03-01",
		AmountFen:       12_950,
		Description:     "买到过期牛奶",
		Demand:          "退款",
		ComplainantName: "张三",
		Phone:           "13800138000",
	}
}

// mustCreate creates a TS case for key or fails the test.
func mustCreate(t *testing.T, db *DB, nc storage.NewCase) *storage.Case {
	t.Helper()
	c, err := db.CreateCase(context.Background(), "TS", nc)
	if err != nil {
		t.Fatalf("CreateCase(%s): %v", nc.IntakeKey, err)
	}
	return c
}

// wantCode fails the test unless err carries the storage code.
func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := storage.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

// number returns the canonical TS number of seq in 2026.
func number(seq int) string {
	return fmt.Sprintf("TS-2026-%06d", seq)
}

package sqlstore

import (
	"bytes"
	"context"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

func TestBlobsRoundTrip(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		// Every byte value, as a photo has them.
		photo := make([]byte, 1024)
		for i := range photo {
			photo[i] = byte(i)
		}
		if err := db.PutBlob(ctx, "sha256/ab", photo); err != nil {
			t.Fatal(err)
		}
		if err := db.PutBlob(ctx, "sha256/ab", []byte("other bytes")); err != nil {
			t.Fatalf("second put of a key: %v", err)
		}
		got, err := db.GetBlob(ctx, "sha256/ab")
		if err != nil || !bytes.Equal(got, photo) {
			t.Fatalf("GetBlob = %d bytes, %v; want the first %d bytes", len(got), err, len(photo))
		}
		if err := db.PutBlob(ctx, "sha256/empty", nil); err != nil {
			t.Fatal(err)
		}
		if got, err := db.GetBlob(ctx, "sha256/empty"); err != nil || got == nil || len(got) != 0 {
			t.Fatalf("empty blob = %v, %v", got, err)
		}
		_, err = db.GetBlob(ctx, "sha256/none")
		wantCode(t, err, storage.ENOTFOUND)
		wantCode(t, db.PutBlob(ctx, "", photo), storage.EINVALID)
	})
}

package sqlstore

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// tokenHash returns the hex SHA-256 of token, as the console stores it.
func tokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// mustToken creates a token for staffID or fails the test.
func mustToken(t *testing.T, db *DB, staffID int64, name, token string) *storage.APIToken {
	t.Helper()
	tok, err := db.CreateAPIToken(context.Background(), staffID, name, tokenHash(token))
	if err != nil {
		t.Fatalf("CreateAPIToken(%s): %v", name, err)
	}
	return tok
}

func TestAPITokenLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := mustStaff(t, db, "lili", "李", storage.RoleMediator)
		tok := mustToken(t, db, s.ID, "导出脚本", "secret-1")
		created := db.Now().UTC()
		want := storage.APIToken{ID: tok.ID, StaffID: s.ID, Name: "导出脚本", Hash: tokenHash("secret-1"), CreatedAt: created}
		if *tok != want {
			t.Fatalf("created %+v, want %+v", *tok, want)
		}

		advance(db, time.Hour)
		found, err := db.FindAPITokenByHash(ctx, tokenHash("secret-1"))
		want.LastUsedAt = db.Now().UTC()
		if err != nil || *found != want {
			t.Fatalf("FindAPITokenByHash = %+v, %v; want %+v", found, err, want)
		}
		// Within the minute the use is not written again; after it, it is.
		advance(db, 30*time.Second)
		if found, _ := db.FindAPITokenByHash(ctx, tokenHash("secret-1")); !found.LastUsedAt.Equal(want.LastUsedAt) {
			t.Fatalf("last used %v, want %v kept within the minute", found.LastUsedAt, want.LastUsedAt)
		}
		advance(db, time.Minute)
		db.FindAPITokenByHash(ctx, tokenHash("secret-1"))
		list, err := db.ListAPITokens(ctx, s.ID)
		if err != nil || len(list) != 1 || !list[0].LastUsedAt.Equal(db.Now()) {
			t.Fatalf("ListAPITokens = %+v, %v; want the use of a minute later stored", list, err)
		}

		_, err = db.FindAPITokenByHash(ctx, tokenHash("wrong"))
		wantCode(t, err, storage.ENOTFOUND)
	})
}

func TestRevokedAPITokenIsNotFound(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		li := mustStaff(t, db, "lili", "李", storage.RoleMediator)
		wang := mustStaff(t, db, "wang", "王", storage.RoleMediator)
		old := mustToken(t, db, li.ID, "旧", "secret-old")
		advance(db, time.Minute)
		mustToken(t, db, li.ID, "新", "secret-new")

		// Someone else's token cannot be revoked, nor one that does not exist.
		wantCode(t, db.RevokeAPIToken(ctx, wang.ID, old.ID), storage.ENOTFOUND)
		wantCode(t, db.RevokeAPIToken(ctx, li.ID, 999), storage.ENOTFOUND)
		if _, err := db.FindAPITokenByHash(ctx, tokenHash("secret-old")); err != nil {
			t.Fatalf("token revoked by someone else: %v", err)
		}

		if err := db.RevokeAPIToken(ctx, li.ID, old.ID); err != nil {
			t.Fatal(err)
		}
		revokedAt := db.Now().UTC()
		_, err := db.FindAPITokenByHash(ctx, tokenHash("secret-old"))
		wantCode(t, err, storage.ENOTFOUND)
		advance(db, time.Hour)
		if err := db.RevokeAPIToken(ctx, li.ID, old.ID); err != nil {
			t.Fatalf("revoking again: %v", err)
		}
		list, err := db.ListAPITokens(ctx, li.ID)
		if err != nil || len(list) != 2 || list[0].Name != "新" || list[1].Name != "旧" ||
			!list[1].RevokedAt.Equal(revokedAt) || !list[0].RevokedAt.IsZero() {
			t.Fatalf("ListAPITokens = %+v, %v; want new then old, old revoked at %v", list, err, revokedAt)
		}
		if other, err := db.ListAPITokens(ctx, wang.ID); err != nil || len(other) != 0 {
			t.Fatalf("wang's tokens = %v, %v; want none", other, err)
		}
	})
}

func TestRevokeStaffTokensRevokesEveryLiveTokenOfOneAccount(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		li := mustStaff(t, db, "lili", "李", storage.RoleMediator)
		wang := mustStaff(t, db, "wang", "王", storage.RoleMediator)
		old := mustToken(t, db, li.ID, "旧", "secret-old")
		if err := db.RevokeAPIToken(ctx, li.ID, old.ID); err != nil {
			t.Fatal(err)
		}
		oldRevokedAt := db.Now().UTC()
		advance(db, time.Hour)
		mustToken(t, db, li.ID, "脚本一", "secret-1")
		mustToken(t, db, li.ID, "脚本二", "secret-2")
		mustToken(t, db, wang.ID, "王的脚本", "secret-wang")
		advance(db, time.Hour)

		n, err := db.RevokeStaffTokens(ctx, li.ID)
		if err != nil || n != 2 {
			t.Fatalf("RevokeStaffTokens = %d, %v; want 2 revoked", n, err)
		}
		revokedAt := db.Now().UTC()
		for _, secret := range []string{"secret-1", "secret-2", "secret-old"} {
			_, err := db.FindAPITokenByHash(ctx, tokenHash(secret))
			wantCode(t, err, storage.ENOTFOUND)
		}
		if _, err := db.FindAPITokenByHash(ctx, tokenHash("secret-wang")); err != nil {
			t.Fatalf("another account's token was revoked: %v", err)
		}
		list, err := db.ListAPITokens(ctx, li.ID)
		if err != nil || len(list) != 3 {
			t.Fatalf("ListAPITokens = %v, %v", list, err)
		}
		for _, tok := range list {
			want := revokedAt
			if tok.ID == old.ID {
				want = oldRevokedAt // revoked before: its time is kept
			}
			if !tok.RevokedAt.Equal(want) {
				t.Errorf("token %s revoked at %v, want %v", tok.Name, tok.RevokedAt, want)
			}
		}
		advance(db, time.Hour)
		if n, err := db.RevokeStaffTokens(ctx, li.ID); err != nil || n != 0 {
			t.Fatalf("revoking again = %d, %v; want 0", n, err)
		}
		if n, err := db.RevokeStaffTokens(ctx, wang.ID+100); err != nil || n != 0 {
			t.Fatalf("an unknown account = %d, %v; want 0, nil", n, err)
		}
	})
}

func TestCreateAPITokenRefusesBadInput(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		s := mustStaff(t, db, "lili", "李", storage.RoleMediator)
		mustToken(t, db, s.ID, "一", "secret")
		_, err := db.CreateAPIToken(ctx, s.ID, "二", tokenHash("secret"))
		wantCode(t, err, storage.ECONFLICT)
		_, err = db.CreateAPIToken(ctx, s.ID+1, "无人", tokenHash("other"))
		wantCode(t, err, storage.ENOTFOUND)
		for _, bad := range []struct{ name, hash string }{
			{" ", tokenHash("a")}, {"名", "not-a-hash"}, {"名", tokenHash("a")[:63]},
		} {
			_, err := db.CreateAPIToken(ctx, s.ID, bad.name, bad.hash)
			wantCode(t, err, storage.EINVALID)
		}
	})
}

// TestFindStaffByAPITokenReadsTokenAndHolder checks the one read a request with
// a token makes: the holder (a disabled one too, which the caller refuses) and
// the token, its use recorded; a revoked or unknown token finds nobody.
func TestFindStaffByAPITokenReadsTokenAndHolder(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		mustStaff(t, db, "zhao", "赵", storage.RoleAdmin) // ids of staff and tokens differ
		li := mustStaff(t, db, "lili", "李", storage.RoleMediator)
		tok := mustToken(t, db, li.ID, "导出脚本", "secret-1")
		advance(db, time.Hour)

		caller, err := db.FindStaffByAPIToken(ctx, strings.ToUpper(tokenHash("secret-1")))
		if err != nil {
			t.Fatal(err)
		}
		want := *tok
		want.LastUsedAt = db.Now().UTC()
		if *caller.Staff != *li || *caller.Token != want {
			t.Fatalf("FindStaffByAPIToken = %+v, %+v; want %+v, %+v", caller.Staff, caller.Token, li, want)
		}
		if version := referenceVersionOf(t, db); caller.UnitsVersion != version {
			t.Fatalf("units version %d, want the tree's %d", caller.UnitsVersion, version)
		}
		if list, _ := db.ListAPITokens(ctx, li.ID); len(list) != 1 || !list[0].LastUsedAt.Equal(want.LastUsedAt) {
			t.Fatalf("ListAPITokens = %+v; want the use stored", list)
		}

		if err := db.SetStaffDisabled(ctx, li.ID, true); err != nil {
			t.Fatal(err)
		}
		if caller, err := db.FindStaffByAPIToken(ctx, tokenHash("secret-1")); err != nil || !caller.Staff.Disabled {
			t.Fatalf("disabled holder = %+v, %v; want the account, disabled", caller, err)
		}

		if err := db.RevokeAPIToken(ctx, li.ID, tok.ID); err != nil {
			t.Fatal(err)
		}
		_, err = db.FindStaffByAPIToken(ctx, tokenHash("secret-1"))
		wantCode(t, err, storage.ENOTFOUND)
		_, err = db.FindStaffByAPIToken(ctx, tokenHash("wrong"))
		wantCode(t, err, storage.ENOTFOUND)
	})
}

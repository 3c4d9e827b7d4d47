package sqlstore

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// testTokenHash is a hex SHA-256 standing for an invitation token's hash.
func testTokenHash(c byte) string { return strings.Repeat(string(c), 64) }

func TestMerchantInvitationIsUsedOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		by := supervisorBy(t, db)
		off := mustMerchant(t, db, storage.MerchantInput{Name: "未入驻店", By: by})
		_, err := db.CreateMerchantInvitation(ctx, off.ID, testTokenHash('a'), by)
		wantCode(t, err, storage.EINVALID)
		m := mustMerchant(t, db, storage.MerchantInput{Name: "入驻店", OnPlatform: true, PlatformSince: "2026-01-05", By: by})
		_, err = db.CreateMerchantInvitation(ctx, m.ID, testTokenHash('a'), storage.By{Actor: storage.ActorSystem})
		wantCode(t, err, storage.EINVALID)
		inv, err := db.CreateMerchantInvitation(ctx, m.ID, testTokenHash('a'), by)
		if err != nil || inv.MerchantID != m.ID || inv.ExpiresAt.Sub(inv.CreatedAt) != storage.InvitationTTL {
			t.Fatalf("invitation %+v, %v", inv, err)
		}
		if n := auditCount(t, db, storage.AuditMerchantInvite); n != 1 {
			t.Fatalf("invite audit entries = %d", n)
		}
		acc, err := db.AcceptMerchantInvitation(ctx, storage.InvitationAcceptance{TokenHash: testTokenHash('a'),
			Username: "shop.li", Name: "李店长", PasswordHash: "$2a$hash", IP: "192.0.2.1"})
		if err != nil || acc.MerchantID != m.ID || acc.Username != "shop.li" {
			t.Fatalf("account %+v, %v", acc, err)
		}
		_, err = db.AcceptMerchantInvitation(ctx, storage.InvitationAcceptance{TokenHash: testTokenHash('a'),
			Username: "other", Name: "x", PasswordHash: "h"})
		wantCode(t, err, storage.ENOTFOUND)
		if _, err := db.FindMerchantInvitation(ctx, testTokenHash('a')); storage.ErrorCode(err) != storage.ENOTFOUND {
			t.Fatalf("used invitation still found: %v", err)
		}
		// A taken username leaves the second invitation unused.
		if _, err := db.CreateMerchantInvitation(ctx, m.ID, testTokenHash('b'), by); err != nil {
			t.Fatal(err)
		}
		_, err = db.AcceptMerchantInvitation(ctx, storage.InvitationAcceptance{TokenHash: testTokenHash('b'),
			Username: "shop.li", Name: "x", PasswordHash: "h"})
		wantCode(t, err, storage.ECONFLICT)
		if _, err := db.FindMerchantInvitation(ctx, testTokenHash('b')); err != nil {
			t.Fatalf("invitation used by a failed acceptance: %v", err)
		}
		// Expired after seven days.
		advance(db, storage.InvitationTTL+time.Second)
		if _, err := db.FindMerchantInvitation(ctx, testTokenHash('b')); storage.ErrorCode(err) != storage.ENOTFOUND {
			t.Fatalf("expired invitation found: %v", err)
		}
		got, err := db.FindMerchantAccountByUsername(ctx, "shop.li")
		if err != nil || got.ID != acc.ID {
			t.Fatalf("by username %+v, %v", got, err)
		}
	})
}

func TestPortalCasesOnlyReferredToTheMerchant(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		by := supervisorBy(t, db)
		mine := mustMerchant(t, db, storage.MerchantInput{Name: "甲店", OnPlatform: true, PlatformSince: "2026-01-05", By: by})
		theirs := mustMerchant(t, db, storage.MerchantInput{Name: "乙店", OnPlatform: true, PlatformSince: "2026-01-05", By: by})
		link := func(c *storage.Case, m *storage.Merchant) *storage.Case {
			t.Helper()
			c, err := db.LinkCaseMerchant(ctx, c.ID, m.ID, by)
			if err != nil {
				t.Fatal(err)
			}
			return c
		}
		referred := refer(t, db, link(mediating(t, db, "p1"), mine), storage.MerchantReferral, "")
		notReferred := link(mediating(t, db, "p2"), mine)
		other := refer(t, db, link(mediating(t, db, "p3"), theirs), storage.MerchantReferral, "")

		list, err := db.PortalCases(ctx, mine.ID)
		if err != nil || len(list) != 1 || list[0].Case.ID != referred.ID || !list[0].ReferralOpen {
			t.Fatalf("portal cases %+v, %v", list, err)
		}
		if pc, err := db.PortalCase(ctx, mine.ID, referred.Number); err != nil || pc.Case.ID != referred.ID {
			t.Fatalf("own case %+v, %v", pc, err)
		}
		for _, n := range []string{notReferred.Number, other.Number, "TS-1999-000001"} {
			_, err := db.PortalCase(ctx, mine.ID, n)
			wantCode(t, err, storage.ENOTFOUND)
		}
	})
}

package sqlstore

import (
	"context"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

func TestRatingOnceForClosedCase(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		c := mustCreate(t, db, newCase("k"))
		rate := storage.Rating{CaseID: c.ID, Rating: storage.RatingMostly}
		wantCode(t, db.RateCase(ctx, rate), storage.ECONFLICT) // still submitted
		move(t, db, c, storage.StatusWithdrawn, "")
		move(t, db, c, storage.StatusClosed, "")
		wantCode(t, db.RateCase(ctx, storage.Rating{CaseID: c.ID, Rating: "5 stars"}), storage.EINVALID)
		wantCode(t, db.RateCase(ctx, storage.Rating{CaseID: c.ID + 1, Rating: storage.RatingSatisfied}), storage.ENOTFOUND)
		_, err := db.FindRating(ctx, c.ID)
		wantCode(t, err, storage.ENOTFOUND)
		wantCode(t, db.CommentOnRating(ctx, c.ID, "还行"), storage.ECONFLICT) // nothing to comment on

		if err := db.RateCase(ctx, rate); err != nil {
			t.Fatal(err)
		}
		changed := storage.Rating{CaseID: c.ID, Rating: storage.RatingDissatisfied}
		wantCode(t, db.RateCase(ctx, changed), storage.ECONFLICT)
		if r, err := db.FindRating(ctx, c.ID); err != nil || *r != rate {
			t.Fatalf("FindRating = %+v, %v; want %+v", r, err, rate)
		}

		wantCode(t, db.CommentOnRating(ctx, c.ID, "   "), storage.EINVALID)
		if err := db.CommentOnRating(ctx, c.ID, " 处理很及时 "); err != nil {
			t.Fatal(err)
		}
		wantCode(t, db.CommentOnRating(ctx, c.ID, "再说一句"), storage.ECONFLICT)
		want := storage.Rating{CaseID: c.ID, Rating: storage.RatingMostly, Comment: "处理很及时"}
		if r, err := db.FindRating(ctx, c.ID); err != nil || *r != want {
			t.Fatalf("FindRating = %+v, %v; want %+v", r, err, want)
		}
	})
}

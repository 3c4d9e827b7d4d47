package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.RatingStore = (*DB)(nil)

// insertRatingSQL records a rating unless the case has one. On Postgres a concurrent
// rating of the same case waits here and then inserts nothing, so exactly one wins.
const insertRatingSQL = `INSERT INTO case_ratings (case_id, rating, created_at)
	VALUES (?, ?, ?) ON CONFLICT (case_id) DO NOTHING`

// RateCase records the consumer's rating of a closed case, once. ECONFLICT if the case
// is not closed or already rated; EINVALID for a rating other than the three
// storage.Rating* values; ENOTFOUND for an unknown case. A comment in r is ignored:
// it comes later, through CommentOnRating.
func (d *DB) RateCase(ctx context.Context, r storage.Rating) error {
	if !validRating(r.Rating) {
		return storage.Errorf(storage.EINVALID, "unknown rating %q", r.Rating)
	}
	return d.inWriteTx(ctx, "rate case", func(tx *sqlx.Tx) error {
		c, err := findCaseByID(ctx, tx, r.CaseID, forUpdate(tx)) // a reopen cannot slip in
		if err != nil {
			return err
		}
		if c.Status != storage.StatusClosed {
			return storage.Errorf(storage.ECONFLICT, "case %s is %s, not closed: it cannot be rated yet",
				c.Number, c.Status.Label())
		}
		res, err := tx.ExecContext(ctx, tx.Rebind(insertRatingSQL), c.ID, r.Rating, dbTime(d.now()))
		return onceOrConflict(res, err, "case %s is already rated", c.Number)
	})
}

// validRating reports whether s is one of the ratings a consumer can give.
func validRating(s string) bool {
	switch s {
	case storage.RatingSatisfied, storage.RatingMostly, storage.RatingDissatisfied:
		return true
	}
	return false
}

// CommentOnRating adds the consumer's comment to the case's rating, once. ECONFLICT if
// the case has no rating or its rating has a comment; EINVALID for a blank comment,
// which would use up the one comment while saying nothing.
func (d *DB) CommentOnRating(ctx context.Context, caseID int64, comment string) error {
	comment = strings.TrimSpace(comment)
	if comment == "" {
		return storage.Errorf(storage.EINVALID, "the comment is empty")
	}
	return d.inWriteTx(ctx, "comment on rating", func(tx *sqlx.Tx) error {
		if _, err := findRating(ctx, tx, caseID); err != nil {
			if storage.ErrorCode(err) == storage.ENOTFOUND {
				return storage.Errorf(storage.ECONFLICT, "case %d has no rating to comment on", caseID)
			}
			return err
		}
		q := tx.Rebind(`UPDATE case_ratings SET comment = ?, commented_at = ?
			WHERE case_id = ? AND commented_at IS NULL`)
		res, err := tx.ExecContext(ctx, q, comment, dbTime(d.now()), caseID)
		return onceOrConflict(res, err, "the rating of case %d already has a comment", caseID)
	})
}

// FindRating returns the case's rating, ENOTFOUND if none.
func (d *DB) FindRating(ctx context.Context, caseID int64) (*storage.Rating, error) {
	var r *storage.Rating
	err := d.inReadTx(ctx, "find rating", func(tx *sqlx.Tx) error {
		var err error
		r, err = findRating(ctx, tx, caseID)
		return err
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// findRating returns the case's rating, ENOTFOUND if none.
func findRating(ctx context.Context, tx *sqlx.Tx, caseID int64) (*storage.Rating, error) {
	r := storage.Rating{CaseID: caseID}
	q := tx.Rebind("SELECT rating, comment FROM case_ratings WHERE case_id = ?")
	err := tx.QueryRowxContext(ctx, q, caseID).Scan(&r.Rating, &r.Comment)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, storage.Errorf(storage.ENOTFOUND, "case %d has no rating", caseID)
	} else if err != nil {
		return nil, fmt.Errorf("select rating: %w", err)
	}
	return &r, nil
}

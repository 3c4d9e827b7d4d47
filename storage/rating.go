package storage

import "context"

// Consumer ratings of a closed case.
const (
	RatingSatisfied    = "satisfied"        // 满意
	RatingMostly       = "mostly_satisfied" // 基本满意
	RatingDissatisfied = "dissatisfied"     // 不满意
)

// Rating is a consumer's verdict on a closed case.
type Rating struct {
	CaseID  int64
	Rating  string // RatingSatisfied, RatingMostly or RatingDissatisfied
	Comment string
}

// RatingStore keeps consumers' ratings of closed cases.
type RatingStore interface {
	// RateCase records the consumer's rating once. ECONFLICT if the case is not
	// closed or already rated; EINVALID for an unknown rating.
	RateCase(ctx context.Context, r Rating) error

	// CommentOnRating adds the optional comment to a rating, once. ECONFLICT if
	// there is no rating or it already has a comment.
	CommentOnRating(ctx context.Context, caseID int64, comment string) error

	// FindRating returns the case's rating, ENOTFOUND if none.
	FindRating(ctx context.Context, caseID int64) (*Rating, error)
}

package storage

import (
	"context"
	"time"
)

// CannedReply is a reply text staff can insert while replying.
type CannedReply struct {
	ID        int64     `db:"id"`
	Title     string    `db:"title"`
	Body      string    `db:"body"`
	CreatedBy int64     `db:"created_by"`
	UpdatedAt time.Time `db:"updated_at"`
	// UnitID is the unit whose staff wrote it (the root for seeded ones): staff
	// use their own unit's and its ancestors' replies and manage their subtree's.
	UnitID int64 `db:"unit_id"`
}

// CannedReplyStore keeps the canned replies: list (by title), create, update,
// delete (the only hard delete: a canned reply is a template, not a record).
type CannedReplyStore interface {
	ListCannedReplies(ctx context.Context) ([]*CannedReply, error)
	CreateCannedReply(ctx context.Context, title, body string, staffID int64) (*CannedReply, error)
	UpdateCannedReply(ctx context.Context, id int64, title, body string) error
	DeleteCannedReply(ctx context.Context, id int64) error
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.CaseTransferStore = (*DB)(nil)

// rootLabelFallback names the root unit on the timeline when neither the unit nor
// the saved organisation settings have a name (the configuration's org.name is
// not known to the store).
const rootLabelFallback = "本会"

// TransferCase moves a case to unit toUnitID (see storage.CaseTransferStore): the
// unit changes, the team and the assignee are cleared, and a timeline note, an
// audit entry and a NoticeTransfer are written, all in one transaction. The status
// history and the due dates stay as they are: the clocks run from receipt.
func (d *DB) TransferCase(
	ctx context.Context, caseID, toUnitID int64, reason string, by storage.By,
) (*storage.Case, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case by.Actor == "":
		return nil, storage.Errorf(storage.EINVALID, "a transfer needs an actor")
	case reason == "":
		return nil, storage.Errorf(storage.EINVALID, "请填写移交原因。")
	case utf8.RuneCountInString(reason) > storage.TransferReasonMax:
		return nil, storage.Errorf(storage.EINVALID, "移交原因最多 %d 个字。", storage.TransferReasonMax)
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "transfer case", func(tx *sqlx.Tx) error {
		var err error
		c, err = transferCase(ctx, tx, caseID, toUnitID, reason, by, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// transferCase does TransferCase's work in tx.
func transferCase(
	ctx context.Context, tx *sqlx.Tx, caseID, toUnitID int64, reason string, by storage.By, now time.Time,
) (*storage.Case, error) {
	c, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	if c.Status.Final() {
		return nil, storage.Errorf(storage.EINVALID, "投诉已%s，不能再移交。", c.Status.Label())
	}
	from, to, err := transferUnits(ctx, tx, c.UnitID, toUnitID)
	if err != nil {
		return nil, err
	}
	q := tx.Rebind("UPDATE cases SET unit_id = ?, team_id = NULL, assignee_id = NULL, updated_at = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, toUnitID, now, c.ID); err != nil {
		return nil, fmt.Errorf("transfer case: %w", err)
	}
	c.UnitID, c.TeamID, c.AssigneeID, c.UpdatedAt = toUnitID, 0, 0, now
	detail := "移交：" + from + " → " + to + "；原因：" + reason
	e := &storage.Event{CaseID: c.ID, Kind: storage.EventNote, Actor: by.Actor, Body: detail, CreatedAt: now}
	if err := insertEvent(ctx, tx, e); err != nil {
		return nil, err
	}
	if err := auditStaff(ctx, tx, by, storage.AuditTransfer, c.ID, detail, now); err != nil {
		return nil, err
	}
	notice := caseNotice(c, storage.NewNotification{Kind: storage.NoticeTransfer, Text: reason,
		Summary: cutRunes("已移交"+to, summaryRunes)})
	_, err = insertNotification(ctx, tx, notice, e.ID, now)
	return c, err
}

// transferUnits checks a transfer from unit fromID to toID and returns their
// labels. EINVALID for an unknown or disabled target or the same unit.
func transferUnits(ctx context.Context, tx *sqlx.Tx, fromID, toID int64) (from, to string, err error) {
	units, err := listUnits(ctx, tx)
	if err != nil {
		return "", "", err
	}
	tree := storage.NewUnitTree(units)
	target := tree.Unit(toID)
	switch {
	case target == nil:
		return "", "", storage.Errorf(storage.EINVALID, "没有编号为 %d 的单位。", toID)
	case target.Disabled:
		return "", "", storage.Errorf(storage.EINVALID, "%s已停用，不能接收投诉。", target.Name)
	case toID == fromID:
		return "", "", storage.Errorf(storage.EINVALID, "投诉已在%s，无需移交。", storage.UnitLabel(target, rootLabelFallback))
	}
	root, err := rootLabel(ctx, tx)
	if err != nil {
		return "", "", err
	}
	return storage.UnitLabel(tree.Unit(fromID), root), storage.UnitLabel(target, root), nil
}

// rootLabel names the root unit when it has no name of its own: the saved
// organisation name, else rootLabelFallback.
func rootLabel(ctx context.Context, tx *sqlx.Tx) (string, error) {
	var name string
	err := tx.GetContext(ctx, &name, "SELECT name FROM org_settings WHERE id = 1")
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return rootLabelFallback, nil
	case err != nil:
		return "", fmt.Errorf("get organisation name: %w", err)
	case strings.TrimSpace(name) == "":
		return rootLabelFallback, nil
	}
	return strings.TrimSpace(name), nil
}

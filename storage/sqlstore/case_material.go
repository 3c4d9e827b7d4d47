package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// materialColumns lists the material_requests columns in storage.MaterialRequest
// order.
const materialColumns = `id, case_id, from_status, material, actor, requested_at`

// RequestMaterial asks the consumer for material (要求补正): the case moves from
// 待受理 or 调解中 to 待补正 through changeStatus, whose notice carries the material as
// its reason, and the request is kept (with the status to resume to), all in one
// transaction. EINVALID for a missing or too long material or a missing actor;
// ECONFLICT from another status; ENOTFOUND for an unknown case.
func (d *DB) RequestMaterial(ctx context.Context, req storage.NewMaterialRequest) (*storage.Case, error) {
	req.Material = strings.TrimSpace(req.Material)
	switch {
	case req.Material == "":
		return nil, storage.Errorf(storage.EINVALID, "请写明需要消费者补正的材料。")
	case utf8.RuneCountInString(req.Material) > storage.MaterialMaxRunes:
		return nil, storage.Errorf(storage.EINVALID, "所需材料的说明不能超过 %d 个字。", storage.MaterialMaxRunes)
	case req.Actor == "":
		return nil, storage.Errorf(storage.EINVALID, "a request for material needs an actor")
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "request material", func(tx *sqlx.Tx) error {
		var err error
		c, err = requestMaterial(ctx, tx, &req, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// requestMaterial does RequestMaterial's work in tx.
func requestMaterial(ctx context.Context, tx *sqlx.Tx, req *storage.NewMaterialRequest, now time.Time) (*storage.Case, error) {
	before, err := findCaseByID(ctx, tx, req.CaseID, forUpdate(tx))
	if err != nil {
		return nil, err
	}
	change := storage.StatusChange{
		CaseID: req.CaseID, To: storage.StatusAwaitingMaterial, Actor: req.Actor, IP: req.IP, Reason: req.Material,
	}
	c, err := changeStatus(ctx, tx, &change, now)
	if err != nil {
		return nil, err
	}
	q := tx.Rebind(`INSERT INTO material_requests (case_id, from_status, material, actor, requested_at)
		VALUES (?, ?, ?, ?, ?)`)
	if _, err := tx.ExecContext(ctx, q, c.ID, before.Status, req.Material, req.Actor, now); err != nil {
		return nil, fmt.Errorf("insert material request: %w", err)
	}
	return c, nil
}

// ResumeCase takes a case in 待补正 back to the status it came from (恢复办理)
// through changeStatus; the timeline and the consumer's notice say "恢复办理" with
// the optional note. ECONFLICT if the case is not 待补正; ENOTFOUND for an
// unknown case.
func (d *DB) ResumeCase(ctx context.Context, caseID int64, note string, by storage.By) (*storage.Case, error) {
	if by.Actor == "" {
		return nil, storage.Errorf(storage.EINVALID, "resuming a case needs an actor")
	}
	var c *storage.Case
	err := d.inWriteTx(ctx, "resume case", func(tx *sqlx.Tx) error {
		found, err := findCaseByID(ctx, tx, caseID, forUpdate(tx))
		if err != nil {
			return err
		}
		if found.Status != storage.StatusAwaitingMaterial {
			return storage.Errorf(storage.ECONFLICT, "案件当前为“%s”，不是待补正，无需恢复办理。", found.Status.Label())
		}
		req, err := latestMaterialRequest(ctx, tx, caseID)
		if err != nil {
			return err
		}
		reason := "恢复办理"
		if note = strings.TrimSpace(note); note != "" {
			reason += "（" + note + "）"
		}
		change := storage.StatusChange{CaseID: caseID, To: req.FromStatus, Actor: by.Actor, IP: by.IP, Reason: reason}
		c, err = changeStatus(ctx, tx, &change, dbTime(d.now()))
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

// FindMaterialRequest returns the case's latest request for material, with
// RejectableAt set from the DB's MaterialWait. ENOTFOUND if there never was one.
func (d *DB) FindMaterialRequest(ctx context.Context, caseID int64) (*storage.MaterialRequest, error) {
	var req *storage.MaterialRequest
	err := d.inReadTx(ctx, "find material request", func(tx *sqlx.Tx) error {
		var err error
		req, err = latestMaterialRequest(ctx, tx, caseID)
		return err
	})
	if err != nil {
		return nil, err
	}
	req.RejectableAt = req.RequestedAt.Add(d.materialWait())
	return req, nil
}

// latestMaterialRequest reads the case's latest request for material, or
// ENOTFOUND.
func latestMaterialRequest(ctx context.Context, tx *sqlx.Tx, caseID int64) (*storage.MaterialRequest, error) {
	req, err := selectOne[storage.MaterialRequest](ctx, tx, "SELECT "+materialColumns+
		" FROM material_requests WHERE case_id = ? ORDER BY id DESC LIMIT 1", "material request", caseID)
	if err != nil {
		return nil, err
	}
	req.RequestedAt = req.RequestedAt.UTC()
	return req, nil
}

// materialWait returns the configured wait for material, or the default.
func (d *DB) materialWait() time.Duration {
	if d.MaterialWait > 0 {
		return d.MaterialWait
	}
	return storage.DefaultMaterialWait
}

// checkMaterialRules checks, under the case's lock, what the status table alone
// cannot: a case leaves 待补正 only back to the status it came from, to 已撤回, or
// to 不予受理 with the reason storage.MaterialReasonMissing once the wait since
// the request is over; and that reason is given only then, never to a case that
// was not asked for material. ECONFLICT otherwise.
func (d *DB) checkMaterialRules(ctx context.Context, tx *sqlx.Tx, ch *storage.StatusChange, now time.Time) error {
	c, err := findCaseByID(ctx, tx, ch.CaseID, forUpdate(tx))
	if err != nil {
		return err
	}
	missing := ch.To == storage.StatusRejected && strings.HasPrefix(ch.Reason, storage.MaterialReasonMissing)
	if c.Status != storage.StatusAwaitingMaterial {
		if missing {
			return storage.Errorf(storage.ECONFLICT, "只有待补正的案件在补正期限届满后才能以“%s”不予受理。", storage.MaterialReasonMissing)
		}
		return nil
	}
	req, err := latestMaterialRequest(ctx, tx, c.ID)
	if err != nil {
		return err
	}
	switch ch.To {
	case storage.StatusWithdrawn, req.FromStatus:
		return nil
	case storage.StatusRejected:
		return d.checkMaterialWaitOver(req, missing, now)
	}
	return storage.Errorf(storage.ECONFLICT, "待补正的案件只能恢复办理（回到“%s”）、撤回，或在期限届满后不予受理。",
		req.FromStatus.Label())
}

// checkMaterialWaitOver allows rejecting a case in 待补正 only for missing
// material, and only once the wait since req is over.
func (d *DB) checkMaterialWaitOver(req *storage.MaterialRequest, missing bool, now time.Time) error {
	if !missing {
		return storage.Errorf(storage.ECONFLICT, "待补正的案件只能以“%s”不予受理。", storage.MaterialReasonMissing)
	}
	if at := req.RequestedAt.Add(d.materialWait()); now.Before(at) {
		return storage.Errorf(storage.ECONFLICT, "补正期限尚未届满：%s 起才能以“%s”不予受理。",
			at.In(chinaTime).Format("2006-01-02 15:04"), storage.MaterialReasonMissing)
	}
	return nil
}

// chinaTime is UTC+8 without tzdata: the dates staff read in messages.
var chinaTime = time.FixedZone("CST", 8*60*60)

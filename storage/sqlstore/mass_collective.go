package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// massGroupRef is how the audit log names a group: the entries are about no one
// case, so the group's id goes in the detail.
func massGroupRef(id int64) string { return fmt.Sprintf("群体投诉 #%d", id) }

// DismissMassGroup marks an open group 已忽略 and audits it. ECONFLICT unless
// it is open; ENOTFOUND for an unknown group.
func (d *DB) DismissMassGroup(ctx context.Context, id int64, by storage.By) error {
	return d.inWriteTx(ctx, "dismiss mass group", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		g, _, err := findMassGroup(ctx, tx, id, nil, forUpdate(tx))
		if err != nil {
			return err
		}
		if g.Status != storage.MassOpen {
			return storage.Errorf(storage.ECONFLICT, "只有待处理的群体投诉可以忽略（当前：%s）", g.Status.Label())
		}
		if err := setMassStatus(ctx, tx, id, storage.MassDismissed, now); err != nil {
			return err
		}
		return auditStaff(ctx, tx, by, storage.AuditMassDismiss, 0, "忽略"+massGroupRef(id), now)
	})
}

// FormCollective makes the group a collective case (集体投诉): its cases in units
// (all when nil) become members, a consumer warning draft is written from them,
// and the formation is audited. ECONFLICT if it is formed already; ENOTFOUND for
// an unknown group or one with no case in units.
func (d *DB) FormCollective(ctx context.Context, id int64, units []int64, by storage.By) error {
	return d.inWriteTx(ctx, "form collective case", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		g, cases, err := findMassGroup(ctx, tx, id, units, forUpdate(tx))
		if err != nil {
			return err
		}
		if g.Status == storage.MassFormed {
			return storage.Errorf(storage.ECONFLICT, "该群体投诉已组成集体投诉")
		}
		all := make([]*storage.Case, len(cases))
		for i, gc := range cases {
			all[i] = gc.Case
			if err := setMember(ctx, tx, id, gc.Case.ID, true); err != nil {
				return err
			}
		}
		q := tx.Rebind("UPDATE mass_groups SET status = ?, warning = ?, updated_at = ? WHERE id = ?")
		if _, err := tx.ExecContext(ctx, q, storage.MassFormed, storage.MassWarningDraft(g, all), now, id); err != nil {
			return fmt.Errorf("form collective case: %w", err)
		}
		detail := fmt.Sprintf("组成集体投诉（%s，成员 %d 件）", massGroupRef(id), len(cases))
		return auditStaff(ctx, tx, by, storage.AuditMassForm, 0, detail, now)
	})
}

// SetCollectiveMember adds a case of a formed group to its members or removes it,
// audited on the case. ECONFLICT unless formed; ENOTFOUND if the case is not in
// the group.
func (d *DB) SetCollectiveMember(ctx context.Context, id, caseID int64, member bool, by storage.By) error {
	return d.inWriteTx(ctx, "set collective member", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		if _, err := formedGroup(ctx, tx, id); err != nil {
			return err
		}
		var n int
		q := tx.Rebind("SELECT count(*) FROM mass_group_cases WHERE group_id = ? AND case_id = ?")
		if err := tx.GetContext(ctx, &n, q, id, caseID); err != nil {
			return fmt.Errorf("look up mass group case: %w", err)
		}
		if n == 0 {
			return storage.Errorf(storage.ENOTFOUND, "case %d is not in mass group %d", caseID, id)
		}
		if err := setMember(ctx, tx, id, caseID, member); err != nil {
			return err
		}
		verb := "移出"
		if member {
			verb = "加入"
		}
		return auditStaff(ctx, tx, by, storage.AuditMassMember, caseID, verb+massGroupRef(id), now)
	})
}

// ReplyToCollective writes r.Text to every member in r.UnitIDs, in one
// transaction: each member gets its own staff-reply event, its own notice in
// the outbox and its own audit entry (as a reply on the case page would). The
// event's dedupe key is derived from r.Key, so a retried post reaches only the
// members it has not reached. ECONFLICT unless formed.
func (d *DB) ReplyToCollective(ctx context.Context, r storage.MassReply) (storage.MassFanout, error) {
	var out storage.MassFanout
	r.Text = strings.TrimSpace(r.Text)
	if r.Text == "" || r.Key == "" || r.By.Actor == "" {
		return out, storage.Errorf(storage.EINVALID, "a collective reply needs a text, a key and an actor")
	}
	err := d.inWriteTx(ctx, "reply to collective case", func(tx *sqlx.Tx) error {
		out = storage.MassFanout{}
		now := dbTime(d.now())
		members, err := collectiveMembers(ctx, tx, r.GroupID, r.UnitIDs)
		if err != nil {
			return err
		}
		key := fmt.Sprintf("mass:%d:%s", r.GroupID, r.Key)
		for _, c := range members {
			done, err := hasEventKey(ctx, tx, c.ID, key)
			if err != nil {
				return err
			}
			if done {
				out.Skipped++
				continue
			}
			_, err = addEvent(ctx, tx, &storage.NewEvent{
				CaseID: c.ID, Kind: storage.EventStaffReply, Actor: r.By.Actor, IP: r.By.IP,
				Body: r.Text, DedupeKey: key,
				Notify: &storage.NewNotification{Kind: storage.NoticeStaffReply, Text: r.Text},
			}, now)
			if err != nil {
				return err
			}
			out.Reached++
		}
		detail := fmt.Sprintf("%s统一回复（送达 %d 件）", massGroupRef(r.GroupID), out.Reached)
		return auditStaff(ctx, tx, r.By, storage.AuditMassReply, 0, detail, now)
	})
	return out, err
}

// ChangeCollectiveStatus moves every member in ch.UnitIDs to ch.To in one
// transaction, each through changeStatus (its event, notice and audit entry).
// Members already there, or whose status does not allow the move, are skipped,
// which also makes a retry safe. EINVALID for a move only closing or a material
// request may make; ECONFLICT unless formed.
func (d *DB) ChangeCollectiveStatus(ctx context.Context, ch storage.MassStatusChange) (storage.MassFanout, error) {
	var out storage.MassFanout
	tmpl := storage.StatusChange{To: ch.To, Actor: ch.By.Actor, IP: ch.By.IP, Reason: ch.Reason}
	if err := checkStatusChange(&tmpl); err != nil {
		return out, err
	}
	if err := checkPlainMove(&tmpl); err != nil {
		return out, err
	}
	err := d.inWriteTx(ctx, "change collective status", func(tx *sqlx.Tx) error {
		out = storage.MassFanout{}
		now := dbTime(d.now())
		members, err := collectiveMembers(ctx, tx, ch.GroupID, ch.UnitIDs)
		if err != nil {
			return err
		}
		for _, c := range members {
			move := tmpl
			move.CaseID = c.ID
			if !d.memberCanMove(ctx, tx, c, &move, now) {
				out.Skipped++
				continue
			}
			if _, err := changeStatus(ctx, tx, &move, now); err != nil {
				return err
			}
			out.Reached++
		}
		detail := fmt.Sprintf("%s统一变更状态为%s（%d 件，跳过 %d 件）",
			massGroupRef(ch.GroupID), ch.To.Label(), out.Reached, out.Skipped)
		return auditStaff(ctx, tx, ch.By, storage.AuditMassStatus, 0, detail, now)
	})
	return out, err
}

// memberCanMove reports whether a member may make the move: it is not there
// already, the status table allows it and the material rules do.
func (d *DB) memberCanMove(ctx context.Context, tx *sqlx.Tx, c *storage.Case, move *storage.StatusChange, now time.Time) bool {
	if c.Status == move.To || checkMove(c, move) != nil {
		return false
	}
	return d.checkMaterialRules(ctx, tx, move, now) == nil
}

// SaveMassWarning keeps the edited consumer warning (消费提示) on a formed group,
// audited. ECONFLICT unless formed.
func (d *DB) SaveMassWarning(ctx context.Context, id int64, text string, by storage.By) error {
	return d.inWriteTx(ctx, "save mass warning", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		if _, err := formedGroup(ctx, tx, id); err != nil {
			return err
		}
		q := tx.Rebind("UPDATE mass_groups SET warning = ?, updated_at = ? WHERE id = ?")
		if _, err := tx.ExecContext(ctx, q, strings.TrimSpace(text), now, id); err != nil {
			return fmt.Errorf("save mass warning: %w", err)
		}
		return auditStaff(ctx, tx, by, storage.AuditMassWarning, 0, "编辑消费提示（"+massGroupRef(id)+"）", now)
	})
}

// formedGroup returns the group, locked, or ECONFLICT unless it is formed.
func formedGroup(ctx context.Context, tx *sqlx.Tx, id int64) (*storage.MassGroup, error) {
	g, err := selectOne[storage.MassGroup](ctx, tx, "SELECT "+massGroupColumns+
		", g.case_count FROM mass_groups g WHERE g.id = ?"+forUpdate(tx), "mass group", id)
	if err != nil {
		return nil, err
	}
	if g.Status != storage.MassFormed {
		return nil, storage.Errorf(storage.ECONFLICT, "该群体投诉尚未组成集体投诉")
	}
	return g, nil
}

// collectiveMembers returns the members in units (all when nil) of a formed
// group, oldest first.
func collectiveMembers(ctx context.Context, tx *sqlx.Tx, id int64, units []int64) ([]*storage.Case, error) {
	if _, err := formedGroup(ctx, tx, id); err != nil {
		return nil, err
	}
	cond, args := massUnitCond(units)
	var cases []*storage.Case
	q := tx.Rebind("SELECT " + caseColumns + " FROM cases c WHERE c.id IN (SELECT case_id FROM" +
		" mass_group_cases WHERE group_id = ? AND member)" + cond + " ORDER BY c.id")
	if err := tx.SelectContext(ctx, &cases, q, append([]any{id}, args...)...); err != nil {
		return nil, fmt.Errorf("select collective members: %w", err)
	}
	return cases, nil
}

// setMember marks a case of a group as a member or not.
func setMember(ctx context.Context, tx *sqlx.Tx, id, caseID int64, member bool) error {
	q := tx.Rebind("UPDATE mass_group_cases SET member = ? WHERE group_id = ? AND case_id = ?")
	if _, err := tx.ExecContext(ctx, q, member, id, caseID); err != nil {
		return fmt.Errorf("set collective member: %w", err)
	}
	return nil
}

// setMassStatus sets a group's status.
func setMassStatus(ctx context.Context, tx *sqlx.Tx, id int64, st storage.MassStatus, now time.Time) error {
	q := tx.Rebind("UPDATE mass_groups SET status = ?, updated_at = ? WHERE id = ?")
	if _, err := tx.ExecContext(ctx, q, st, now, id); err != nil {
		return fmt.Errorf("set mass group status: %w", err)
	}
	return nil
}

// hasEventKey reports whether the case has an event with the dedupe key.
func hasEventKey(ctx context.Context, tx *sqlx.Tx, caseID int64, key string) (bool, error) {
	var n int
	q := tx.Rebind("SELECT count(*) FROM case_events WHERE case_id = ? AND dedupe_key = ?")
	if err := tx.GetContext(ctx, &n, q, caseID, key); err != nil {
		return false, fmt.Errorf("look up event key: %w", err)
	}
	return n > 0, nil
}

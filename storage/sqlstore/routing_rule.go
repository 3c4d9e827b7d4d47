package sqlstore

import (
	"context"
	"fmt"
	"time"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// ruleColumns lists the routing_rules columns in storage.RoutingRule order.
const ruleColumns = `id, position, kind, pattern, team_id, created_at, updated_at`

// ListRoutingRules returns the rules in the order they are tried.
func (d *DB) ListRoutingRules(ctx context.Context) ([]*storage.RoutingRule, error) {
	var rules []*storage.RoutingRule
	err := d.inReadTx(ctx, "list routing rules", func(tx *sqlx.Tx) error {
		var err error
		rules, err = listRules(ctx, tx)
		return err
	})
	if err != nil {
		return nil, err
	}
	return rules, nil
}

// listRules reads the rules in tx, in the order they are tried.
func listRules(ctx context.Context, tx *sqlx.Tx) ([]*storage.RoutingRule, error) {
	rules := []*storage.RoutingRule{}
	q := "SELECT " + ruleColumns + " FROM routing_rules ORDER BY position, id"
	if err := tx.SelectContext(ctx, &rules, q); err != nil {
		return nil, fmt.Errorf("select routing rules: %w", err)
	}
	for _, r := range rules {
		r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	}
	return rules, nil
}

// CreateRoutingRule adds a rule after the existing ones and audits it. EINVALID
// for a bad rule, an unknown team or a missing actor.
func (d *DB) CreateRoutingRule(
	ctx context.Context, nr storage.NewRoutingRule, by storage.By,
) (*storage.RoutingRule, error) {
	if by.Actor == "" {
		return nil, storage.Errorf(storage.EINVALID, "a routing rule change needs an actor")
	}
	if err := nr.Validate(); err != nil {
		return nil, err
	}
	var r storage.RoutingRule
	err := d.inWriteTx(ctx, "create routing rule", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		team, err := findTeam(ctx, tx, nr.TeamID, "")
		if storage.ErrorCode(err) == storage.ENOTFOUND {
			return storage.Errorf(storage.EINVALID, "没有编号为 %d 的组", nr.TeamID)
		} else if err != nil {
			return err
		}
		q := tx.Rebind(`INSERT INTO routing_rules (position, kind, pattern, team_id, created_at, updated_at)
			VALUES ((SELECT COALESCE(max(position), 0) + 1 FROM routing_rules), ?, ?, ?, ?, ?)
			RETURNING ` + ruleColumns)
		if err := tx.GetContext(ctx, &r, q, nr.Kind, nr.Pattern, nr.TeamID, now, now); err != nil {
			return fmt.Errorf("insert routing rule: %w", err)
		}
		return auditStaff(ctx, tx, by, storage.AuditRoutingRule, 0, "新增分派规则 "+ruleSummary(&r, team.Name), now)
	})
	if err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	return &r, nil
}

// ruleSummary describes a rule for the audit log: "投诉内容关键词“4S店,汽车” → 汽车消费维权工作室".
func ruleSummary(r *storage.RoutingRule, team string) string {
	return fmt.Sprintf("%s“%s” → %s", r.Kind.Label(), r.Pattern, team)
}

// findRule returns the rule with the id and its team's name, ENOTFOUND if none.
func findRule(ctx context.Context, tx *sqlx.Tx, id int64) (*storage.RoutingRule, string, error) {
	r, err := selectOne[storage.RoutingRule](ctx, tx, "SELECT "+ruleColumns+" FROM routing_rules WHERE id = ?"+forUpdate(tx), "routing rule", id)
	if err != nil {
		return nil, "", err
	}
	team := fmt.Sprintf("#%d", r.TeamID)
	if t, err := findTeam(ctx, tx, r.TeamID, ""); err == nil {
		team = t.Name
	}
	return r, team, nil
}

// MoveRoutingRule swaps a rule with the one tried just before it (up) or just
// after it, and audits the move; at either end it changes nothing. ENOTFOUND for
// an unknown rule.
func (d *DB) MoveRoutingRule(ctx context.Context, id int64, up bool, by storage.By) error {
	if by.Actor == "" {
		return storage.Errorf(storage.EINVALID, "a routing rule change needs an actor")
	}
	return d.inWriteTx(ctx, "move routing rule", func(tx *sqlx.Tx) error {
		return moveRule(ctx, tx, id, up, by, dbTime(d.now()))
	})
}

// moveRule does MoveRoutingRule's work in tx. Positions are renumbered 1, 2, …
// in the current order first, so a swap never meets equal positions.
func moveRule(ctx context.Context, tx *sqlx.Tx, id int64, up bool, by storage.By, now time.Time) error {
	r, team, err := findRule(ctx, tx, id)
	if err != nil {
		return err
	}
	rules, err := listRules(ctx, tx)
	if err != nil {
		return err
	}
	at := -1
	for i, x := range rules {
		if x.ID == r.ID {
			at = i
		}
	}
	other := at + 1
	if up {
		other = at - 1
	}
	if other < 0 || other >= len(rules) {
		return nil
	}
	rules[at], rules[other] = rules[other], rules[at]
	for i, x := range rules {
		q := tx.Rebind("UPDATE routing_rules SET position = ?, updated_at = ? WHERE id = ?")
		if _, err := tx.ExecContext(ctx, q, i+1, now, x.ID); err != nil {
			return fmt.Errorf("renumber routing rules: %w", err)
		}
	}
	detail := fmt.Sprintf("分派规则 %s 调整到第 %d 条", ruleSummary(r, team), other+1)
	return auditStaff(ctx, tx, by, storage.AuditRoutingRule, 0, detail, now)
}

// DeleteRoutingRule removes a rule and audits what it was. ENOTFOUND for an
// unknown rule. Cases it routed keep their team.
func (d *DB) DeleteRoutingRule(ctx context.Context, id int64, by storage.By) error {
	if by.Actor == "" {
		return storage.Errorf(storage.EINVALID, "a routing rule change needs an actor")
	}
	return d.inWriteTx(ctx, "delete routing rule", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		r, team, err := findRule(ctx, tx, id)
		if err != nil {
			return err
		}
		q := tx.Rebind("DELETE FROM routing_rules WHERE id = ?")
		if _, err := tx.ExecContext(ctx, q, id); err != nil {
			return fmt.Errorf("delete routing rule: %w", err)
		}
		return auditStaff(ctx, tx, by, storage.AuditRoutingRule, 0, "删除分派规则 "+ruleSummary(r, team), now)
	})
}

package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

var _ storage.SettingsStore = (*DB)(nil)

// settingsColumns lists the org_settings columns in storage.OrgSettings order;
// settings saved by no staff member read as updated by 0.
const settingsColumns = `name, hotline, service_hours, updated_at, COALESCE(updated_by, 0) AS updated_by`

// GetOrgSettings returns the organisation settings; ENOTFOUND if never saved.
func (d *DB) GetOrgSettings(ctx context.Context) (*storage.OrgSettings, error) {
	var s storage.OrgSettings
	err := d.inReadTx(ctx, "get org settings", func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &s, "SELECT "+settingsColumns+" FROM org_settings WHERE id = 1")
		if errors.Is(err, sql.ErrNoRows) {
			return storage.Errorf(storage.ENOTFOUND, "the organisation settings were never saved")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	s.UpdatedAt = s.UpdatedAt.UTC()
	return &s, nil
}

// SaveOrgSettings checks and trims s (storage.CheckOrgSettings), replaces the
// settings, stamped with the DB's clock and the actor's staff id (s.UpdatedAt and
// s.UpdatedBy are ignored), and audits the change with the new values in the same
// transaction when by.Actor is a staff member (with by.IP).
func (d *DB) SaveOrgSettings(ctx context.Context, s storage.OrgSettings, by storage.By) error {
	s, err := storage.CheckOrgSettings(s)
	if err != nil {
		return err
	}
	staffID, _ := storage.StaffIDFromActor(by.Actor)
	return d.inWriteTx(ctx, "save org settings", func(tx *sqlx.Tx) error {
		now := dbTime(d.now())
		q := tx.Rebind(`INSERT INTO org_settings (id, name, hotline, service_hours, updated_at, updated_by)
			VALUES (1, ?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, hotline = excluded.hotline,
				service_hours = excluded.service_hours, updated_at = excluded.updated_at,
				updated_by = excluded.updated_by`)
		if _, err := tx.ExecContext(ctx, q, s.Name, s.Hotline, s.ServiceHours, now, nullID(staffID)); err != nil {
			return fmt.Errorf("save org settings: %w", err)
		}
		detail := fmt.Sprintf("机构名称：%s；热线电话：%s；服务时间：%s", s.Name, s.Hotline, s.ServiceHours)
		return auditStaff(ctx, tx, by, storage.AuditSettings, 0, detail, now)
	})
}

-- The version of the desk's reference data that filing reads: routing rules,
-- units, teams, the clock limits and the working-day calendar (issue 12,
-- item 4). See the PostgreSQL migration of the same number; here a row
-- trigger per table and change bumps it, in the changing transaction.

-- +goose Up
CREATE TABLE reference_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO reference_version (id, version) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER routing_rules_insert_bump_reference AFTER INSERT ON routing_rules
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER routing_rules_update_bump_reference AFTER UPDATE ON routing_rules
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER routing_rules_delete_bump_reference AFTER DELETE ON routing_rules
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER units_insert_bump_reference AFTER INSERT ON units
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER units_update_bump_reference AFTER UPDATE ON units
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER units_delete_bump_reference AFTER DELETE ON units
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER teams_insert_bump_reference AFTER INSERT ON teams
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER teams_update_bump_reference AFTER UPDATE ON teams
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER teams_delete_bump_reference AFTER DELETE ON teams
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER clock_settings_insert_bump_reference AFTER INSERT ON clock_settings
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER clock_settings_update_bump_reference AFTER UPDATE ON clock_settings
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER clock_settings_delete_bump_reference AFTER DELETE ON clock_settings
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER calendar_days_insert_bump_reference AFTER INSERT ON calendar_days
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER calendar_days_update_bump_reference AFTER UPDATE ON calendar_days
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER calendar_days_delete_bump_reference AFTER DELETE ON calendar_days
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER routing_rules_insert_bump_reference;
DROP TRIGGER routing_rules_update_bump_reference;
DROP TRIGGER routing_rules_delete_bump_reference;
DROP TRIGGER units_insert_bump_reference;
DROP TRIGGER units_update_bump_reference;
DROP TRIGGER units_delete_bump_reference;
DROP TRIGGER teams_insert_bump_reference;
DROP TRIGGER teams_update_bump_reference;
DROP TRIGGER teams_delete_bump_reference;
DROP TRIGGER clock_settings_insert_bump_reference;
DROP TRIGGER clock_settings_update_bump_reference;
DROP TRIGGER clock_settings_delete_bump_reference;
DROP TRIGGER calendar_days_insert_bump_reference;
DROP TRIGGER calendar_days_update_bump_reference;
DROP TRIGGER calendar_days_delete_bump_reference;
DROP TABLE reference_version;

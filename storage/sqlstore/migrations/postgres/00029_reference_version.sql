-- The version of the desk's reference data that filing reads: routing rules,
-- units, teams, the clock limits and the working-day calendar (issue 12,
-- item 4). Each instance keeps that data in memory and reads only this one
-- row per filing; every change to those tables bumps it, in the changing
-- transaction (a statement trigger), so a filing that sees the old number
-- sees the old data too, and every instance notices a change at its next
-- filing. The row lock the bump takes is held by reference changes only,
-- never by filings, which read the row without locking it.

-- +goose Up
CREATE TABLE reference_version (
    id      integer PRIMARY KEY CHECK (id = 1),
    version bigint  NOT NULL
);
INSERT INTO reference_version (id, version) VALUES (1, 1);

-- +goose StatementBegin
CREATE FUNCTION bump_reference_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE reference_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END
$$;
-- +goose StatementEnd

CREATE TRIGGER routing_rules_bump_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON routing_rules
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version();
CREATE TRIGGER units_bump_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version();
CREATE TRIGGER teams_bump_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON teams
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version();
CREATE TRIGGER clock_settings_bump_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON clock_settings
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version();
CREATE TRIGGER calendar_days_bump_reference AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON calendar_days
    FOR EACH STATEMENT EXECUTE FUNCTION bump_reference_version();

-- +goose Down
DROP TRIGGER calendar_days_bump_reference ON calendar_days;
DROP TRIGGER clock_settings_bump_reference ON clock_settings;
DROP TRIGGER teams_bump_reference ON teams;
DROP TRIGGER units_bump_reference ON units;
DROP TRIGGER routing_rules_bump_reference ON routing_rules;
DROP FUNCTION bump_reference_version();
DROP TABLE reference_version;

-- Units in the console (issue 10): canned replies and teams belong to a unit.
--
-- A canned reply belongs to the unit of the staff member who wrote it (the root
-- for the seeded ones); staff use their own unit's and its ancestors' replies and
-- manage those of their subtree. A team belongs to a unit: its routing rules only
-- route cases of that unit's subtree, and each unit may mark one default team
-- (the nearest one above a case's unit takes the cases no rule matches), so the
-- one-default index becomes one default per unit. Everything existing is the
-- root's, so a single-unit deployment is unchanged.

-- +goose Up
ALTER TABLE canned_replies ADD COLUMN unit_id bigint NOT NULL DEFAULT 1 REFERENCES units (id);
ALTER TABLE teams ADD COLUMN unit_id bigint NOT NULL DEFAULT 1 REFERENCES units (id);
DROP INDEX teams_one_default_idx;
CREATE UNIQUE INDEX teams_one_default_per_unit_idx ON teams (unit_id) WHERE is_default;
CREATE INDEX staff_unit_id_idx ON staff (unit_id);

-- +goose Down
DROP INDEX staff_unit_id_idx;
DROP INDEX teams_one_default_per_unit_idx;
CREATE UNIQUE INDEX teams_one_default_idx ON teams (is_default) WHERE is_default;
ALTER TABLE teams DROP COLUMN unit_id;
ALTER TABLE canned_replies DROP COLUMN unit_id;

-- The unit tree's version: see the PostgreSQL migration of the same number.
-- SQLite has only row triggers; each changed row bumps the version once.

-- +goose Up
CREATE TABLE unit_tree_version (
    id      INTEGER PRIMARY KEY CHECK (id = 1),
    version INTEGER NOT NULL
);
INSERT INTO unit_tree_version (id, version) VALUES (1, 1);

-- +goose StatementBegin
CREATE TRIGGER units_insert_bumps_tree_version AFTER INSERT ON units
BEGIN
    UPDATE unit_tree_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER units_update_bumps_tree_version AFTER UPDATE ON units
BEGIN
    UPDATE unit_tree_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE TRIGGER units_delete_bumps_tree_version AFTER DELETE ON units
BEGIN
    UPDATE unit_tree_version SET version = version + 1 WHERE id = 1;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER units_delete_bumps_tree_version;
DROP TRIGGER units_update_bumps_tree_version;
DROP TRIGGER units_insert_bumps_tree_version;
DROP TABLE unit_tree_version;

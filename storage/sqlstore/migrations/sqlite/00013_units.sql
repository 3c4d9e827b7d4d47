-- Units (issue 10): the committees of one system — the city committee and its
-- district and county committees, or a province's — as a tree of any depth. Unit 1
-- is the root, the organisation itself; every existing case and staff member
-- belongs to it, so a deployment that never adds a unit works as before. An
-- empty name, hotline or service_hours of the root means the organisation
-- settings (org_settings, or the configuration's org.*); a child's empty hotline
-- or hours inherit its parent's. regions holds the place names the unit serves,
-- one per line, matched against merchants' addresses. Timestamps as in 00001.

-- +goose Up
CREATE TABLE units (
    id            INTEGER   PRIMARY KEY AUTOINCREMENT,
    parent_id     INTEGER   REFERENCES units (id),
    name          TEXT      NOT NULL,
    code          TEXT      NOT NULL UNIQUE CHECK (length(code) BETWEEN 2 AND 8 AND code NOT GLOB '*[^A-Z0-9]*'),
    regions       TEXT      NOT NULL DEFAULT '',
    hotline       TEXT      NOT NULL DEFAULT '',
    service_hours TEXT      NOT NULL DEFAULT '',
    disabled      BOOLEAN   NOT NULL DEFAULT FALSE,
    created_at    TIMESTAMP NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    CHECK ((id = 1) = (parent_id IS NULL))
);
CREATE INDEX units_parent_id_idx ON units (parent_id);

INSERT INTO units (id, parent_id, name, code, created_at, updated_at)
VALUES (1, NULL, '', 'ROOT', CAST(strftime('%s', 'now') AS INTEGER) * 1000000,
        CAST(strftime('%s', 'now') AS INTEGER) * 1000000);

-- SQLite cannot add a column with both a foreign key and a non-NULL default
-- while foreign keys are enforced; the store only ever writes units it found.
ALTER TABLE cases ADD COLUMN unit_id INTEGER NOT NULL DEFAULT 1;
ALTER TABLE staff ADD COLUMN unit_id INTEGER NOT NULL DEFAULT 1;
CREATE INDEX cases_unit_id_created_at_idx ON cases (unit_id, created_at);

-- +goose Down
DROP INDEX cases_unit_id_created_at_idx;
ALTER TABLE staff DROP COLUMN unit_id;
ALTER TABLE cases DROP COLUMN unit_id;
DROP TABLE units;

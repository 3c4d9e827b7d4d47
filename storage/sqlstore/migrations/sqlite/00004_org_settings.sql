-- The organisation settings consumers read in the chat (name, hotline, service
-- hours), edited by admins in the console. One row at most, id 1; none until an
-- admin first saves them. updated_by is NULL when no staff member saved them and,
-- like the audit log's staff_id, has no foreign key. Timestamps as in 00001.

-- +goose Up
CREATE TABLE org_settings (
    id            INTEGER   PRIMARY KEY CHECK (id = 1),
    name          TEXT      NOT NULL,
    hotline       TEXT      NOT NULL,
    service_hours TEXT      NOT NULL,
    updated_at    TIMESTAMP NOT NULL,
    updated_by    INTEGER
);

-- +goose Down
DROP TABLE org_settings;

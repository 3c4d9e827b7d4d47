-- The organisation settings consumers read in the chat (name, hotline, service
-- hours), edited by admins in the console. One row at most, id 1; none until an
-- admin first saves them. updated_by is NULL when no staff member saved them and,
-- like the audit log's staff_id, has no foreign key.

-- +goose Up
CREATE TABLE org_settings (
    id            integer     PRIMARY KEY CHECK (id = 1),
    name          text        NOT NULL,
    hotline       text        NOT NULL,
    service_hours text        NOT NULL,
    updated_at    timestamptz NOT NULL,
    updated_by    bigint
);

-- +goose Down
DROP TABLE org_settings;

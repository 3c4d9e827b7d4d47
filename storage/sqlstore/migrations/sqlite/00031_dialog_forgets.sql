-- Pending deletions of a consumer's dialog state in Redis; see the PostgreSQL
-- file for what each column means. Timestamps are INTEGER microseconds (see 00001).

-- +goose Up
CREATE TABLE dialog_forgets (
    id          INTEGER   PRIMARY KEY AUTOINCREMENT,
    open_id     TEXT      NOT NULL,
    filed_at    TIMESTAMP NOT NULL,
    next_try_at TIMESTAMP NOT NULL,
    tries       INTEGER   NOT NULL DEFAULT 0
);

CREATE INDEX dialog_forgets_due ON dialog_forgets (next_try_at);

INSERT INTO job_leases (name) VALUES ('dialog_forget');

-- +goose Down
DELETE FROM job_leases WHERE name = 'dialog_forget';
DROP TABLE dialog_forgets;

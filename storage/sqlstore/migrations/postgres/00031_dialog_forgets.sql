-- Pending deletions of a consumer's dialog state in Redis (issue 13, erasure).
--
-- When a consumer confirms 删除我的信息, their cases are erased in the database and
-- their dialog keys in Redis. The Redis part may fail after the database part
-- succeeded; this row is the promise that it is still done. The chat files a row
-- (not due for a minute, so it cannot run before the turn has committed) once the
-- database erasure succeeded, and deletes it when its own forget worked. The
-- forget worker (one instance at a time, through job_leases row 'dialog_forget')
-- retries the due rows every minute until Redis answers: tries counts the
-- failures, next_try_at is when the next is due. open_id is the only personal
-- datum; the row goes as soon as the forget succeeds.

-- +goose Up
CREATE TABLE dialog_forgets (
    id          bigserial   PRIMARY KEY,
    open_id     text        NOT NULL,
    filed_at    timestamptz NOT NULL,
    next_try_at timestamptz NOT NULL,
    tries       integer     NOT NULL DEFAULT 0
);

CREATE INDEX dialog_forgets_due ON dialog_forgets (next_try_at);

INSERT INTO job_leases (name) VALUES ('dialog_forget');

-- +goose Down
DELETE FROM job_leases WHERE name = 'dialog_forget';
DROP TABLE dialog_forgets;

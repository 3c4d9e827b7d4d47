-- A consumer's request to delete their personal data; see the PostgreSQL file
-- for what each column means. Timestamps are INTEGER microseconds (see 00001).

-- +goose Up
CREATE TABLE deletion_requests (
    id             INTEGER   PRIMARY KEY AUTOINCREMENT,
    case_id        INTEGER   NOT NULL REFERENCES cases (id),
    requested_at   TIMESTAMP NOT NULL,
    due_on         TEXT      NOT NULL,
    status         TEXT      NOT NULL DEFAULT 'pending',
    handled_by     INTEGER,
    handled_at     TIMESTAMP,
    refusal_reason TEXT      NOT NULL DEFAULT ''
);

CREATE UNIQUE INDEX deletion_requests_one_pending ON deletion_requests (case_id) WHERE status = 'pending';
CREATE INDEX deletion_requests_by_status ON deletion_requests (status, due_on);

-- +goose Down
DROP TABLE deletion_requests;

-- A consumer's request to delete their personal data (issue 13 part 2 and 3).
--
-- When a consumer asks in the chat, their finished cases are anonymised at once;
-- each open case gets one row here, a task for the case's unit with a clock:
-- due_on is the last day (China time, 'YYYY-MM-DD') of the answer, counted in
-- working days on the association's calendar from requested_at. status is
-- pending, done (the case was closed and anonymised) or refused (a legal hold
-- kept it; refusal_reason says why, and the consumer was told). handled_by and
-- handled_at say who settled it and when (no foreign key, as in audit_log: a
-- removed staff row must not lose the record). A case has at most one pending row.

-- +goose Up
CREATE TABLE deletion_requests (
    id             bigserial   PRIMARY KEY,
    case_id        bigint      NOT NULL REFERENCES cases (id),
    requested_at   timestamptz NOT NULL,
    due_on         text        NOT NULL,
    status         text        NOT NULL DEFAULT 'pending',
    handled_by     bigint,
    handled_at     timestamptz,
    refusal_reason text        NOT NULL DEFAULT ''
);

CREATE UNIQUE INDEX deletion_requests_one_pending ON deletion_requests (case_id) WHERE status = 'pending';
CREATE INDEX deletion_requests_by_status ON deletion_requests (status, due_on);

-- +goose Down
DROP TABLE deletion_requests;

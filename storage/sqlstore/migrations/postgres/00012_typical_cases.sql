-- Typical cases (典型案例): concluded cases staff chose for the annual report, with
-- a title and a summary written for the public. A removed mark keeps its row with
-- removed_at set (nothing is hard-deleted); marking the case again reuses the row.

-- +goose Up
CREATE TABLE typical_cases (
    case_id    bigint      PRIMARY KEY REFERENCES cases (id),
    title      text        NOT NULL,
    summary    text        NOT NULL,
    marked_by  bigint      NOT NULL REFERENCES staff (id),
    marked_at  timestamptz NOT NULL,
    removed_at timestamptz
);

-- +goose Down
DROP TABLE typical_cases;

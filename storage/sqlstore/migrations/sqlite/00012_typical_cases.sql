-- Typical cases (典型案例): concluded cases staff chose for the annual report, with
-- a title and a summary written for the public. A removed mark keeps its row with
-- removed_at set (nothing is hard-deleted); marking the case again reuses the row.
-- Timestamps as in 00001.

-- +goose Up
CREATE TABLE typical_cases (
    case_id    INTEGER   PRIMARY KEY REFERENCES cases (id),
    title      TEXT      NOT NULL,
    summary    TEXT      NOT NULL,
    marked_by  INTEGER   NOT NULL REFERENCES staff (id),
    marked_at  TIMESTAMP NOT NULL,
    removed_at TIMESTAMP
);

-- +goose Down
DROP TABLE typical_cases;

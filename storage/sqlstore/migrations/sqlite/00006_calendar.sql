-- The working-day calendar: dated exceptions to "Monday to Friday work". A day is
-- 'rest' (public holiday, bridging rest) or 'work' (调休 make-up working day).
-- calendar_years has a row for every year the calendar has ever held, seeded or
-- edited: start-up seeds the embedded official schedule only into years without
-- a row, so an admin's edits (even deleting every day) are never overwritten.
-- revision grows with each change to the year; the sum over all years is the
-- calendar's version, which instances poll to reload cheaply. updated_by is NULL
-- when no staff member made the change. Timestamps as in 00001.

-- +goose Up
CREATE TABLE calendar_years (
    year       INTEGER   PRIMARY KEY,
    source     TEXT      NOT NULL,
    revision   INTEGER   NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE calendar_days (
    day        TEXT      PRIMARY KEY CHECK (length(day) = 10),
    year       INTEGER   NOT NULL REFERENCES calendar_years (year),
    kind       TEXT      NOT NULL CHECK (kind IN ('rest', 'work')),
    name       TEXT      NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    updated_by INTEGER
);
CREATE INDEX calendar_days_year ON calendar_days (year, day);

-- +goose Down
DROP TABLE calendar_days;
DROP TABLE calendar_years;

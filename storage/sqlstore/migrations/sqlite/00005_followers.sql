-- Whether each consumer follows the official account. No row means following: a
-- consumer is only recorded once WeChat tells us (an unsubscribe or subscribe
-- event, or a send answered 43004 "require subscribe"). changed_at is the time of
-- the news recorded, so that news arriving late cannot overwrite newer news.
-- ClaimNotifications holds back the notices of consumers who do not follow.
-- Timestamps as in 00001; following is 0 or 1.

-- +goose Up
CREATE TABLE followers (
    open_id    TEXT      PRIMARY KEY,
    following  INTEGER   NOT NULL CHECK (following IN (0, 1)),
    changed_at TIMESTAMP NOT NULL
);

-- +goose Down
DROP TABLE followers;

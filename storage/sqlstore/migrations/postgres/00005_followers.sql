-- Whether each consumer follows the official account. No row means following: a
-- consumer is only recorded once WeChat tells us (an unsubscribe or subscribe
-- event, or a send answered 43004 "require subscribe"). changed_at is the time of
-- the news recorded, so that news arriving late cannot overwrite newer news.
-- ClaimNotifications holds back the notices of consumers who do not follow.

-- +goose Up
CREATE TABLE followers (
    open_id    text        PRIMARY KEY,
    following  boolean     NOT NULL,
    changed_at timestamptz NOT NULL
);

-- +goose Down
DROP TABLE followers;

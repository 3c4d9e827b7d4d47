-- Figures (issue 9): a team may be counted as a channel of its own in the
-- published figures (处理渠道, like the car consumer-rights studio), apart from the
-- association's own mediation. Nothing else changes: existing teams are not
-- channels. Booleans are 0 and 1.

-- +goose Up
ALTER TABLE teams ADD COLUMN report_channel BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE teams DROP COLUMN report_channel;

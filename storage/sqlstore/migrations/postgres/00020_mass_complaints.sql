-- Mass complaints and seven-day returns (issue 11 §4, §6).
--
-- mass_case_keys keeps each case's merchant key (storage.MassMerchantKey: the
-- merchant name as typed, normalised in Go, so SQL cannot derive it) for the
-- detector's count over the window; cases filed before this migration have no
-- key and are not counted. mass_groups are the groups the detector raised:
-- open (an alert), dismissed, or formed into a collective case (集体投诉), which
-- also keeps the consumer warning draft (消费提示). mass_group_cases lists a
-- group's cases; member marks those linked to the collective case.
-- cases.seven_day_return tags a distance purchase with a return demand within
-- seven days (消费者权益保护法 art. 25), as the chat saw it at filing.

-- +goose Up
ALTER TABLE cases ADD COLUMN seven_day_return boolean NOT NULL DEFAULT false;

CREATE TABLE mass_case_keys (
    case_id      bigint PRIMARY KEY REFERENCES cases (id),
    merchant_key text NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX mass_case_keys_key_idx ON mass_case_keys (merchant_key, created_at);

CREATE TABLE mass_groups (
    id             bigserial PRIMARY KEY,
    merchant_key   text NOT NULL,
    merchant_name  text NOT NULL,
    status         text NOT NULL DEFAULT 'open'
                   CHECK (status IN ('open', 'dismissed', 'formed')),
    priority       integer NOT NULL DEFAULT 0,
    priority_words text NOT NULL DEFAULT '',
    case_count     integer NOT NULL DEFAULT 0,
    first_at       timestamptz NOT NULL,
    last_at        timestamptz NOT NULL,
    warning        text NOT NULL DEFAULT '',
    created_at     timestamptz NOT NULL,
    updated_at     timestamptz NOT NULL
);
CREATE INDEX mass_groups_key_idx ON mass_groups (merchant_key, last_at);
CREATE INDEX mass_groups_status_idx ON mass_groups (status, last_at);
-- At most one open group per merchant: concurrent filings join it.
CREATE UNIQUE INDEX mass_groups_one_open_idx ON mass_groups (merchant_key) WHERE status = 'open';

CREATE TABLE mass_group_cases (
    group_id bigint NOT NULL REFERENCES mass_groups (id),
    case_id  bigint NOT NULL REFERENCES cases (id),
    member   boolean NOT NULL DEFAULT false,
    added_at timestamptz NOT NULL,
    PRIMARY KEY (group_id, case_id)
);
CREATE INDEX mass_group_cases_case_idx ON mass_group_cases (case_id);

-- +goose Down
DROP TABLE mass_group_cases;
DROP TABLE mass_groups;
DROP TABLE mass_case_keys;
ALTER TABLE cases DROP COLUMN seven_day_return;

-- The count behind a merchant search's total, read from a small index rather
-- than the table (see the PostgreSQL migration of the same number): the key of
-- the merchant's name and the unit, the scope every count but an admin's adds,
-- so that the count can read the index alone.
-- +goose Up
CREATE INDEX cases_merchant_key_idx ON cases (merchant_key, unit_id);

-- +goose Down
DROP INDEX cases_merchant_key_idx;

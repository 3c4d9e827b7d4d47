-- The count behind a merchant search's total, read from a small index rather
-- than the table. A search for part of a merchant's name (merchant_key LIKE
-- '%…%') is served by the trigram index of 00003 only for three characters or
-- more; a search for two, the common case in Chinese (电器, 超市), matches a
-- large share of the desk, and its count, capped at 1,001 matches, read them
-- from the cases themselves: 7,000 rows of 500 bytes and more, 8 ms at
-- 100,000 cases. This index holds only the name's key and the unit (the scope
-- every count but an admin's adds), so the count is an index-only scan: about
-- an eighth of the time. The key is short (the dialog takes merchant names of
-- at most 60 characters), well within a B-tree entry's limit.
-- +goose Up
CREATE INDEX cases_merchant_key_idx ON cases (merchant_key) INCLUDE (unit_id);

-- +goose Down
DROP INDEX cases_merchant_key_idx;

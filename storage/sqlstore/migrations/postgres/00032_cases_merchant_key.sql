-- The count behind a merchant search's total, read from a small index rather
-- than the table. A search for part of a merchant's name (merchant_key LIKE
-- '%…%') is served by the trigram index of 00003 only for three characters or
-- more; a search for two, the common case in Chinese (电器, 超市), matches a
-- large share of the desk, and its count, capped at 1,001 matches, read them
-- from the cases themselves: at 100,000 seeded cases 7,000 rows of 500 bytes
-- and more, 8 ms. This index holds only the name's key and the unit (the
-- scope every count but an admin's adds), so the count is an index-only scan
-- of entries of a few dozen bytes (1.4 ms for the same count on a quiet
-- machine). It reads the keys in alphabetical order, so how many it passes
-- before the 1,001st match depends on where the matching names sort (16,000
-- entries for 电器 at 100,000 cases, against 7,000 rows in the table's order);
-- at worst it reads every key, still far less than every row. The key is short (the dialog takes
-- merchant names of at most 60 characters), well within a B-tree entry's limit.
-- +goose Up
CREATE INDEX cases_merchant_key_idx ON cases (merchant_key) INCLUDE (unit_id);

-- +goose Down
DROP INDEX cases_merchant_key_idx;

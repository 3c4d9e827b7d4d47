-- The queue's due order, served by index at any size (see sortKeysOf in
-- case_page.go). Newest-first and the filters already had their indexes; only
-- the count behind the total was slow, and that is capped in the code.
--
-- cases_due_on_created_at_id_idx: the due filters (a range of due_on) in due
-- order either way, and the descending due order of the whole queue (cases
-- without a due day, '', sort last in it by themselves). It supersedes
-- cases_due_on_idx (due_on, id).
-- cases_due_first_idx: the ascending due order of the whole queue, which puts
-- cases without a due day last by the flag (due_on = '') first.
-- +goose Up
CREATE INDEX cases_due_on_created_at_id_idx ON cases (due_on, created_at, id);
CREATE INDEX cases_due_first_idx ON cases ((due_on = ''), due_on, created_at, id);
DROP INDEX cases_due_on_idx;

-- +goose Down
CREATE INDEX cases_due_on_idx ON cases (due_on, id) WHERE due_on <> '';
DROP INDEX cases_due_first_idx;
DROP INDEX cases_due_on_created_at_id_idx;

-- A password someone else chose (the first admin's printed password, an
-- account an admin or the command line created, a reset) must be replaced by
-- its owner at the next sign-in: until then the console lets the session reach
-- only the change-password page. Existing accounts are left as they are: their
-- owners may long have changed the password, and nothing records whether they did.

-- +goose Up
ALTER TABLE staff ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;

-- +goose Down
ALTER TABLE staff DROP COLUMN must_change_password;

-- The unit tree's version (issue 12, item 7: the console queue at 100,000 and
-- 1,000,000 cases). Every console request works out its scope from the units;
-- an instance keeps the tree it read and asks only for this number, in the
-- statement that identifies the caller, instead of reading every unit again.
-- The triggers bump it in the transaction of any change to units, whatever
-- code makes it, so an instance can never take an old tree for the current one.

-- +goose Up
CREATE TABLE unit_tree_version (
    id      integer PRIMARY KEY CHECK (id = 1),
    version bigint  NOT NULL
);
INSERT INTO unit_tree_version (id, version) VALUES (1, 1);

-- +goose StatementBegin
CREATE FUNCTION bump_unit_tree_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE unit_tree_version SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER units_bump_tree_version
    AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
    FOR EACH STATEMENT EXECUTE FUNCTION bump_unit_tree_version();

-- +goose Down
DROP TRIGGER units_bump_tree_version ON units;
DROP FUNCTION bump_unit_tree_version();
DROP TABLE unit_tree_version;

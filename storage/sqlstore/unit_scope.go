package sqlstore

// idsIn is the condition "column IN (ids)" with its arguments; an empty list
// matches nothing (a staff member's scope is never empty, but a filter that
// says "none" must not read as "all").
func idsIn(column string, ids []int64) (string, []any) {
	if len(ids) == 0 {
		return "1 = 0", nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return column + " IN (" + placeholders(len(ids)) + ")", args
}

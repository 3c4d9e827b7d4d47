package sqlstore

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/jmoiron/sqlx"
)

// leadingLetters finds the prefix typed in front of a case number ("ts" in
// "ts2026123").
var leadingLetters = regexp.MustCompile(`^[A-Za-z]{1,8}`)

// likeEscaper escapes LIKE's wildcards (and the escape character itself) so that
// the text searched for matches literally; the queries say ESCAPE '\'.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// searchWhere builds the condition for CaseFilter.Search: the text is a part of
// the merchant's name, in any case; or, when it is a whole mobile number
// (storage.WholePhone), that phone number exactly; or, when it reads as a case
// number typed loosely ("ts2026123", "2026-123"), that number. Part of a phone
// number finds nothing: lists mask the middle digits, and a search by a part
// would uncover them a guess at a time. The merchant condition compares
// merchant_key, the name lower-cased by the database, with a plain LIKE; on
// PostgreSQL a trigram index on merchant_key serves it when pg_trgm is installed
// (see migration 00003). The phone is compared with =, which its b-tree index
// serves.
func searchWhere(ctx context.Context, tx *sqlx.Tx, text string) (string, []any, error) {
	text = strings.TrimSpace(text)
	if text == "" {
		return "", nil, nil
	}
	conds := []string{`merchant_key LIKE ? ESCAPE '\'`}
	args := []any{"%" + likeEscaper.Replace(strings.ToLower(text)) + "%"}
	if digits, ok := storage.WholePhone(text); ok {
		conds, args = append(conds, "phone = ?"), append(args, digits)
	}
	numbers, err := searchNumbers(ctx, tx, text)
	if err != nil {
		return "", nil, err
	}
	if len(numbers) > 0 {
		conds = append(conds, "number IN ("+placeholders(len(numbers))+")")
		args = append(args, numbers...)
	}
	return "(" + strings.Join(conds, " OR ") + ")", args, nil
}

// searchNumbers returns the canonical case numbers text may stand for. With a
// prefix typed, it is the one number under that prefix; without one, the number
// under each prefix the database has handed out numbers for (usually one).
func searchNumbers(ctx context.Context, tx *sqlx.Tx, text string) ([]any, error) {
	text = strings.TrimSpace(text)
	if prefix := leadingLetters.FindString(text); prefix != "" {
		if n, ok := storage.ParseCaseNumber(text, prefix); ok {
			return []any{n}, nil
		}
		return nil, nil
	}
	if _, ok := storage.ParseCaseNumber(text, "X"); !ok {
		return nil, nil // not a number under any prefix: spare the query
	}
	var prefixes []string
	q := "SELECT DISTINCT prefix FROM case_numbers ORDER BY prefix"
	if err := tx.SelectContext(ctx, &prefixes, q); err != nil {
		return nil, fmt.Errorf("select case number prefixes: %w", err)
	}
	var numbers []any
	for _, p := range prefixes {
		if n, ok := storage.ParseCaseNumber(text, p); ok {
			numbers = append(numbers, n)
		}
	}
	return numbers, nil
}

package sqlstore

import (
	"context"
	"slices"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestSeedCasesAreClassifiedAndRouted checks that the seeded desk shows the
// classification and the teams: valid subcategories and natures, each case in the
// team its category's rule names.
func TestSeedCasesAreClassifiedAndRouted(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *DB) {
		ctx := context.Background()
		seed, err := SeedCases(ctx, db, 300)
		if err != nil {
			t.Fatal(err)
		}
		teams, err := db.ListTeams(ctx)
		if err != nil || len(teams) != 3 {
			t.Fatalf("teams %+v, %v", teams, err)
		}
		for _, tm := range teams {
			if len(tm.Members) == 0 {
				t.Errorf("team %s has no members", tm.Name)
			}
		}
		cases, _, err := db.FindCases(ctx, storage.CaseFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		classified := 0
		for _, c := range cases {
			cl := storage.Classification{Category: c.Category, Subcategory: c.Subcategory, Nature: c.Nature}
			if err := cl.Validate(); err != nil {
				t.Errorf("%s: %v", c.Number, err)
			}
			if c.Subcategory != "" && c.Nature != "" {
				classified++
			}
			if c.TeamID != seedTeam(seed, c.Category) || !slices.Contains(seed.Teams, c.TeamID) {
				t.Errorf("%s (%s) is in team %d", c.Number, c.Category, c.TeamID)
			}
		}
		if classified < len(cases)/2 {
			t.Errorf("only %d of %d seeded cases are classified", classified, len(cases))
		}
	})
}

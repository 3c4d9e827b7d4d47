package portal

import (
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

func TestAnonymisedCaseReadsSoOnThePlatform(t *testing.T) {
	c := &storage.Case{Number: "TS-2023-000001", Status: storage.StatusClosed, Anonymised: true}
	it := newCaseItem(&storage.PortalCase{Case: c})
	if it.Description != storage.AnonymisedLabel || it.Name != "" || it.Phone != "" {
		t.Fatalf("anonymised case on the platform: %+v", it)
	}
	c = &storage.Case{Number: "TS-2026-000001", Status: storage.StatusReferred, Description: "空调不制冷"}
	if it := newCaseItem(&storage.PortalCase{Case: c}); it.Description != "空调不制冷" {
		t.Fatalf("a case with its data: %+v", it)
	}
}

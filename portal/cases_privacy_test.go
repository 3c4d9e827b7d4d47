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

func TestAnonymisedCaseOffersNoEvidence(t *testing.T) {
	// Even were its referral still open, an anonymised case's evidence is gone.
	pc := &storage.PortalCase{Case: &storage.Case{ID: 7, Number: "TS-2023-000001", Anonymised: true}, ReferralOpen: true}
	list := []*storage.Evidence{{ID: 3, CaseID: 7, Kind: "image", DownloadState: storage.DownloadDone, BlobKey: "sha256/ab"}}
	if evidenceShown(pc) {
		t.Fatal("an anonymised case's evidence is shown")
	}
	if items := newEvidenceItems(pc, list, "/x/"); len(items) != 1 || items[0].URL != "" || items[0].State != "已删除" {
		t.Fatalf("anonymised case's evidence listed as %+v", items)
	}
	pc.Case.Anonymised = false
	if items := newEvidenceItems(pc, list, "/x/"); items[0].URL != "/x/3" {
		t.Fatalf("a live case's evidence listed as %+v", items)
	}
}

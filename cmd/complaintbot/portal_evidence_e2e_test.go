package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/internal/webauth"
	"github.com/complaintbot/complaintbot/storage"
)

// TestEndToEndPortalServesEvidenceFromTheDirectory runs the real service with
// evidence.dir set: the consumer's photo, fetched from WeChat into the
// directory, reaches the merchant its case is referred to through the portal's
// API, so the portal reads the bytes where the fetcher put them.
func TestEndToEndPortalServesEvidenceFromTheDirectory(t *testing.T) {
	m := runMainWith(t, func(c *configs.Config) { c.Evidence.Dir = t.TempDir() })
	ctx := context.Background()
	c := fileCase(t, m, consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("portalev")})
	var ev *storage.Evidence
	eventually(t, "evidence download", func() bool {
		list, err := m.DB.ListEvidence(ctx, c.ID)
		if err != nil || len(list) != 1 || list[0].DownloadState != storage.DownloadDone {
			return false
		}
		ev = list[0]
		return true
	})
	if _, err := m.DB.GetBlob(ctx, ev.BlobKey); storage.ErrorCode(err) != storage.ENOTFOUND {
		t.Fatalf("the photo is in the database, not only the directory (%v)", err)
	}

	suffix := strconv.FormatInt(time.Now().UnixNano(), 36)
	boss, err := m.DB.CreateStaff(ctx, storage.NewStaff{Username: "boss" + suffix, Name: "主管",
		Role: storage.RoleSupervisor, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	by := storage.By{Actor: boss.Actor()}
	merchant, err := m.DB.CreateMerchant(ctx, storage.MerchantInput{Name: "某某电器" + suffix, OnPlatform: true,
		PlatformSince: "2026-01-05", By: by})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.DB.LinkCaseMerchant(ctx, c.ID, merchant.ID, by); err != nil {
		t.Fatal(err)
	}
	move(t, m, c, storage.StatusAccepted, storage.StatusMediating)
	if _, err := m.DB.ChangeStatus(ctx, storage.StatusChange{CaseID: c.ID, To: storage.StatusReferred,
		Actor: by.Actor, Reason: storage.MerchantReferral}); err != nil {
		t.Fatal(err)
	}
	invitation := "e2eInvitationForEvidence" + suffix
	if _, err := m.DB.CreateMerchantInvitation(ctx, merchant.ID, webauth.HashToken(invitation), by); err != nil {
		t.Fatal(err)
	}
	acc, err := m.DB.AcceptMerchantInvitation(ctx, storage.InvitationAcceptance{
		TokenHash: webauth.HashToken(invitation), Username: "shop" + suffix, PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	token := "cbm_e2eEvidenceToken" + suffix
	if _, err := m.DB.CreateMerchantAPIToken(ctx, acc.ID, "e2e", webauth.HashToken(token), ""); err != nil {
		t.Fatal(err)
	}

	req, err := http.NewRequest("GET", m.URL()+"/portal/api/v1/cases/"+c.Number+"/evidence/"+
		strconv.FormatInt(ev.ID, 10), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK || string(data) != string(jpegBytes) ||
		res.Header.Get("Content-Type") != "image/jpeg" {
		t.Fatalf("download: %d %q, %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(data))
	}
}

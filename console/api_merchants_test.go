package console_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/complaintbot/complaintbot/console"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// TestAPIMerchantsOnPostgres runs TestAPIMerchants on PostgreSQL too.
func TestAPIMerchantsOnPostgres(t *testing.T) {
	testenv.Postgres(t, sqlstore.Open) // skips or fails here when no server is configured
	defer func(open func(*testing.T) *sqlstore.DB) { apiOpenStore = open }(apiOpenStore)
	apiOpenStore = func(t *testing.T) *sqlstore.DB { return testenv.Postgres(t, sqlstore.Open) }
	TestAPIMerchants(t)
}

// apiMerchantOut is a merchant as a client reads it.
type apiMerchantOut struct {
	ID           int64    `json:"id"`
	Name         string   `json:"name"`
	ContactPhone string   `json:"contact_phone"`
	MergedInto   int64    `json:"merged_into"`
	Cases        int      `json:"cases"`
	CaseNumbers  []string `json:"case_numbers"`
}

func TestAPIMerchants(t *testing.T) {
	e := newAPIEnv(t)
	testenv.AddUnits(t, e.db, transferUnits...)
	ctx := context.Background()
	c := e.newCase(1)
	body := `{"name":"好又多超市","credit_code":"91110000802100433B","contact_person":"王经理","contact_phone":"13900139000","on_platform":true,"platform_since":"2026-02-01"}`

	e.do("POST", "/api/v1/merchants", e.as(e.mediator), body).fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	e.do("POST", "/api/v1/merchants", e.as(e.supervisor), `{"name":"坏码","credit_code":"91110000802100433C"}`).
		fails(t, http.StatusBadRequest, storage.EINVALID)
	var hyd apiMerchantOut
	e.do("POST", "/api/v1/merchants", e.as(e.supervisor), body).ok(t, http.StatusCreated, &hyd)
	if hyd.ContactPhone != "13900139000" {
		t.Fatalf("supervisor reads phone %q", hyd.ContactPhone)
	}
	var seen apiMerchantOut
	e.do("GET", "/api/v1/merchants/"+apiItoa(hyd.ID), e.as(e.mediator), "").ok(t, http.StatusOK, &seen)
	if seen.ContactPhone != "139****9000" {
		t.Fatalf("mediator reads phone %q, want masked", seen.ContactPhone)
	}
	var list struct {
		Items []apiMerchantOut `json:"items"`
		Total int              `json:"total"`
	}
	e.do("GET", "/api/v1/merchants?q=好又多&on_platform=1", e.as(e.supervisor), "").ok(t, http.StatusOK, &list)
	if list.Total != 1 || list.Items[0].ContactPhone != "139****9000" {
		t.Fatalf("list %+v", list)
	}

	// A mediator links a case and creates a merchant from another.
	var linked struct {
		MerchantID int64 `json:"merchant_id"`
	}
	e.do("POST", "/api/v1/cases/"+c.Number+"/merchant", e.as(e.mediator), `{"merchant_id":`+apiItoa(hyd.ID)+`}`).
		ok(t, http.StatusOK, &linked)
	if linked.MerchantID != hyd.ID {
		t.Fatalf("linked to %d", linked.MerchantID)
	}
	e.do("POST", "/api/v1/cases/"+c.Number+"/merchant", e.as(e.mediator), `{"merchant_id":999}`).
		fails(t, http.StatusNotFound, storage.ENOTFOUND)
	other := e.newCase(2)
	var dup apiMerchantOut
	e.do("POST", "/api/v1/merchants", e.as(e.mediator), `{"name":"好又多量贩","case_number":"`+other.Number+`"}`).
		ok(t, http.StatusCreated, &dup)
	if dup.Cases != 1 {
		t.Fatalf("created from case: %+v", dup)
	}

	// Merging is for supervisors; the duplicate's case moves.
	mergePath := "/api/v1/merchants/" + apiItoa(dup.ID) + "/merge"
	e.do("POST", mergePath, e.as(e.mediator), `{"into":`+apiItoa(hyd.ID)+`}`).fails(t, http.StatusForbidden, storage.EFORBIDDEN)
	var kept apiMerchantOut
	e.do("POST", mergePath, e.as(e.supervisor), `{"into":`+apiItoa(hyd.ID)+`}`).ok(t, http.StatusOK, &kept)
	if kept.ID != hyd.ID || kept.Cases != 2 {
		t.Fatalf("kept %+v", kept)
	}
	action := storage.AuditMerchantMerge
	if _, n, _ := e.db.FindAudit(ctx, storage.AuditFilter{Action: &action}); n != 1 {
		t.Fatalf("merge audit entries %d", n)
	}

	// A district supervisor sees only their district's cases of the merchant,
	// and cannot link another district's case.
	nc := storage.NewCase{OpenID: "o-fc", IntakeKey: "fc-1", Category: "食品安全", MerchantName: "好又多超市",
		Description: "过期", Demand: "退款", ComplainantName: "李四", Phone: "13700137000", UnitID: 2}
	fc, err := e.db.CreateCase(ctx, "TS", nc)
	if err != nil || fc.MerchantID != hyd.ID {
		t.Fatalf("district case %+v, %v", fc, err)
	}
	district, err := e.db.CreateStaff(ctx, storage.NewStaff{Username: "fc.boss", Name: "樊城主管",
		Role: storage.RoleSupervisor, PasswordHash: "x", UnitID: 2})
	if err != nil {
		t.Fatal(err)
	}
	token := "district-token-0123456789abcdef"
	if _, err := e.db.CreateAPIToken(ctx, district.ID, "test", console.HashToken(token)); err != nil {
		t.Fatal(err)
	}
	var fromDistrict apiMerchantOut
	e.do("GET", "/api/v1/merchants/"+apiItoa(hyd.ID), apiAuth{token: token}, "").ok(t, http.StatusOK, &fromDistrict)
	if fromDistrict.Cases != 1 || len(fromDistrict.CaseNumbers) != 1 || fromDistrict.CaseNumbers[0] != fc.Number {
		t.Fatalf("district sees %+v", fromDistrict)
	}
	e.do("POST", "/api/v1/cases/"+c.Number+"/merchant", apiAuth{token: token}, `{"merchant_id":`+strconv.FormatInt(hyd.ID, 10)+`}`).
		fails(t, http.StatusNotFound, storage.ENOTFOUND)
	var rootView apiMerchantOut
	e.do("GET", "/api/v1/merchants/"+apiItoa(hyd.ID), e.as(e.supervisor), "").ok(t, http.StatusOK, &rootView)
	if rootView.Cases != 3 {
		t.Fatalf("root sees %d cases, want 3", rootView.Cases)
	}
	var rep struct {
		Merchants struct {
			OnPlatform    int `json:"on_platform"`
			NewOnPlatform int `json:"new_on_platform"`
			AtEnd         int `json:"on_platform_at_end"`
		} `json:"merchants"`
		Top []struct {
			Name     string `json:"name"`
			Received int    `json:"received"`
		} `json:"top_merchants"`
	}
	e.do("GET", "/api/v1/reports?from=2026-01&to=2026-12", e.as(e.supervisor), "").ok(t, http.StatusOK, &rep)
	if rep.Merchants.OnPlatform != 1 || rep.Merchants.NewOnPlatform != 1 || rep.Merchants.AtEnd != 1 ||
		len(rep.Top) != 1 || rep.Top[0].Name != "好又多超市" {
		t.Fatalf("report %+v", rep)
	}
	e.do("GET", "/api/v1/reports?from=2025-01&to=2025-12", e.as(e.supervisor), "").ok(t, http.StatusOK, &rep)
	if rep.Merchants.OnPlatform != 1 || rep.Merchants.NewOnPlatform != 0 || rep.Merchants.AtEnd != 0 {
		t.Fatalf("2025 report merchants %+v", rep.Merchants)
	}
}

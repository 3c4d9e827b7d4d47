package console_test

import (
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

const apiAgreementBody = `{"version":0,"terms":"退还货款 1200 元。","amount_fen":120000,"payment_due":"2026-03-20",` +
	`"merchant_name":"好又多超市","credit_code":"91310000MA1FL1234Q","mediator":"调解员甲"}`

func TestAPIAgreement(t *testing.T) {
	e := newAPIEnv(t)
	c := e.newCase(1)
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	med := e.as(e.mediator)
	path := "/api/v1/cases/" + c.Number + "/agreement"
	e.do("GET", path, med, "").fails(t, http.StatusNotFound, "not_found")
	e.do("POST", path, med, `{"terms":"x","merchant_name":"店","credit_code":"123","mediator":"甲"}`).
		fails(t, http.StatusBadRequest, "invalid")

	var out struct {
		Version        int    `json:"version"`
		AmountCapitals string `json:"amount_capitals"`
		IssuedAt       string `json:"issued_at"`
		NextAskAt      string `json:"next_ask_at"`
		Phone          string `json:"phone"`
	}
	e.do("POST", path, med, apiAgreementBody).ok(t, http.StatusOK, &out)
	if out.Version != 1 || out.AmountCapitals != "壹仟贰佰元整" || out.IssuedAt != "" {
		t.Fatalf("saved %+v", out)
	}
	e.do("POST", path+"/issue", med, `{}`).fails(t, http.StatusConflict, "conflict") // still 调解中
	e.move(c, storage.StatusResolved, "")
	e.do("POST", path+"/issue", med, `{}`).ok(t, http.StatusOK, &out)
	if out.IssuedAt == "" || out.NextAskAt == "" || out.Phone != "" {
		t.Fatalf("issued %+v", out)
	}
	e.do("POST", path, med, apiAgreementBody).fails(t, http.StatusConflict, "conflict")
}

func TestAPIAgreementOutsideScope(t *testing.T) {
	e := newAPIEnv(t)
	u := newUnitCity(t, e.db, e.supervisor, e.apiUnitCase)
	med := e.tokenFor(u.fcMed)
	path := "/api/v1/cases/" + u.xzCase.Number + "/agreement"
	e.do("GET", path, med, "").fails(t, http.StatusNotFound, "not_found")
	e.do("POST", path, med, apiAgreementBody).fails(t, http.StatusNotFound, "not_found")
	e.do("POST", path+"/issue", med, `{}`).fails(t, http.StatusNotFound, "not_found")
}

package portal_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
	"github.com/complaintbot/complaintbot/storage/sqlstore"
)

// apiCall makes a request to the portal's API with a Bearer token and no
// cookies, as a merchant's system would.
func (e *env) apiCall(token, method, path, body string) *resp {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return &resp{t: e.t, status: res.StatusCode, header: res.Header, body: string(data)}
}

var newTokenShown = regexp.MustCompile(`id="new-token">(cbm_[A-Za-z0-9_-]{43})<`)

// createToken makes a token on the tokens page of b and returns it.
func (b *browser) createToken(name string) string {
	b.t.Helper()
	page := b.do("GET", "/portal/tokens", nil).want(http.StatusOK)
	created := b.do("POST", "/portal/tokens", url.Values{"csrf": {page.csrf()}, "name": {name}}).want(http.StatusOK)
	m := newTokenShown.FindStringSubmatch(created.body)
	if m == nil {
		b.t.Fatalf("no token shown in\n%s", created.body)
	}
	if cc := created.header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		b.t.Fatalf("the token's page may be cached: %q", cc)
	}
	return m[1]
}

func TestPortalAPIWithMerchantTokens(t *testing.T) {
	eachDialect(t, func(t *testing.T, db *sqlstore.DB) {
		e := newEnv(t, db)
		ctx := context.Background()
		b := e.browser()
		acc := e.signUp(b, "invitationTokenForTheAPI0123456789abcdefgh", "shop.api", "first password")
		page := b.do("GET", "/portal/tokens", nil).want(http.StatusOK)
		b.do("POST", "/portal/tokens", url.Values{"csrf": {page.csrf()}, "name": {" "}}).
			want(http.StatusBadRequest).contains("请填写令牌名称")
		token := b.createToken("客服系统")
		b.do("GET", "/portal/tokens", nil).want(http.StatusOK).contains("客服系统", "有效").lacks(token)

		// Only the merchant's referred cases; everything else is 404.
		e.apiCall(token, "GET", "/portal/api/v1/cases", "").want(http.StatusOK).contains(e.referred.Number).
			lacks(e.notReferred.Number, e.other.Number, "13800138000")
		e.apiCall(token, "GET", "/portal/api/v1/cases/"+e.referred.Number, "").want(http.StatusOK).
			contains(`"phone":"13800138000"`)
		evidence := e.apiCall(token, "GET", "/portal/api/v1/cases/"+e.referred.Number+"/evidence", "").want(http.StatusOK)
		var list struct {
			Evidence []struct {
				ID   int64  `json:"id"`
				Kind string `json:"kind"`
			} `json:"evidence"`
		}
		if err := json.Unmarshal([]byte(evidence.body), &list); err != nil || len(list.Evidence) != 1 || list.Evidence[0].Kind != "image" {
			t.Fatalf("evidence %s (%v)", evidence.body, err)
		}
		otherEvidence, err := db.ListEvidence(ctx, e.other.ID)
		if err != nil || len(otherEvidence) != 1 {
			t.Fatalf("the other case's evidence %v, %v", otherEvidence, err)
		}
		for _, n := range []string{e.notReferred.Number, e.other.Number, "TS-2026-999999"} {
			e.apiCall(token, "GET", "/portal/api/v1/cases/"+n, "").want(http.StatusNotFound).lacks("买到过期牛奶")
			e.apiCall(token, "GET", "/portal/api/v1/cases/"+n+"/evidence", "").want(http.StatusNotFound).
				lacks(`"kind"`)
			e.apiCall(token, "POST", "/portal/api/v1/cases/"+n+"/proposal",
				`{"remedy":"退款","amount_fen":100,"pay_by":"2099-01-01"}`).want(http.StatusNotFound)
		}
		otherID := strconv.FormatInt(otherEvidence[0].ID, 10)
		e.apiCall(token, "GET", "/portal/api/v1/cases/"+e.referred.Number+"/evidence/"+otherID, "").
			want(http.StatusNotFound)

		// Proposing: bad input is said, the proposal is recorded once.
		path := "/portal/api/v1/cases/" + e.referred.Number + "/proposal"
		e.apiCall(token, "POST", path, `{"remedy":"送券","amount_fen":100,"pay_by":"2099-01-01"}`).
			want(http.StatusBadRequest).contains("请选择处理方式")
		e.apiCall(token, "POST", path, `{"remedy":"退款","amount":1}`).want(http.StatusBadRequest)
		e.apiCall(token, "POST", path, `{"remedy":"退款","amount_fen":12950,"pay_by":"2099-01-01"}`).
			want(http.StatusCreated).contains(`"summary":"退款，金额 ¥129.50，2099-01-01 前付款/履行"`)
		e.apiCall(token, "POST", path, `{"refused":true,"reasons":"不同意"}`).want(http.StatusConflict)
		if ps, err := db.CaseProposals(ctx, e.referred.ID); err != nil || len(ps) != 1 || ps[0].AccountID != acc.ID {
			t.Fatalf("proposals %+v, %v", ps, err)
		}
		wantAudit(t, db, storage.AuditPortalProposal, 1)
		wantAudit(t, db, storage.AuditPortalTokenCreate, 1)

		// A wrong token, a revoked one, and every token after a password change.
		e.apiCall("cbm_not_a_token", "GET", "/portal/api/v1/cases", "").want(http.StatusUnauthorized)
		tokens, err := db.MerchantAPITokens(ctx, acc.ID)
		if err != nil || len(tokens) != 1 {
			t.Fatalf("tokens %+v, %v", tokens, err)
		}
		second := b.createToken("对账脚本")
		page = b.do("GET", "/portal/tokens", nil).want(http.StatusOK)
		b.do("POST", "/portal/tokens/"+strconv.FormatInt(tokens[0].ID, 10)+"/revoke", url.Values{"csrf": {page.csrf()}}).
			want(http.StatusSeeOther)
		e.apiCall(token, "GET", "/portal/api/v1/cases", "").want(http.StatusUnauthorized)
		e.apiCall(second, "GET", "/portal/api/v1/cases", "").want(http.StatusOK)
		wantAudit(t, db, storage.AuditPortalTokenRevoke, 1)

		// Another account cannot revoke this one's token.
		b2 := e.browser()
		e.signUp(b2, "invitationTokenForTheSecondAccount0123456789", "shop.api2", "first password")
		live, _ := db.MerchantAPITokens(ctx, acc.ID)
		page2 := b2.do("GET", "/portal/tokens", nil).want(http.StatusOK)
		b2.do("POST", "/portal/tokens/"+strconv.FormatInt(live[0].ID, 10)+"/revoke", url.Values{"csrf": {page2.csrf()}}).
			want(http.StatusNotFound)
		e.apiCall(second, "GET", "/portal/api/v1/cases", "").want(http.StatusOK)

		page = b.do("GET", "/portal/password", nil).want(http.StatusOK)
		b.do("POST", "/portal/password", url.Values{"csrf": {page.csrf()}, "current": {"first password"},
			"password": {"second password"}, "password2": {"second password"}}).want(http.StatusSeeOther)
		e.apiCall(second, "GET", "/portal/api/v1/cases", "").want(http.StatusUnauthorized)
	})
}

// wantAudit fails unless there are n audit entries of action.
func wantAudit(t *testing.T, db *sqlstore.DB, action string, n int) {
	t.Helper()
	if _, total, err := db.FindAudit(context.Background(), storage.AuditFilter{Action: &action}); err != nil || total != n {
		t.Fatalf("%d %s audit entries, want %d (%v)", total, action, n, err)
	}
}

package wechatsim

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

// raw does one request and returns the status and body without decoding.
func (a *api) raw(ctx context.Context, method, path, body string) (int, string, error) {
	req, _ := http.NewRequestWithContext(ctx, method, a.srv.URL+path, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), nil
}

// customBody is a text customer-service message to testOpenID.
const customBody = `{"touser":"` + testOpenID + `","msgtype":"text","text":{"content":"您的投诉已受理"}}`

func TestFaultHTTPStatus(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID)
	tok := a.token()
	a.p.FailNext(Fault{Endpoint: "message/custom/send", HTTPStatus: http.StatusBadGateway, Times: 2})
	path := "/cgi-bin/message/custom/send?access_token=" + tok
	for i := range 2 {
		status, body, err := a.raw(context.Background(), "POST", path, customBody)
		if err != nil || status != http.StatusBadGateway || strings.Contains(body, "errcode") {
			t.Fatalf("try %d: %d %q %v", i, status, body, err)
		}
	}
	if code := errcode(a.call("POST", path, customBody)); code != 0 {
		t.Fatalf("third try: %d", code)
	}
	if sent := a.p.Sent(); len(sent) != 1 || sent[0].Seq != 1 {
		t.Fatalf("recorded %+v", sent)
	}
	if a.p.Calls("message/custom/send") != 3 || a.p.Calls("/cgi-bin/token") != 1 || a.p.Calls("") != 4 {
		t.Fatalf("calls: custom %d, token %d, all %d", a.p.Calls("message/custom/send"), a.p.Calls("token"), a.p.Calls(""))
	}
	if a.p.PendingFaults() != 0 {
		t.Fatal("fault not used up")
	}
	// The failed calls used none of the quota: only the delivered one did.
	if w := a.p.Window(testOpenID); w.Left != MessageQuota-1 {
		t.Fatalf("window %+v", w)
	}
}

func TestFaultErrCode(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID)
	tok := a.token()
	a.p.FailNext(Fault{ErrCode: 45009})
	a.p.FailNext(Fault{Endpoint: "/cgi-bin/message/custom/send", ErrCode: -1})
	a.p.FailNext(Fault{Endpoint: "message/template/send", ErrCode: 45009})
	if a.p.PendingFaults() != 3 {
		t.Fatalf("pending %d", a.p.PendingFaults())
	}
	res := a.sendText(tok, testOpenID, "一")
	if errcode(res) != 45009 || !strings.HasPrefix(res["errmsg"].(string), "reach max api daily quota limit") {
		t.Fatalf("first: %v", res)
	}
	res = a.sendText(tok, testOpenID, "二")
	if errcode(res) != -1 || !strings.HasPrefix(res["errmsg"].(string), "system error") {
		t.Fatalf("second: %v", res)
	}
	// The template fault waits for a template call.
	if code := a.pushText(tok, testOpenID, "三"); code != 0 {
		t.Fatalf("third: %d", code)
	}
	if a.p.PendingFaults() != 1 || a.pushTemplate(tok, testOpenID) != 45009 || a.pushTemplate(tok, testOpenID) != 0 {
		t.Fatal("template fault not applied once")
	}
	if sent := a.p.Sent(); len(sent) != 2 || sent[0].Content != "三" || sent[1].Kind != KindTemplate {
		t.Fatalf("recorded %+v", sent)
	}
	// Faults apply before the token check, and to the token endpoints too.
	a.p.FailNext(Fault{Endpoint: "token", ErrCode: -1})
	if res := a.call("GET", "/cgi-bin/token?grant_type=client_credential&appid="+testAppID+"&secret="+testSecret, nil); errcode(res) != -1 || res["access_token"] != nil {
		t.Fatalf("token fault: %v", res)
	}
}

func TestFaultDelayHonoursContext(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID)
	tok := a.token()
	path := "/cgi-bin/message/custom/send?access_token=" + tok

	// A slow answer that the caller waits for is carried out.
	a.p.FailNext(Fault{Delay: 50 * time.Millisecond})
	start := time.Now()
	if status, body, err := a.raw(context.Background(), "POST", path, customBody); err != nil || status != 200 || !strings.Contains(body, `"errcode":0`) {
		t.Fatalf("slow answer: %d %s %v", status, body, err)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("no delay")
	}

	// A caller that gives up first gets nothing carried out.
	a.p.FailNext(Fault{Delay: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start = time.Now()
	_, _, err := a.raw(ctx, "POST", path, customBody)
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 5*time.Second {
		t.Fatalf("timed-out call: %v after %v", err, time.Since(start))
	}
	// A delay before a gateway error.
	a.p.FailNext(Fault{Delay: 10 * time.Millisecond, HTTPStatus: http.StatusGatewayTimeout})
	if status, _, _ := a.raw(context.Background(), "POST", path, customBody); status != http.StatusGatewayTimeout {
		t.Fatalf("delayed 504: %d", status)
	}
	if n := len(a.p.Sent()); n != 1 {
		t.Fatalf("recorded %d, want only the slow answer", n)
	}
	// The dropped handler has returned: closing the server does not wait an hour.
	closed := make(chan struct{})
	go func() { a.srv.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the delayed handler still runs after its caller gave up")
	}
}

func TestFaultExpireToken(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID)
	old := a.token()
	// An ExpireToken fault skips calls without a token, such as a token fetch.
	a.p.FailNext(Fault{ExpireToken: true})
	tok := a.token()
	if a.p.PendingFaults() != 1 {
		t.Fatal("a token fetch used the ExpireToken fault")
	}
	if code := a.pushText(tok, testOpenID, "x"); code != 42001 {
		t.Fatalf("expired by fault: %d", code)
	}
	if code := a.pushText(tok, testOpenID, "x"); code != 42001 {
		t.Fatalf("the expired token worked again: %d", code)
	}
	if code := a.pushText(old, testOpenID, "x"); code != 0 {
		t.Fatalf("the other token (in its grace period): %d", code)
	}
	fresh := a.token()
	if code := a.pushText(fresh, testOpenID, "送达"); code != 0 {
		t.Fatalf("new token: %d", code)
	}
	if n := len(a.p.Sent()); n != 2 {
		t.Fatalf("recorded %d", n)
	}
}

func TestExpireTokens(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID)
	tok := a.token()
	body := map[string]any{"grant_type": "client_credential", "appid": testAppID, "secret": testSecret}
	stable, _ := a.call("POST", "/cgi-bin/stable_token", body)["access_token"].(string)
	a.p.ExpireTokens()
	for _, k := range []string{tok, stable} {
		if res := a.sendText(k, testOpenID, "x"); errcode(res) != 42001 || !strings.HasPrefix(res["errmsg"].(string), "access_token expired") {
			t.Fatalf("after ExpireTokens: %v", res)
		}
	}
	newStable, _ := a.call("POST", "/cgi-bin/stable_token", body)["access_token"].(string)
	if newStable == "" || newStable == stable || a.pushText(newStable, testOpenID, "x") != 0 {
		t.Fatal("stable_token did not hand out a working new token")
	}
	if a.pushText(a.token(), testOpenID, "x") != 0 {
		t.Fatal("a new token does not work")
	}
	if len(a.p.Sent()) != 2 {
		t.Fatalf("recorded %d", len(a.p.Sent()))
	}
}

func TestSetDown(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID)
	tok := a.token()
	a.p.FailNext(Fault{ErrCode: 45009})
	a.p.SetDown(true)
	for _, c := range []struct{ method, path, body string }{
		{"GET", "/cgi-bin/token?grant_type=client_credential&appid=" + testAppID + "&secret=" + testSecret, ""},
		{"POST", "/cgi-bin/message/custom/send?access_token=" + tok, customBody},
		{"POST", "/cgi-bin/message/template/send?access_token=" + tok, `{"touser":"o1","template_id":"T"}`},
		{"GET", "/cgi-bin/media/get?access_token=" + tok + "&media_id=x", ""},
	} {
		status, body, err := a.raw(context.Background(), c.method, c.path, c.body)
		if err != nil || status != http.StatusServiceUnavailable || strings.Contains(body, "errcode") {
			t.Fatalf("%s while down: %d %q %v", c.path, status, body, err)
		}
	}
	if len(a.p.Sent()) != 0 || a.p.PendingFaults() != 1 {
		t.Fatalf("while down: recorded %d, faults left %d", len(a.p.Sent()), a.p.PendingFaults())
	}
	a.p.SetDown(false)
	if a.pushText(tok, testOpenID, "x") != 45009 || a.pushText(tok, testOpenID, "恢复") != 0 {
		t.Fatal("not back after SetDown(false)")
	}
	if sent := a.p.Sent(); len(sent) != 1 || sent[0].Content != "恢复" {
		t.Fatalf("recorded %+v", sent)
	}
}

func TestFaultsLeaveThePageAlone(t *testing.T) {
	s := newSim(t)
	s.p.SetDown(true)
	s.p.FailNext(Fault{HTTPStatus: 500})
	if _, out := s.send(map[string]any{"openid": testOpenID, "type": "text", "content": "在吗"}); out["ok"] != true {
		t.Fatalf("page send while the API is down: %v", out)
	}
	if resp, _ := get(t, s.srv.URL+"/sim/api/pushed?openid="+testOpenID); resp.StatusCode != 200 {
		t.Fatalf("pushed while down: %d", resp.StatusCode)
	}
	api := httptest.NewServer(s.p.Handler())
	defer api.Close()
	if resp, _ := get(t, api.URL+"/cgi-bin/token"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("API while down: %d", resp.StatusCode)
	}
}

func TestFaultUntilHoldsTheAnswerUntilReleased(t *testing.T) {
	a := newAPI(t)
	a.hello(testOpenID)
	tok := a.token()
	path := "/cgi-bin/message/custom/send?access_token=" + tok
	release := make(chan struct{})
	a.p.FailNext(Fault{Endpoint: "message/custom/send", Until: release})
	answered := make(chan string, 1)
	go func() {
		_, body, _ := a.raw(context.Background(), "POST", path, customBody)
		answered <- body
	}()
	for a.p.Calls("message/custom/send") < 1 { // the held call took the fault
		runtime.Gosched()
	}
	// Another call passes the held one.
	if code := errcode(a.call("POST", path, customBody)); code != 0 || len(a.p.Sent()) != 1 {
		t.Fatalf("call beside the held one: %d, recorded %d", code, len(a.p.Sent()))
	}
	close(release)
	if body := <-answered; !strings.Contains(body, `"errcode":0`) || len(a.p.Sent()) != 2 {
		t.Fatalf("released call: %s, recorded %d", body, len(a.p.Sent()))
	}
}

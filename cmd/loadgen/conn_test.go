package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
)

// answerServer answers every callback with a passive text reply to its
// sender (or to replyTo, when not empty): the busy text on the requests whose number busyOn says, and
// closes the connection after the request closeAfter. It counts the
// connections it accepted.
func answerServer(t *testing.T, replyTo string, busyOn func(n int64) bool, closeAfter int64) (*httptest.Server, *atomic.Int64) {
	var requests, conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := requests.Add(1)
		text := fmt.Sprintf("第%d条", n)
		if busyOn(n) {
			text = "系统繁忙，请稍后再试。"
		}
		if n == closeAfter {
			w.Header().Set("Connection", "close")
		}
		to := r.URL.Query().Get("openid")
		if replyTo != "" {
			to = replyTo
		}
		fmt.Fprintf(w, "<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>"+
			"<CreateTime>1</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content></xml>",
			to, wechatsim.DefaultAccount, text)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, &conns
}

func TestFilerConnKeepsOneConnectionAndClassifies(t *testing.T) {
	srv, conns := answerServer(t, "", func(n int64) bool { return n == 2 }, 3)
	c := &wechatsim.Client{WebhookURL: srv.URL, Token: "t"}
	f := &filerConn{c: c, timeout: 5 * time.Second}
	defer f.drop()
	var got []string
	for range 5 {
		req, err := c.BuildRequest(context.Background(), wechatsim.Message{FromUserName: "o1", MsgType: wechatsim.MsgText, Content: "x"})
		if err != nil {
			t.Fatal(err)
		}
		out, _, text := f.send(req, "系统繁忙")
		got = append(got, fmt.Sprint(out, text))
	}
	want := []string{"0第1条", "1", "0第3条", "0第4条", "0第5条"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("outcomes %q, want %q", got, want)
	}
	// One connection for the first three, a second after the server closed it.
	if n := conns.Load(); n != 2 {
		t.Fatalf("%d connections, want 2", n)
	}
}

func TestFilerConnRefusesAReplyToSomebodyElse(t *testing.T) {
	srv, _ := answerServer(t, "o2", func(int64) bool { return false }, 0)
	c := &wechatsim.Client{WebhookURL: srv.URL, Token: "t"}
	f := &filerConn{c: c, timeout: 5 * time.Second}
	defer f.drop()
	req, err := c.BuildRequest(context.Background(), wechatsim.Message{FromUserName: "o1", MsgType: wechatsim.MsgText, Content: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if out, _, text := f.send(req, "系统繁忙"); out != failed {
		t.Fatalf("outcome %v %q, want failed", out, text)
	}
}

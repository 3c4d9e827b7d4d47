// Command wxecho is the bare silenceper/wechat echo server the webhook
// benchmark measures complaintbot against: the library's own server verifies,
// (in safe mode) decrypts and parses each callback, and answers its text as a
// passive text reply, encrypted in safe mode. It does nothing else, so it is
// the most a WeChat webhook on this machine can do with that library.
//
// A dev tool, not part of the service:
//
//	wxecho -addr 127.0.0.1:18180 -token T [-appid A -aeskey K]
package main

import (
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/silenceper/wechat/v2/cache"
	"github.com/silenceper/wechat/v2/officialaccount"
	offconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/message"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:18180", "listen address")
	token := flag.String("token", "", "webhook Token (required)")
	appID := flag.String("appid", "wxecho", "AppID (safe mode checks it)")
	aesKey := flag.String("aeskey", "", "EncodingAESKey; safe-mode callbacks need it")
	flag.Parse()
	if *token == "" {
		fmt.Fprintln(os.Stderr, "wxecho: -token is required")
		os.Exit(2)
	}
	oa := officialaccount.NewOfficialAccount(&offconfig.Config{AppID: *appID, AppSecret: "unused",
		Token: *token, EncodingAESKey: *aesKey, Cache: cache.NewMemory()})
	mux := http.NewServeMux()
	mux.HandleFunc("/wechat", func(rw http.ResponseWriter, r *http.Request) { echo(oa, rw, r) })
	mux.HandleFunc("/readyz", func(rw http.ResponseWriter, _ *http.Request) { _, _ = rw.Write([]byte("ok")) })
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

// echo answers one callback the way the library's documentation shows.
func echo(oa *officialaccount.OfficialAccount, rw http.ResponseWriter, r *http.Request) {
	srv := oa.GetServer(r, rw)
	srv.SetMessageHandler(func(m *message.MixMessage) *message.Reply {
		return &message.Reply{MsgType: message.MsgTypeText, MsgData: message.NewText(m.Content)}
	})
	if err := srv.Serve(); err != nil {
		http.Error(rw, err.Error(), http.StatusBadRequest)
		return
	}
	_ = srv.Send()
}

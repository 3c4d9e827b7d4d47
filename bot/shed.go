package bot

import (
	"crypto/rand"
	"encoding/xml"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
)

// shed answers a callback for which no turn slot came free with the busy reply.
// It writes the reply itself, from the addresses the checks noted, without
// decrypting and parsing the message: on a 2-core machine at three times
// capacity, shedding through the full path costs about half a turn and alone
// saturates the CPU. Without a known sender it takes the full path.
func (w *Webhook) shed(rw http.ResponseWriter, r *http.Request, body []byte, cb *callback) string {
	if cb.sender == "" || cb.account == "" {
		cb.shed = true // answer replies busy (and counts it) without a turn
		return w.serve(rw, r, body, cb)
	}
	w.metrics.Replies.WithLabelValues("shed").Inc()
	out, err := w.busyXML(cb)
	if err != nil {
		w.metrics.Errors.WithLabelValues("encrypt").Inc()
		w.log.Error("wechat busy reply not built", "err", err)
		http.Error(rw, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return "refused"
	}
	rw.Header().Set("Content-Type", "application/xml; charset=utf-8")
	_, _ = rw.Write(out)
	return "shed"
}

// busyXML is the busy text reply to cb's sender.
func (w *Webhook) busyXML(cb *callback) ([]byte, error) {
	return w.replyXML(cb.query, cb.sender, cb.account, w.cfg.BusyReply)
}

// replyXML is the passive text reply to sender from account, sealed in safe
// mode (a fresh random, the callback's timestamp and nonce) as WeChat expects.
func (w *Webhook) replyXML(q url.Values, sender, account, content string) ([]byte, error) {
	text := message.NewText(content)
	text.SetToUserName(message.CDATA(sender))
	text.SetFromUserName(message.CDATA(account))
	text.SetMsgType(message.MsgTypeText)
	text.SetCreateTime(w.cfg.Now().Unix())
	raw, err := xml.Marshal(text)
	if err != nil || plain(q) {
		return raw, err
	}
	random := make([]byte, 16)
	_, _ = rand.Read(random) // crypto/rand.Read never fails (Go 1.24+)
	enc, err := util.EncryptMsg(random, raw, w.cfg.AppID, w.cfg.EncodingAESKey)
	if err != nil {
		return nil, fmt.Errorf("encrypt reply: %w", err)
	}
	ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64) // checked by checkSignature
	return xml.Marshal(message.ResponseEncryptedXMLMsg{
		EncryptedMsg: string(enc),
		MsgSignature: signature(w.cfg.Token, q.Get("timestamp"), q.Get("nonce"), string(enc)),
		Timestamp:    ts,
		Nonce:        q.Get("nonce"),
	})
}

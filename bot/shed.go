package bot

import (
	"crypto/rand"
	"errors"
	"net/http"
	"net/url"
	"strconv"
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
	raw := appendTextReply(make([]byte, 0, 256+len(content)), sender, account, w.cfg.Now().Unix(), content)
	if plain(q) {
		return raw, nil
	}
	random := make([]byte, 16)
	_, _ = rand.Read(random) // crypto/rand.Read never fails (Go 1.24+)
	if w.sealer == nil {     // the key is not 43 characters of base64 for 32 bytes
		return nil, errors.New("encrypt reply: the EncodingAESKey is not a valid AES key")
	}
	sealed := w.sealer.seal(random, raw)
	ts, _ := strconv.ParseInt(q.Get("timestamp"), 10, 64) // checked by checkSignature
	out := make([]byte, 0, len(sealed)+192)
	return appendSealedReply(out, sealed, signature(w.cfg.Token, q.Get("timestamp"), q.Get("nonce"), sealed),
		ts, q.Get("nonce")), nil
}

package console_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

func TestCaseDetailShowsFieldsTimelineAndActions(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(func(nc *storage.NewCase) { nc.Phone = "13812345678"; nc.MerchantName = "某某电器有限公司" })
	e.consumerSays(c, "我已经等了一周了")
	r := e.as(e.mediator).get(pageCasePath(c, "")).want(http.StatusOK)
	r.contains(c.Number, "待受理", "家用电子电器", "某某电器有限公司", "人民路1号", "2026-02-01", "3999.50 元",
		"退款", "空调不制冷，商家拒绝维修。", "张三", "138****5678",
		`class="msg msg-consumer"`, "投诉已提交：家用电子电器", "我已经等了一周了",
		"/accept", "/reject", storage.RejectReasons[0], "要求补正", "认领（分配给我）",
		`<h3 id="act-accept">受理</h3>`, `<h3 id="act-talk">与消费者沟通</h3>`, `<h3 id="act-close">结案</h3>`,
		`<option value="withdrawn">撤回投诉</option>`, `<h3 id="act-assign">指派</h3>`)
	r.lacks("13812345678", "/reopen", `<option value="agreement">`, `name="assignee" required`)

	// A supervisor may assign anyone; on a finished case, reopen and the outcome
	// are offered and accepting is not.
	e.move(c, storage.StatusAccepted, "")
	e.move(c, storage.StatusMediating, "")
	e.move(c, storage.StatusTerminated, storage.TerminationReasons[4])
	r = e.as(e.supervisor).get(pageCasePath(c, "")).want(http.StatusOK)
	r.contains("/reopen", "办结（已告知双方）", `name="assignee" required`, "调解员乙（调解员）",
		"调解中 → 终止调解："+storage.TerminationReasons[4])
	r.lacks("/accept\"", "/reject\"", "认领（分配给我）", `<h3 id="act-close">结案</h3>`)
}

func TestCaseDetailTimelineSidesAndDeliveryStates(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	a := e.newCase(nil)
	b := e.newCase(nil)
	med := e.as(e.mediator)
	med.post(pageCasePath(a, "/accept"), nil).redirected(pageCasePath(a, "?flash="))
	med.post(pageCasePath(b, "/reply"), pageForm("text", "您好，B 的回复")).redirected(pageCasePath(b, ""))
	med.post(pageCasePath(a, "/reply"), pageForm("text", "您好，第一条回复")).redirected(pageCasePath(a, ""))
	med.post(pageCasePath(a, "/reply"), pageForm("text", "第二条回复")).redirected(pageCasePath(a, ""))
	med.post(pageCasePath(a, "/note"), pageForm("text", "商家电话打不通")).redirected(pageCasePath(a, ""))

	// The push worker: A's status notice sent, B's reply dead; then A's first
	// reply fails once (its error quotes a phone number and an openid), and A's
	// second waits behind it.
	claimed := e.claim(ctx, 2)
	e.mustOK(e.db.MarkNotificationSent(ctx, claimed[a.ID].ID, claimed[a.ID].LeaseToken, storage.ViaCustom))
	e.mustOK(e.db.KillNotification(ctx, claimed[b.ID].ID, claimed[b.ID].LeaseToken, "errcode=43004 require subscribe"))
	claimed = e.claim(ctx, 1)
	e.mustOK(e.db.RetryNotification(ctx, claimed[a.ID].ID, claimed[a.ID].LeaseToken,
		"errcode=45015 response out of time limit openid=oAbCdEfGhIjKlMnOpQrStUvWxYz12 13812345678",
		time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)))

	r := med.get(pageCasePath(a, "")).want(http.StatusOK)
	r.contains(`class="msg msg-staff"`, `class="msg msg-note"`, `class="msg msg-status"`, "内部备注，消费者看不到", "商家电话打不通",
		`<span class="delivery sent" title="客服消息">已送达</span>`,
		`<span class="delivery retrying" title="errcode=45015`, ">重试中</span>",
		`<span class="delivery pending">待发送</span>`)
	r.lacks("oAbCdEfGhIjKlMnOpQrStUvWxYz12", "13812345678")
	if n := strings.Count(r.body, `class="delivery`); n != 3 {
		t.Errorf("%d delivery labels, want 3 (the note has none)", n)
	}
	med.get(pageCasePath(b, "")).contains(`<span class="delivery dead" title="errcode=43004 require subscribe">未送达</span>`)
}

func TestCaseDetailShowsTheNoticesOfAConsumerWhoUnfollowedAsHeld(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	med := e.as(e.mediator)
	med.post(pageCasePath(c, "/accept"), nil).redirected(pageCasePath(c, "?flash="))
	e.mustOK(e.db.SetFollowing(context.Background(), c.OpenID, false, time.Now()))
	med.get(pageCasePath(c, "")).contains(`<span class="delivery held" title="消费者已取消关注公众号`, `>已取消关注</span>`)
}

// claim leases the due notifications and returns them by case.
func (e *pageEnv) claim(ctx context.Context, want int) map[int64]*storage.Notification {
	e.t.Helper()
	list, err := e.db.ClaimNotifications(ctx, 10, time.Hour)
	if err != nil || len(list) != want {
		e.t.Fatalf("claimed %d notifications (%v), want %d", len(list), err, want)
	}
	out := map[int64]*storage.Notification{}
	for _, n := range list {
		out[n.CaseID] = n
	}
	return out
}

func (e *pageEnv) mustOK(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

func TestCaseDetailEscapesConsumerText(t *testing.T) {
	e := newPageEnv(t)
	script := `<script>alert(1)</script>`
	img := `"><img src=x onerror=alert(1)>`
	c := e.newCase(func(nc *storage.NewCase) {
		nc.Description, nc.MerchantName, nc.ComplainantName, nc.Demand = script, img, img, script
	})
	e.consumerSays(c, img+script)
	u := e.as(e.supervisor)
	u.post("/console/canned", pageForm("title", img, "body", script)).redirected("/console/canned")

	for _, r := range []*pageResponse{
		u.get(pageCasePath(c, "")).want(http.StatusOK),
		u.get("/console/cases").want(http.StatusOK),
		u.get("/console/canned").want(http.StatusOK),
	} {
		r.lacks(script, img, "<img src=x")
	}
	u.get(pageCasePath(c, "")).contains(`&lt;script&gt;alert(1)&lt;/script&gt;`, `&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`)
	u.get("/console/cases").contains(`&#34;&gt;&lt;img src=x onerror=alert(1)&gt;`)

	// The polling endpoint is JSON: the text is data, escaped for a script context.
	r := u.get(pageCasePath(c, "/events?after=0")).want(http.StatusOK)
	r.lacks(script)
	var got pageEvents
	decodePage(t, r, &got)
	if last := got.Events[len(got.Events)-1]; last.Body != img+script {
		t.Fatalf("polled body %q", last.Body)
	}
}

// pageEvents is the polling endpoint's answer as console.js reads it.
type pageEvents struct {
	Events []struct {
		ID       int64  `json:"id"`
		Kind     string `json:"kind"`
		Side     string `json:"side"`
		Author   string `json:"author"`
		Body     string `json:"body"`
		At       string `json:"at"`
		Delivery *struct {
			Label, Class, Title string
		} `json:"delivery"`
	} `json:"events"`
	LastID     int64                      `json:"last_id"`
	Unread     bool                       `json:"unread"`
	Deliveries map[string]json.RawMessage `json:"deliveries"`
}

func decodePage(t *testing.T, r *pageResponse, v any) {
	t.Helper()
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type %q", ct)
	}
	if err := json.Unmarshal([]byte(r.body), v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

func TestCaseEventsPolling(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	u := e.as(e.mediator)
	var first pageEvents
	decodePage(t, u.get(pageCasePath(c, "/events?after=0")).want(http.StatusOK), &first)
	if len(first.Events) != 1 || first.Events[0].Kind != "submitted" || first.Unread {
		t.Fatalf("first poll %+v", first)
	}

	u.post(pageCasePath(c, "/reply"), pageForm("text", "请补充发票照片")).redirected(pageCasePath(c, ""))
	ev := e.consumerSays(c, "好的，马上发")
	var next pageEvents
	decodePage(t, u.get(pageCasePath(c, "/events?after="+pageItoa(first.LastID))), &next)
	if len(next.Events) != 2 || next.LastID != ev.ID || !next.Unread {
		t.Fatalf("second poll %+v", next)
	}
	reply, msg := next.Events[0], next.Events[1]
	if reply.Side != "staff" || reply.Author != "调解员甲" || reply.Delivery == nil || reply.Delivery.Label != "待发送" {
		t.Errorf("reply %+v", reply)
	}
	if msg.Side != "consumer" || msg.Body != "好的，马上发" || msg.Author != "消费者" {
		t.Errorf("message %+v", msg)
	}
	if _, ok := next.Deliveries[pageItoa(reply.ID)]; !ok {
		t.Errorf("deliveries %v lack the reply", next.Deliveries)
	}

	// Polling does not mark the case read: the queue keeps its badge.
	var again pageEvents
	decodePage(t, u.get(pageCasePath(c, "/events?after="+pageItoa(next.LastID))), &again)
	if len(again.Events) != 0 || again.LastID != next.LastID || !again.Unread {
		t.Fatalf("third poll %+v", again)
	}
	wantPageRows(t, u.get("/console/cases?unread=1"), c)

	// Opening the page does; so does the 标为已读 button.
	u.get(pageCasePath(c, "")).want(http.StatusOK)
	wantPageRows(t, u.get("/console/cases?unread=1"))
	e.consumerSays(c, "还在吗")
	u.post(pageCasePath(c, "/read"), nil).redirected(pageCasePath(c, ""))
	if e.reload(c).Unread {
		t.Fatal("still unread after 标为已读")
	}
}

func TestRevealPhoneIsAudited(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(func(nc *storage.NewCase) { nc.Phone = "13812345678" })
	u := e.as(e.mediator)
	u.get(pageCasePath(c, "")).lacks("13812345678")
	u.postRaw(pageCasePath(c, "/reveal-phone"), nil).want(http.StatusForbidden).lacks("13812345678")
	u.post(pageCasePath(c, "/reveal-phone"), nil).want(http.StatusOK).contains("13812345678", "已记入审计日志")

	action := storage.AuditRevealPhone
	entries, total, err := e.db.FindAudit(context.Background(), storage.AuditFilter{Action: &action})
	if err != nil || total != 1 {
		t.Fatalf("audit: %d entries, %v", total, err)
	}
	got := entries[0]
	if got.StaffID != e.mediator.ID || got.CaseID != c.ID || strings.Contains(got.Detail, "5678") || strings.Contains(got.Detail, "138") {
		t.Fatalf("audit entry %+v", got)
	}
	e.anonymous().postRaw(pageCasePath(c, "/reveal-phone"), nil).redirected("/console/login")
}

func TestCaseDetailUnknownCase(t *testing.T) {
	e := newPageEnv(t)
	e.as(e.mediator).get("/console/cases/TS-2026-999999").want(http.StatusNotFound).contains("找不到")
	c := e.newCase(nil)
	loose := strings.ToLower(strings.ReplaceAll(c.Number, "-", "")) // ts2026000001
	e.as(e.mediator).get("/console/cases/" + loose).want(http.StatusOK).contains(c.Number)
}

// A reply that only a template message carried reached the consumer as "your
// case has news", not as words: the page must not say 已送达.
func TestTemplateDeliveredReplyIsNotShownAsDelivered(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	c := e.newCase(nil)
	med := e.as(e.mediator)
	med.post(pageCasePath(c, "/accept"), nil).redirected(pageCasePath(c, "?flash="))
	med.post(pageCasePath(c, "/reply"), pageForm("text", "请补充发票照片")).redirected(pageCasePath(c, ""))
	for range 2 { // one consumer's notices go out one at a time, in order
		n := e.claim(ctx, 1)[c.ID]
		e.mustOK(e.db.MarkNotificationSent(ctx, n.ID, n.LeaseToken, storage.ViaTemplate))
	}
	r := med.get(pageCasePath(c, "")).want(http.StatusOK)
	r.contains(`<span class="delivery sent" title="模板消息">已送达</span>`, // the status notice: the template carries the status
		`<span class="delivery notified" title="`, ">已通知（模板消息，回复内容未送达）</span>")
	if n := strings.Count(r.body, ">已送达<"); n != 1 {
		t.Errorf("%d entries shown as 已送达, want only the status change", n)
	}
}

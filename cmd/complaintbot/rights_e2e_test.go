package main

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestEndToEndConsumerRights runs the consumer's rights through the real
// service: a consumer files a complaint in the simulator's chat and, while it
// is still open, reads what is held (我的信息, masked), correct
// their phone (更正电话; the mediator's timeline shows it masked), start a new
// complaint and in its middle ask to be deleted (删除我的信息 → 确认删除). The
// open case waits in the supervisors' deletion-request list; a supervisor
// carries it out through the console's API, the case is withdrawn and
// anonymised, and the consumer is told in WeChat.
func TestEndToEndConsumerRights(t *testing.T) {
	m := runMain(t)
	ctx := context.Background()
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("rights")}
	c := fileCase(t, m, p)

	info := p.expect("我的信息", c.Number)
	if strings.Contains(info, c.Phone) || !strings.Contains(info, c.Phone[:3]+"****"+c.Phone[7:]) ||
		!strings.Contains(info, "办结后保存") {
		t.Fatalf("我的信息 should show the phone masked and the retention:\n%s", info)
	}
	p.expect("更正电话 13700001111", "137****1111")
	if got, err := m.DB.FindCaseByNumber(ctx, c.Number); err != nil || got.Phone != "13700001111" {
		t.Fatalf("case after 更正电话: %+v, %v", got, err)
	}
	events, err := m.DB.ListEvents(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	last := events[len(events)-1]
	if !strings.Contains(last.Body, "更正了联系电话") || strings.Contains(last.Body, c.Phone) {
		t.Fatalf("timeline entry of the correction: %q", last.Body)
	}

	p.expect("我要投诉", "同意")
	p.expect("同意", "")
	p.expect("删除我的信息", "确认删除")
	done := p.expect("确认删除", c.Number+" 还在办理中，已提交删除申请")
	if !strings.Contains(done, "投诉草稿和对话记录已删除") {
		t.Fatalf("the reply should say the draft is gone:\n%s", done)
	}
	if reply := p.say("你好"); strings.Contains(reply, "请选择") && strings.Contains(reply, "类别") {
		t.Fatalf("the draft survived the erasure:\n%s", reply)
	}

	token, sup := newToken(t, m, "rights.boss", storage.RoleSupervisor)
	api := apiCaller{t: t, base: m.URL(), token: token}
	list := api.ok("GET", "/deletion-requests?status=pending", "")
	reqs, _ := list["requests"].([]any)
	if len(reqs) != 1 {
		t.Fatalf("pending requests: %v", list)
	}
	req := reqs[0].(map[string]any)
	if req["case"] != c.Number || req["due_on"] == "" {
		t.Fatalf("request: %v", req)
	}
	id := strconv.FormatInt(int64(req["id"].(float64)), 10)
	out := api.ok("POST", "/deletion-requests/"+id+"/carry-out", "{}")
	if out["status"] != storage.DeletionDone || out["handled_by"] != float64(sup.ID) {
		t.Fatalf("carried out: %v", out)
	}
	if status, _ := api.do("POST", "/deletion-requests/"+id+"/carry-out", "{}"); status != http.StatusConflict {
		t.Fatalf("carrying out twice: %d", status)
	}
	got, err := m.DB.FindCaseByNumber(ctx, c.Number)
	if err != nil || !got.Anonymised || got.Phone != "" || got.OpenID != "" || got.Status != storage.StatusWithdrawn {
		t.Fatalf("case after carrying out: %+v, %v", got, err)
	}
	waitNotice(t, m, p.openID, c.Number, "个人信息已按您的要求删除")
	p.expect("我的信息", "没有保存您的个人信息")
}

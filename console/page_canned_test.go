package console_test

import (
	"context"
	"html/template"
	"net/http"
	"strings"
	"testing"
)

func TestCannedRepliesCRUD(t *testing.T) {
	e := newPageEnv(t)
	ctx := context.Background()
	sup := e.as(e.supervisor)
	sup.get("/console/canned").want(http.StatusOK).contains("还没有常用回复")

	sup.post("/console/canned", pageForm("title", "", "body", "x")).want(http.StatusBadRequest)
	sup.post("/console/canned", pageForm("title", "索要发票", "body", "请上传购物发票或小票的照片。")).
		redirected("/console/canned?flash=")
	list, err := e.db.ListCannedReplies(ctx)
	if err != nil || len(list) != 1 {
		t.Fatalf("canned %v, %v", list, err)
	}
	id := pageItoa(list[0].ID)
	sup.get("/console/canned").contains("索要发票", "请上传购物发票或小票的照片。", `action="/console/canned/`+id+`"`)

	// Mediators insert them while replying.
	c := e.newCase(nil)
	e.as(e.mediator).get(pageCasePath(c, "")).
		contains(`class="canned-picker"`, `<option value="请上传购物发票或小票的照片。">索要发票</option>`)

	sup.post("/console/canned/"+id, pageForm("title", "索要凭证", "body", "请上传付款凭证。")).redirected("/console/canned")
	if list, _ = e.db.ListCannedReplies(ctx); list[0].Title != "索要凭证" || list[0].Body != "请上传付款凭证。" {
		t.Fatalf("after update %+v", list[0])
	}
	sup.post("/console/canned/"+id+"/delete", nil).redirected("/console/canned")
	if list, _ = e.db.ListCannedReplies(ctx); len(list) != 0 {
		t.Fatalf("after delete %+v", list)
	}
	sup.post("/console/canned/abc/delete", nil).want(http.StatusNotFound)
}

func TestCannedRepliesAreForSupervisors(t *testing.T) {
	e := newPageEnv(t)
	c, err := e.db.CreateCannedReply(context.Background(), "问候", "您好", e.supervisor.ID)
	if err != nil {
		t.Fatal(err)
	}
	med := e.as(e.mediator)
	med.get("/console/canned").want(http.StatusForbidden)
	med.post("/console/canned", pageForm("title", "t", "body", "b")).want(http.StatusForbidden)
	med.post("/console/canned/"+pageItoa(c.ID), pageForm("title", "t", "body", "b")).want(http.StatusForbidden)
	med.post("/console/canned/"+pageItoa(c.ID)+"/delete", nil).want(http.StatusForbidden)
	if list, _ := e.db.ListCannedReplies(context.Background()); len(list) != 1 || list[0].Body != "您好" {
		t.Fatalf("a mediator changed canned replies: %+v", list)
	}
}

// TestRefusedCannedReplyKeepsTheTypedText: a canned reply refused for its length
// (added or changed) brings the page back with the message and the words typed.
func TestRefusedCannedReplyKeepsTheTypedText(t *testing.T) {
	e := newPageEnv(t)
	sup := e.as(e.supervisor)
	long := "您好，" + strings.Repeat("请提供购物凭证。", 80)
	sup.post("/console/canned", pageForm("title", "索要凭证", "body", long)).want(http.StatusBadRequest).
		contains("未能保存：正文 不能超过 600 个字").wantInForm("canned-new-body", long).wantInForm("canned-new-title", "索要凭证")

	sup.post("/console/canned", pageForm("title", "索要发票", "body", "请上传发票。")).redirected("/console/canned")
	list, err := e.db.ListCannedReplies(context.Background())
	if err != nil || len(list) != 1 {
		t.Fatalf("canned %v, %v", list, err)
	}
	r := sup.post("/console/canned/"+pageItoa(list[0].ID), pageForm("title", "索要发票", "body", long)).
		want(http.StatusBadRequest).contains("正文 不能超过 600 个字", template.HTMLEscapeString(long)+"</textarea>")
	if strings.Contains(r.body, "请上传发票。") {
		t.Errorf("the refused change shows the stored body instead of the typed one")
	}
}

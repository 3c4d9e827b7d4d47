package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

var idemInPage = regexp.MustCompile(`name="idem" value="([A-Za-z0-9_-]+)"`)

// pageIdem returns the idem key of the case page's forms, checking that the
// reply and the note form carry it.
func pageIdem(t *testing.T, u *pageUser, c *storage.Case) string {
	t.Helper()
	r := u.get(pageCasePath(c, "")).want(http.StatusOK)
	m := idemInPage.FindAllStringSubmatch(r.body, -1)
	if len(m) != 2 || m[0][1] != m[1][1] || len(m[0][1]) < 22 {
		t.Fatalf("the reply and note forms do not carry one random idem key: %v", m)
	}
	return m[0][1]
}

// countKinds counts the case's events by kind and its notifications.
func (e *pageEnv) countKinds(c *storage.Case) (map[storage.EventKind]int, int) {
	e.t.Helper()
	events, err := e.db.ListEvents(context.Background(), c.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	kinds := map[storage.EventKind]int{}
	for _, ev := range events {
		kinds[ev.Kind]++
	}
	notes, err := e.db.FindNotifications(context.Background(), storage.NotificationFilter{CaseID: &c.ID})
	if err != nil {
		e.t.Fatal(err)
	}
	return kinds, len(notes)
}

func TestReplyFormPostedTwiceSendsOnce(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	med := e.as(e.mediator)
	idem := pageIdem(t, med, c)
	if again := pageIdem(t, med, c); again == idem {
		t.Fatal("two renderings of the page share an idem key")
	}
	form := pageForm("text", "您好，我们已联系商家。", "idem", idem)
	for range 2 { // a double click
		med.post(pageCasePath(c, "/reply"), form).redirected(pageCasePath(c, "?flash="))
	}
	if kinds, notices := e.countKinds(c); kinds[storage.EventStaffReply] != 1 || notices != 1 {
		t.Fatalf("%d replies, %d notifications after posting one form twice; want 1 and 1", kinds[storage.EventStaffReply], notices)
	}
	// Other words under a used key are refused, not silently dropped.
	med.post(pageCasePath(c, "/reply"), pageForm("text", "另一条回复", "idem", idem)).
		want(http.StatusConflict).contains("未保存、未发送")
	// The note form shares the key but not the entry; it too is stored once.
	for range 2 {
		med.post(pageCasePath(c, "/note"), pageForm("text", "已电话联系商家", "idem", idem)).redirected(pageCasePath(c, "?flash="))
	}
	// Another person's form with the same key is another message.
	e.as(e.mediator2).post(pageCasePath(c, "/reply"), form).redirected(pageCasePath(c, "?flash="))
	kinds, notices := e.countKinds(c)
	if kinds[storage.EventStaffReply] != 2 || kinds[storage.EventNote] != 1 || notices != 2 {
		t.Fatalf("events %v, %d notifications; want 2 replies, 1 note, 2 notifications", kinds, notices)
	}
	med.post(pageCasePath(c, "/reply"), pageForm("text", "你好", "idem", "../../x")).want(http.StatusBadRequest)
	med.post(pageCasePath(c, "/reply"), pageForm("text", "没有幂等键的表单")).redirected(pageCasePath(c, "?flash="))
	if kinds, _ := e.countKinds(c); kinds[storage.EventStaffReply] != 3 {
		t.Fatalf("%d replies; a form without a key (a page from before) must still be stored", kinds[storage.EventStaffReply])
	}
}

func TestFormPostBodyIsLimited(t *testing.T) {
	e := newPageEnv(t)
	c := e.newCase(nil)
	med := e.as(e.mediator)
	big := pageForm("text", "正常的备注", "padding", strings.Repeat("x", 1<<20))
	med.post(pageCasePath(c, "/note"), big).want(http.StatusRequestEntityTooLarge).contains("提交的内容过长")
	if kinds, _ := e.countKinds(c); kinds[storage.EventNote] != 0 {
		t.Fatal("a 1 MiB form was read and its note stored")
	}
	// The longest note the form allows still fits.
	med.post(pageCasePath(c, "/note"), pageForm("text", strings.Repeat("长", 5000))).redirected(pageCasePath(c, "?flash="))
	// Sign-out, which reads its own form, is bounded too.
	med.post("/console/logout", big).want(http.StatusRequestEntityTooLarge)
	med.get("/console/cases").want(http.StatusOK)
}

package console_test

import (
	"net/http"
	"testing"
)

func TestAuditLogPage(t *testing.T) {
	e := newPageEnv(t)
	a, b := e.newCase(nil), e.newCase(nil)
	e.as(e.mediator).post(pageCasePath(a, "/reveal-phone"), nil).want(http.StatusOK)
	e.as(e.mediator2).post(pageCasePath(b, "/reply"), pageForm("text", "您好")).redirected(pageCasePath(b, ""))
	sup := e.as(e.supervisor)

	all := sup.get("/console/audit").want(http.StatusOK)
	all.contains("查看完整手机号", "回复消费者", "调解员甲", "调解员乙", a.Number, b.Number, "2026-03-02")
	all.lacks(a.Phone)

	sup.get("/console/audit?action=reveal_phone").contains(a.Number, `<option value="reveal_phone" selected>`).lacks(b.Number + "<")
	sup.get("/console/audit?staff=" + pageItoa(e.mediator2.ID)).contains(b.Number).lacks(a.Number + "<")
	sup.get("/console/audit?case="+b.Number).contains(b.Number, "回复消费者").lacks("查看完整手机号</td>")
	sup.get("/console/audit?case=TS-2026-999999").contains("没有符合条件的记录")
	sup.get("/console/audit?from=2026-03-02&to=2026-03-02").contains(a.Number, b.Number)
	sup.get("/console/audit?from=2026-03-03").contains("没有符合条件的记录")
	sup.get("/console/audit?to=2026-03-01").contains("没有符合条件的记录")

	e.as(e.mediator).get("/console/audit").want(http.StatusForbidden)
	e.anonymous().get("/console/audit").redirected("/console/login")
}

package console_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestConsoleErrorPagesAreChineseInTheLayout: a mistyped address, a case number
// that names no case and a form posted from another site get a page a staff
// member can read and leave by the navigation, not Go's English "404 page not
// found" or a JSON error; the API keeps its JSON errors.
func TestConsoleErrorPagesAreChineseInTheLayout(t *testing.T) {
	e := newPageEnv(t)
	med := e.as(e.mediator)
	med.get("/console/no-such-page").want(http.StatusNotFound).
		contains("页面不存在", `lang="zh-CN"`, `href="/console/cases"`, "调解员甲").lacks("404 page not found")
	med.post("/console/cases/x/no-such-action", nil).want(http.StatusNotFound).contains("页面不存在")
	e.anonymous().get("/console/nowhere").want(http.StatusNotFound).contains("页面不存在")

	c := e.newCase(nil)
	med.get("/console/cases/TS-2026-999999").want(http.StatusNotFound).
		contains("案件不存在", "TS-2026-999999", `lang="zh-CN"`)

	cross := httptest.NewRequest(http.MethodPost, pageCasePath(c, "/note"), strings.NewReader("text=x"))
	cross.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	cross.Header.Set("Sec-Fetch-Site", "cross-site")
	med.send(cross).want(http.StatusForbidden).contains("跨站请求已被拒绝", `lang="zh-CN"`)

	api := med.get("/api/v1/nowhere").want(http.StatusNotFound)
	if ct := api.header.Get("Content-Type"); ct != "application/json; charset=utf-8" && ct != "application/json" {
		t.Errorf("API 404 Content-Type %q, want JSON", ct)
	}
}

// TestStaticFolderIsNotListed: the files of /console/static/ are served, but no
// directory is listed.
func TestStaticFolderIsNotListed(t *testing.T) {
	e := newPageEnv(t)
	for _, u := range []*pageUser{e.anonymous(), e.as(e.mediator)} {
		css := u.get("/console/static/console.css").want(http.StatusOK)
		if ct := css.header.Get("Content-Type"); ct != "text/css; charset=utf-8" || len(css.body) < 100 {
			t.Fatalf("console.css: Content-Type %q, %d bytes", ct, len(css.body))
		}
		u.get("/console/static/console.js").want(http.StatusOK)
		// A listing links each file by its bare name; the layout of the 404 page
		// links them by their full path.
		u.get("/console/static/").want(http.StatusNotFound).contains("页面不存在").
			lacks(`href="console.css"`, `href="console.js"`)
		u.get("/console/static/missing.css").want(http.StatusNotFound).contains("页面不存在")
	}
}

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/configs"
	"github.com/complaintbot/complaintbot/dialog"
	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// complaint is what one consumer files in the chat.
type complaint struct {
	category    string // as the consumer answers the category question
	merchant    string
	description string
}

// fileWith walks the whole intake with the given answers and returns the case.
func fileWith(t *testing.T, m *Main, p consumer, c complaint) *storage.Case {
	t.Helper()
	p.send(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: wechatsim.EventSubscribe})
	if r := p.send(wechatsim.Message{MsgType: wechatsim.MsgEvent, Event: "CLICK", EventKey: dialog.MenuComplain}); !strings.Contains(r.Content, "同意") {
		t.Fatalf("privacy notice: %q", r.Content)
	}
	p.expect("同意", "（1/10）")
	p.expect(c.category, "（2/10）")
	p.expect(c.merchant, "（3/10）")
	p.expect("湖北省襄阳市樊城区人民路1号", "（4/10）")
	p.expect("昨天", "（5/10）")
	p.expect("500元", "（6/10）")
	p.expect(c.description, "（7/10）")
	p.expect("1", "（8/10）")
	photo := m.Platform.AddMedia("image/jpeg", jpegBytes)
	if r := p.send(wechatsim.Message{MsgType: wechatsim.MsgImage, MediaID: photo}); !strings.Contains(r.Content, "第1张") {
		t.Fatalf("photo ack: %q", r.Content)
	}
	p.expect("完成", "（9/10）")
	p.expect("张三", "（10/10）")
	p.expect("13812345678", "确认")
	number := caseNumberPattern.FindString(p.say("确认"))
	got, err := m.DB.FindCaseByNumber(context.Background(), number)
	if err != nil {
		t.Fatalf("the case filed (%q): %v", number, err)
	}
	return got
}

// waitNotice waits until the consumer has received a message containing every
// one of wants, and returns it.
func waitNotice(t *testing.T, m *Main, openID string, wants ...string) wechatsim.SentMessage {
	t.Helper()
	var found wechatsim.SentMessage
	eventually(t, "a notice with "+strings.Join(wants, " + "), func() bool {
		for _, s := range pushedTo(m, openID) {
			if len(missingFrom(s.Content, wants...)) == 0 {
				found = s
				return true
			}
		}
		return false
	})
	return found
}

// TestEndToEndMonthOfCasework runs a month of casework the way people meet it:
// consumers file in the simulator's chat, a supervisor and a mediator work the
// cases in Chromium on the console (routing rule, acceptance, material asked for
// and sent, testing, a referral to the merchant, the three kinds of closing,
// closing the file, bulk assignment, the due-date column and the overdue
// filter), consumers follow every notice, withdraw and rate, and the month's
// report, its downloads and the annual report show exactly what was done.
//
// The service runs on a fake clock (Main.Now, shared by the store, the console,
// the chat and the workers) that starts on Monday 2 March 2026 and is moved on
// day by day; everything it stores and every due day it judges follows it. Only
// WeChat's own clock (signatures, the 48-hour window) and the console sessions
// stay on the wall clock, as they would in production.
func TestEndToEndMonthOfCasework(t *testing.T) {
	browser := testenv.Chromium(t)
	clock := testenv.NewWallClock()
	start := time.Date(2026, 3, 2, 9, 0, 0, 0, storage.ChinaTime)
	clock.Advance(time.Until(start))
	day := func(d int) { // moves the clock to 09:00 on 2026-03-d
		clock.Advance(time.Date(2026, 3, d, 9, 0, 0, 0, storage.ChinaTime).Sub(clock.Now()))
	}
	m := startMainOn(t, func(*configs.Config) {}, clock.Now)
	t.Cleanup(func() {
		if err := m.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	ctx := context.Background()

	sup, _ := openDesk(t, m, browser, "zhuren", "赵主任", storage.RoleSupervisor)
	med, wang := openDesk(t, m, browser, "wangfang", "王芳", storage.RoleMediator)
	if _, err := m.DB.CreateStaff(ctx, storage.NewStaff{Username: "lihua", Name: "李华", Role: storage.RoleMediator, PasswordHash: "x"}); err != nil {
		t.Fatal(err)
	}

	// The supervisor sets up the car studio: a team that assigns automatically,
	// with 李华 as its member, and a rule sending 交通工具 complaints to it.
	const studio = "汽车消费维权工作室"
	sup.open("/console/teams", `document.querySelector("form.team-new") !== null`)
	sup.submit("form.team-new", map[string]string{"name": studio, "auto": "1"},
		`document.querySelector("form.team-edit input[name=name]") !== null`)
	sup.submit("form.team-members", map[string]string{"member": "李华"}, `document.body.innerText.includes("成员：李华")`)
	sup.submit("form.rule-form", map[string]string{"kind": "category", "category": "交通工具", "team": studio},
		`document.querySelector("table.rules") !== null && document.querySelector("table.rules").innerText.includes("`+studio+`")`)

	// Monday 2 March: eight consumers file.
	people := map[string]consumer{}
	cases := map[string]*storage.Case{}
	for _, f := range []struct {
		key string
		complaint
	}{
		{"fridge", complaint{"1", "襄阳某某电器有限公司", "购买的冰箱不制冷，商家拒绝退货，已经协商三次没有结果。"}},
		{"car", complaint{"汽车/交通工具", "襄阳某某汽车销售服务有限公司", "新车提车一周发动机故障灯亮，4S店拒绝更换。"}},
		{"food", complaint{"4", "某某生鲜超市", "买到的牛奶已经过期变质，商家不肯退款。"}},
		{"shoes", complaint{"3", "某某鞋业专卖店", "新买的皮鞋穿了两天就开胶，商家不给退换。"}},
		{"cream", complaint{"2", "某某化妆品店", "面霜用后过敏，商家不认。"}},
		{"game", complaint{"7", "某某网络游戏公司", "游戏账号被无故封禁，充值的钱要不回来。"}},
		{"late", complaint{"12", "某某小额贷款公司", "贷款合同里的服务费事先没有说明。"}},
		{"broadband", complaint{"9", "某某通信营业厅", "宽带办理后一直无法上网，营业厅不给退费。"}},
	} {
		p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID(f.key)}
		people[f.key], cases[f.key] = p, fileWith(t, m, p, f.complaint)
	}
	car, _ := m.DB.FindCaseByNumber(ctx, cases["car"].Number)
	if car.Category != "交通工具" || car.TeamID == 0 || car.AssigneeID == 0 {
		t.Fatalf("the car complaint should be routed to %s and assigned automatically: %+v", studio, car)
	}
	if fridge, _ := m.DB.FindCaseByNumber(ctx, cases["fridge"].Number); fridge.TeamID != 0 {
		t.Fatalf("the fridge complaint matched no rule and there is no default team, yet it has team %d", fridge.TeamID)
	}
	num := func(key string) string { return cases[key].Number }
	casePage := func(d *desk, key string) {
		d.open("/console/cases/"+num(key), `document.querySelector(".case-head") !== null`)
	}

	// The supervisor shares the new cases out: fridge, food and shoes to 王芳.
	sup.open("/console/cases", `document.querySelector("table.cases") !== null`)
	for _, key := range []string{"fridge", "food", "shoes"} {
		sup.eval(`(() => { document.querySelector('input[name="case"][value="`+num(key)+`"]').checked = true; return true })()`, nil)
	}
	sup.submit("form#bulk-assign", map[string]string{"assignee": "王芳"}, `document.querySelector(".flash") !== null`)
	for _, key := range []string{"fridge", "food", "shoes"} {
		if c, _ := m.DB.FindCaseByNumber(ctx, num(key)); c.AssigneeID != wang.ID {
			t.Fatalf("bulk assignment: %s has assignee %d, want 王芳 (%d)", num(key), c.AssigneeID, wang.ID)
		}
	}

	// Tuesday 3 March: decisions.
	day(3)
	casePage(med, "fridge")
	med.submit(caseForm("material", ""), map[string]string{"material": "请补充购物发票和冰箱铭牌的照片"}, statusIs(num("fridge"), "待补正"))
	waitNotice(t, m, people["fridge"].openID, num("fridge"), "待补正", "请补充购物发票和冰箱铭牌的照片")
	casePage(sup, "broadband")
	sup.submit(caseForm("material", ""), map[string]string{"material": "请补充宽带合同的照片"}, statusIs(num("broadband"), "待补正"))
	sup.open("/console/cases", `document.querySelector("table.cases") !== null`)
	if due := dueCell(sup, num("fridge")); !strings.Contains(due, "暂停中") {
		t.Errorf("while material is awaited the 期限 column should read 暂停中, got %q", due)
	}
	for _, key := range []string{"car", "food", "shoes"} {
		casePage(sup, key)
		sup.submit(caseForm("accept", ""), nil, statusIs(num(key), "已受理"))
		waitNotice(t, m, people[key].openID, num(key), "已受理")
	}
	casePage(sup, "game")
	sup.submit(caseForm("reject", ""), map[string]string{"reason": storage.RejectReasons[0]}, statusIs(num("game"), "不予受理"))
	waitNotice(t, m, people["game"].openID, num("game"), "不予受理")
	// The cream consumer changes their mind and withdraws in the chat.
	people["cream"].expect("撤回 "+num("cream"), "确认撤回")
	people["cream"].expect("确认撤回", "已撤回")

	// Wednesday 4 March: the fridge consumer sends the material in the chat; it
	// lands on the case, and the mediator resumes and accepts.
	day(4)
	fridgeP := people["fridge"]
	photo := m.Platform.AddMedia("image/jpeg", jpegBytes)
	fridgeP.send(wechatsim.Message{MsgType: wechatsim.MsgImage, MediaID: photo})
	fridgeP.say("发票照片已发，铭牌在冰箱背面，也拍了。")
	eventually(t, "the material on the case", func() bool {
		ev, err := m.DB.ListEvidence(ctx, cases["fridge"].ID)
		return err == nil && len(ev) == 2
	})
	casePage(med, "fridge")
	if miss := missingFrom(med.text("main"), "发票照片已发，铭牌在冰箱背面"); miss != nil {
		t.Fatalf("the consumer's material is not on the case page: %v", miss)
	}
	med.submit(caseForm("resume", ""), nil, statusIs(num("fridge"), "待受理"))
	med.submit(caseForm("accept", ""), nil, statusIs(num("fridge"), "已受理"))
	for _, key := range []string{"fridge", "food"} {
		casePage(med, key)
		med.submit(caseForm("status", "mediating"), nil, statusIs(num(key), "调解中"))
		waitNotice(t, m, people[key].openID, num(key), "调解中")
	}
	for _, key := range []string{"car", "shoes"} {
		casePage(sup, key)
		sup.submit(caseForm("status", "mediating"), nil, statusIs(num(key), "调解中"))
	}

	// The mediator, away from the desk, opens a case in mediation on a phone.
	checkPhoneCasePage(t, med, num("food"), "month-mediating-phone.png", `form.close-form select[name="outcome"]`,
		`form.close-form select[name="reason"]`, `#close-recovered`, `form.close-form button`, caseForm("status", "referred")+` select`)

	// Thursday 5 March: the car goes to testing, the milk to the merchant. The
	// broadband consumer has sent nothing, but the week allowed has not passed.
	day(5)
	casePage(sup, "broadband")
	if miss := missingFrom(sup.text("main"), "2026-03-10", "起可以“不予受理（"+storage.MaterialReasonMissing+"）”"); miss != nil {
		t.Errorf("the case page should say from when the case may be rejected for missing material: %v", miss)
	}
	casePage(sup, "car")
	sup.submit(caseForm("status", "appraisal"), nil, statusIs(num("car"), "检测鉴定"))
	waitNotice(t, m, people["car"].openID, num("car"), "检测鉴定")
	casePage(med, "food")
	med.submit(caseForm("status", "referred"), map[string]string{"target": storage.MerchantReferral}, statusIs(num("food"), "已转办"))
	waitNotice(t, m, people["food"].openID, num("food"), "已转办")

	// Tuesday 10 March: the test report is back.
	day(10)
	casePage(sup, "car")
	sup.submit(caseForm("status", "mediating"), nil, statusIs(num("car"), "调解中"))

	// Wednesday 11 March: the week is over and the material never came.
	day(11)
	casePage(sup, "broadband")
	sup.submit(`form[action$="/reject"]:has(input[type=hidden][name=reason])`, nil, statusIs(num("broadband"), "不予受理"))

	// Monday 16 March: the loan complaint, never decided, is past its 受理决定
	// day (11 March): the queue's 期限 column and the 已超期 filter say so.
	day(16)
	sup.open("/console/cases", `document.querySelector("table.cases") !== null`)
	lateDue := dueCell(sup, num("late"))
	if miss := missingFrom(lateDue, "受理决定", "已超期 3 个工作日"); miss != nil {
		t.Errorf("the 期限 column of the undecided case reads %q; missing %v", lateDue, miss)
	}
	sup.open("/console/cases?due=overdue", `document.querySelector("p.count") !== null`)
	var overdue []string
	sup.eval(`[...document.querySelectorAll("table.cases tbody tr td:nth-child(2)")].map(td => td.innerText.trim())`, &overdue)
	if len(overdue) != 1 || overdue[0] != num("late") {
		t.Errorf("已超期 lists %v, want only %s", overdue, num("late"))
	}
	overdueCSV, err := csvRecords(sup.fetchText("/console/cases/export.csv?due=overdue"))
	if err != nil || len(overdueCSV) != 2 {
		t.Fatalf("the 已超期 download: %q, %v", overdueCSV, err)
	}
	if row := strings.Join(overdueCSV[1], "|"); !strings.HasPrefix(row, num("late")+"|") ||
		!strings.HasSuffix(row, "|受理决定|2026-03-11|已超期 3 个工作日") || !strings.Contains(row, "138****5678") {
		t.Errorf("the 已超期 download's row %q: want the undecided case, its phone masked, its 期限", row)
	}
	sup.open("/console/overdue", `document.querySelector("main") !== null`)
	if miss := missingFrom(sup.text("main"), num("late")); miss != nil {
		t.Errorf("the overdue list lacks the undecided case")
	}
	sup.screenshot("month-overdue.png")

	// Wednesday 18 March: the closings.
	day(18)
	casePage(med, "fridge")
	med.submit("form.close-form", map[string]string{"outcome": "agreement", "recovered": "1200", "double": "1"}, statusIs(num("fridge"), "调解成功"))
	casePage(sup, "car")
	sup.submit("form.close-form", map[string]string{"outcome": "settled", "recovered": "800.00"}, statusIs(num("car"), "调解成功"))
	casePage(med, "food")
	med.submit("form.close-form", map[string]string{"outcome": "agreement", "recovered": "300"}, statusIs(num("food"), "调解成功"))
	casePage(sup, "shoes")
	sup.submit("form.close-form", map[string]string{"outcome": "terminated", "reason": storage.TerminationReasons[0]}, statusIs(num("shoes"), "终止调解"))
	waitNotice(t, m, people["shoes"].openID, num("shoes"), "终止调解")
	for _, key := range []string{"fridge", "car", "food", "shoes"} {
		d := sup
		if key == "fridge" || key == "food" {
			d = med
		}
		casePage(d, key)
		d.submit(caseForm("status", "closed"), nil, statusIs(num(key), "已办结"))
		waitNotice(t, m, people[key].openID, num(key), "已办结")
		waitNotice(t, m, people[key].openID, num(key), "评价", "满意")
	}
	people["fridge"].expect("满意", num("fridge"))
	people["fridge"].expect("调解员很耐心，谢谢", "感谢")
	people["car"].expect("基本满意", num("car"))
	people["car"].expect("跳过", "感谢")
	casePage(med, "fridge")
	if miss := missingFrom(med.text("main"), "满意", "调解员很耐心，谢谢", "1200.00 元（加倍赔偿）"); miss != nil {
		t.Errorf("the closed fridge case page lacks %v", miss)
	}

	// The consumers heard of every step of their own cases.
	for key, wants := range map[string][][]string{
		"fridge":    {{"待补正", "发票"}, {"已受理"}, {"调解中"}, {"调解成功"}, {"已办结"}},
		"car":       {{"已受理"}, {"检测鉴定"}, {"调解成功"}, {"已办结"}},
		"food":      {{"已转办", "转办去向：" + storage.MerchantReferral}, {"调解成功"}},
		"game":      {{"不予受理", storage.RejectReasons[0]}},
		"broadband": {{"待补正", "宽带合同"}, {"不予受理", storage.MaterialReasonMissing}},
	} {
		for _, w := range wants {
			waitNotice(t, m, people[key].openID, append([]string{num(key)}, w...)...)
		}
	}

	// The supervisor picks the car case for the annual report's 典型案例.
	casePage(sup, "car")
	sup.submit(`form[action$="/typical"]`, map[string]string{"title": "新车发动机故障，经检测后协商和解",
		"summary": "消费者购买新车一周后发动机故障灯亮，经营者拒绝更换。经检测鉴定确认质量问题，双方协商和解，经营者赔偿800元。"},
		`document.querySelector(".typical-case b") !== null`)

	checkMonthReport(t, sup)

	// The month's workload: 王芳 ended fridge, food and shoes (two mediated),
	// 李华 the car, which the studio gave her; nobody has an open case left.
	sup.open("/console/workload?month=2026-03", `document.querySelector("table") !== null`)
	for _, want := range [][]string{{"王芳（调解员）", "0", "0", "3", "2", "66.67%"}, {"李华（调解员）", "0", "0", "1", "1", "100.00%"}} {
		found := false
		for _, row := range tableRows(sup, "table") {
			if len(row) >= 6 && row[0] == want[0] {
				found = true
				if strings.Join(row[:6], "|") != strings.Join(want, "|") {
					t.Errorf("工作量 row %v, want %v", row[:6], want)
				}
			}
		}
		if !found {
			t.Errorf("工作量 has no row for %s", want[0])
		}
	}

	// Every other page of the console renders for its roles without a browser
	// error (the desks fail the test on any when it ends).
	admin, _ := openDesk(t, m, browser, "guanli", "钱管理", storage.RoleAdmin)
	for d, paths := range map[*desk][]string{
		med:   {"/console/overdue", "/console/tokens", "/console/password", "/console/cases/" + num("car")},
		sup:   {"/console/workload", "/console/workload?month=2026-03", "/console/audit", "/console/canned"},
		admin: {"/console/calendar/2026", "/console/staff", "/console/settings", "/console/staff/new"},
	} {
		for _, path := range paths {
			d.open(path, `document.querySelector("main h1") !== null`)
		}
	}
	checkPhoneCasePage(t, med, num("late"), "month-case-phone.png",
		`a.jump-to-actions`, `form[action$="/accept"] button`, `#reply-text`, `form[action$="/material"] button`)
}

// checkPhoneCasePage opens a case on a 390 px wide phone screen: nothing may
// stick out sideways, and the controls (CSS selectors) must be reachable and
// big enough to tap. The desk is back on its desktop screen afterwards.
func checkPhoneCasePage(t *testing.T, d *desk, number, shot string, controls ...string) {
	t.Helper()
	d.run("phone screen", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	defer d.run("desktop screen", chromedp.EmulateReset())
	d.open("/console/cases/"+number, `document.querySelector(".case-head") !== null`)
	d.screenshot(shot)
	var wide []string
	d.eval(`[...document.querySelectorAll("body *")].filter(e => e.getBoundingClientRect().right > 391 && !e.closest(".table-wrap")).map(e => e.tagName + "." + e.className).slice(0, 10)`, &wide)
	var scroll int
	d.eval(`document.documentElement.scrollWidth`, &scroll)
	if scroll > 390 || len(wide) > 0 {
		t.Errorf("the case page is %d px wide on a 390 px phone; sticking out: %v", scroll, wide)
	}
	for _, sel := range controls {
		var box []float64
		d.eval(`(() => { const e = document.querySelector(`+jsString(sel)+`); if (!e) return [-1, 0, 0, 0];
			const r = e.getBoundingClientRect(); return [r.left, r.right, r.width, r.height] })()`, &box)
		if box[0] < 0 || box[1] > 390 || box[2] < 40 || box[3] < 24 {
			t.Errorf("on a phone, %s sits at %v (left, right, width, height): not comfortably tappable", sel, box)
		}
	}
}

// checkMonthReport opens the March report as the supervisor and checks its
// figures against what the test did, then the downloads and the annual report.
//
// What was done: 8 received; fridge, car, food and shoes accepted (4); game and
// broadband not accepted (2); cream withdrawn before a decision (1); the loan still pending
// (1). Mediated: fridge (agreement ¥1,200, 加倍赔偿), car (settled ¥800), food
// (agreement ¥300 after the referral to the merchant) = 3 of 4 accepted = 75.00%,
// ¥2,300.00 in all. Channels: 本会调解 3 accepted, 2 mediated; 企业和解 1 and 1.
// Ratings: 满意 1, 基本满意 1.
func checkMonthReport(t *testing.T, sup *desk) {
	t.Helper()
	sup.open("/console/reports?from=2026-03&to=2026-03", `document.querySelector("table.report-summary") !== null`)
	sup.screenshot("month-report.png")
	totals := tableMap(sup, "table.report-summary", 0)
	for k, want := range map[string]string{"收到": "8 件", "受理": "4 件", "不予受理": "2 件", "受理前撤回": "1 件",
		"待受理（含待补正）": "1 件", "已调解": "3 件", "调解率": "75.00%", "挽回经济损失": "¥2,300.00", "加倍赔偿": "1 件"} {
		if totals[k] != want {
			t.Errorf("报表 %s = %q, want %q", k, totals[k], want)
		}
	}
	channels := tableRows(sup, "table.report-channels")
	wantChannels := map[string][]string{
		"本会调解":                   {"本会调解", "3", "2", "66.67%", "¥2,000.00"},
		storage.MerchantReferral: {storage.MerchantReferral, "1", "1", "100.00%", "¥300.00"},
	}
	for _, row := range channels {
		if want, ok := wantChannels[row[0]]; ok {
			if strings.Join(row[:5], "|") != strings.Join(want, "|") {
				t.Errorf("channel row %v, want %v", row[:5], want)
			}
			delete(wantChannels, row[0])
		} else if len(row) > 1 && row[1] != "0" {
			t.Errorf("channel %v should be empty", row)
		}
	}
	if len(wantChannels) != 0 {
		t.Errorf("channels missing from the report: %v (rows %v)", wantChannels, channels)
	}
	var mediators [][]string
	sup.eval(`(() => { const h = [...document.querySelectorAll("h2")].find(h => h.innerText.trim() === "按调解员");
		return [...h.nextElementSibling.querySelectorAll("tbody tr")].map(tr => [...tr.children].map(c => c.innerText.trim())) })()`, &mediators)
	byName := map[string]string{}
	for _, row := range mediators {
		byName[row[0]] = strings.Join(row, "|")
	}
	for name, want := range map[string]string{
		"王芳": "王芳|3|37.50%|3|2|66.67%|¥1,500.00",
		"李华": "李华|1|12.50%|1|1|100.00%|¥800.00",
	} {
		if byName[name] != want {
			t.Errorf("按调解员 row %q, want %q", byName[name], want)
		}
	}
	sat := tableMap(sup, "table.report-satisfaction", 0)
	if sat["满意"] != "1" || sat["基本满意"] != "1" || sat["不满意"] != "0" {
		t.Errorf("满意度 %v, want 满意 1, 基本满意 1, 不满意 0", sat)
	}

	// The downloads carry the page's figures.
	csvBody := sup.fetchText("/console/reports/export.csv?from=2026-03&to=2026-03")
	records, err := csvRecords(csvBody)
	if err != nil {
		t.Fatalf("report CSV: %v\n%s", err, csvBody)
	}
	raw := sup.fetchBytes("/console/reports/export.xlsx?from=2026-03&to=2026-03")
	book, err := excelize.OpenReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("report XLSX: %v", err)
	}
	defer book.Close()
	sheetRows, err := book.GetRows(book.GetSheetList()[0])
	if err != nil {
		t.Fatal(err)
	}
	for what, rows := range map[string][][]string{"CSV": records, "XLSX": sheetRows} {
		checkExportedTotals(t, what, totals, rows)
	}

	// The annual report tells the same year.
	sup.open("/console/reports/annual/2026", `document.querySelector("p.lead") !== null`)
	lead := sup.text("p.lead")
	if miss := missingFrom(lead, "收到消费者投诉8件", "受理4件", "已调解3件", "调解率75.00%", "¥2,300.00", "1件获得加倍赔偿"); miss != nil {
		t.Errorf("the annual report's summary %q lacks %v", lead, miss)
	}
	if miss := missingFrom(sup.text("section.typical"), "案例1：新车发动机故障，经检测后协商和解", "交通工具", "经营者赔偿800元"); miss != nil {
		t.Errorf("the annual report's 典型案例 lacks %v", miss)
	}
}

// checkExportedTotals checks a download's first table against the page's
// totals: every figure the download names as the page does (its label up to a
// bracketed unit or definition, "已调解（件）" for 已调解) must hold the page's
// value, and 受理, 调解率, the money and 加倍赔偿 must be there.
func checkExportedTotals(t *testing.T, what string, page map[string]string, rows [][]string) {
	t.Helper()
	plain := func(v string) string {
		return strings.NewReplacer(" 件", "", "¥", "", ",", "").Replace(strings.TrimSpace(v))
	}
	found := map[string]bool{}
	for _, r := range rows {
		if len(r) < 2 {
			continue
		}
		name, _, _ := strings.Cut(strings.TrimSpace(r[0]), "（")
		want, ok := page[name]
		if name == "待受理" {
			want, ok = page["待受理（含待补正）"]
		}
		if !ok {
			continue
		}
		found[name] = true
		if got := plain(r[1]); got != plain(want) {
			t.Errorf("report %s: %s = %q, the page shows %q", what, r[0], r[1], want)
		}
	}
	for _, name := range []string{"受理", "调解率", "挽回经济损失", "加倍赔偿"} {
		if !found[name] {
			t.Errorf("report %s lacks %s (rows %v)", what, name, rows)
		}
	}
}

// dueCell is the 期限 column of a case's row in the queue the desk shows.
func dueCell(d *desk, number string) string {
	var s string
	d.eval(`(() => { const a = document.querySelector('a[href="/console/cases/`+number+`"]'); return a ? a.closest("tr").querySelector("td.due").innerText : "no row" })()`, &s)
	return s
}

// tableMap reads a two-column table as label → value (column col+1).
func tableMap(d *desk, sel string, col int) map[string]string {
	out := map[string]string{}
	for _, row := range tableRows(d, sel) {
		if len(row) > col+1 {
			out[row[col]] = row[col+1]
		}
	}
	return out
}

// tableRows reads the body rows of a table, each cell's text trimmed.
func tableRows(d *desk, sel string) [][]string {
	var rows [][]string
	d.eval(`[...document.querySelectorAll(`+jsString(sel+" tbody tr")+`)].map(tr => [...tr.children].map(c => c.innerText.trim()))`, &rows)
	return rows
}

// csvRecords parses a download made of tables one after another (blank lines
// and titles between them, rows of varying width).
func csvRecords(body string) ([][]string, error) {
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
	r.FieldsPerRecord = -1
	return r.ReadAll()
}

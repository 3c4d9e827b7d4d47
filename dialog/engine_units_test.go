package dialog

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// engineTestUnits are testUnits as rows of the units table.
var engineTestUnits = []testenv.TestUnit{
	{ID: 2, ParentID: 1, Name: "樊城区消委会", Code: "FC", Regions: "樊城区", Hotline: "0710-2222222"},
	{ID: 3, ParentID: 1, Name: "襄城区消委会", Code: "XC", Regions: "襄城区"},
}

// fileThroughChat files a complaint with merchant address addr through the
// Engine, answering the unit question with unitAnswer when it is asked, and
// returns the summary and the confirmation.
func fileThroughChat(t *testing.T, e *Engine, openID, addr, unitAnswer string) (summary, confirmed string) {
	t.Helper()
	answers := []string{"投诉", "同意", "4", "某某超市", addr}
	if unitAnswer != "" {
		answers = append(answers, unitAnswer)
	}
	answers = append(answers, "2026-11-19", "100", "买到的牛奶已经过期了，商家不肯退。", "3", "完成", "张三", "13912345678")
	var reply string
	for i, a := range answers {
		reply = say(t, e, openID, fmt.Sprintf("%s-%d", openID, i), text(a))
		if i == 4 && unitAnswer != "" {
			wantIn(t, "unit question", reply, "请选择受理您投诉的单位", "1. 樊城区消委会\n2. 襄城区消委会\n3. 不清楚，由某市消费者委员会分派")
		}
	}
	return reply, say(t, e, openID, openID+"-confirm", text("确认"))
}

// TestEngineUnitsOnRealStores files complaints through the Engine on both
// databases with two district units: one found from the address, one chosen
// by the consumer; each case is stored with its unit, and the confirmation and
// 查询 quote that unit.
func TestEngineUnitsOnRealStores(t *testing.T) {
	for _, rs := range realStores {
		t.Run(rs.name, func(t *testing.T) {
			db, store := rs.open(t)
			testenv.AddUnits(t, db, engineTestUnits...)
			ctx := context.Background()
			units, err := db.ListUnits(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cat := mustCatalogue(t, testSettings)
			cat.SetUnits(units)
			clock := testenv.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			e := &Engine{Store: store, Cases: db, Catalogue: cat, CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now}

			summary, confirmed := fileThroughChat(t, e, "oFound", "湖北省襄阳市樊城区人民路1号", "")
			wantIn(t, "summary", summary, "11. 受理单位：樊城区消委会")
			wantIn(t, "confirmation", confirmed, "受理单位：樊城区消委会（咨询电话：0710-2222222，工作日 9:00-17:00）")
			found := onlyCase(t, db, "oFound")
			if found.UnitID != 2 {
				t.Errorf("case filed with unit %d, want 2", found.UnitID)
			}

			summary, confirmed = fileThroughChat(t, e, "oAsked", "某购物平台某某旗舰店", "2")
			wantIn(t, "summary", summary, "11. 受理单位：襄城区消委会")
			wantIn(t, "confirmation", confirmed, "受理单位：襄城区消委会（咨询电话：0755-12315")
			asked := onlyCase(t, db, "oAsked")
			if asked.UnitID != 3 {
				t.Errorf("case filed with unit %d, want 3", asked.UnitID)
			}
			wantIn(t, "查询", say(t, e, "oAsked", "q1", text("查询 "+asked.Number)), "受理单位：襄城区消委会")
		})
	}
}

// onlyCase returns openID's one case.
func onlyCase(t *testing.T, db storage.CaseStore, openID string) *storage.Case {
	t.Helper()
	cases, _, err := db.FindCases(context.Background(), storage.CaseFilter{OpenID: &openID})
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases of %s: %v, %v", openID, cases, err)
	}
	return cases[0]
}

package dialog

import (
	"reflect"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// testUnits is a city whose root takes no cases itself: two districts, a
// county-level city with a town branch under it, and a disabled county.
func testUnits() []*storage.Unit {
	return []*storage.Unit{
		{ID: 1, Code: "ROOT"},
		{ID: 2, ParentID: 1, Name: "樊城区消委会", Code: "FC", Regions: []string{"樊城区"}, Hotline: "0710-2222222"},
		{ID: 3, ParentID: 1, Name: "襄城区消委会", Code: "XC", Regions: []string{"襄城区"}},
		{ID: 4, ParentID: 1, Name: "枣阳市消委会", Code: "ZY", Regions: []string{"枣阳市"}, Hotline: "0710-4444444", ServiceHours: "周一至周五"},
		{ID: 5, ParentID: 4, Name: "吴店镇消费维权站", Code: "WD", Regions: []string{"吴店镇"}},
		{ID: 6, ParentID: 1, Name: "南漳县消委会", Code: "NZ", Regions: []string{"南漳县"}, Disabled: true},
	}
}

// unitsEnv is testEnv with the catalogue knowing units.
func unitsEnv(t testing.TB, units []*storage.Unit) Env {
	env := testEnv(t)
	env.Catalogue.SetUnits(units)
	return env
}

func TestStepUnitFoundFromAddress(t *testing.T) {
	env := unitsEnv(t, testUnits())
	for _, tc := range []struct {
		name string
		in   Input
		unit int64
	}{
		{"district in the address", textIn("湖北省襄阳市樊城区人民路1号"), 2},
		{"deepest region wins", textIn("枣阳市吴店镇兴隆街8号"), 5},
		{"county-level city", textIn("枣阳市光武大道"), 4},
		{"location label", Input{Kind: InputLocation, Label: "襄阳市襄城区古城路", Lat: 32, Lng: 112}, 3},
	} {
		res := Step(stateAt(StageMerchantAddress), tc.in, env)
		d := res.State.Draft
		if res.State.Stage != StagePurchaseDate || d.UnitID != tc.unit || d.UnitAsked {
			t.Errorf("%s: stage %s, unit %d (asked %v); want the date question and unit %d",
				tc.name, res.State.Stage, d.UnitID, d.UnitAsked, tc.unit)
		}
		checkReplies(t, tc.name, res.Replies, []string{"（4/10）"})
	}
}

func TestStepUnitAskedWhenAddressDoesNotTell(t *testing.T) {
	env := unitsEnv(t, testUnits())
	for name, addr := range map[string]string{
		"no region":        "某购物平台某某旗舰店",
		"two at one level": "樊城区与襄城区交界的商场",
		"disabled unit":    "南漳县城关镇某店",
	} {
		res := Step(stateAt(StageMerchantAddress), textIn(addr), env)
		if res.State.Stage != StageUnit || res.State.Draft.UnitID != 0 || !res.State.Draft.UnitAsked ||
			res.State.Draft.MerchantAddress != addr {
			t.Errorf("%s: state %+v; want the unit question with the address kept", name, res.State)
		}
		want := "1. 樊城区消委会\n2. 襄城区消委会\n3. 枣阳市消委会\n4. 吴店镇消费维权站\n5. 不清楚，由某市消费者委员会分派"
		if len(res.Replies) != 1 || !strings.Contains(res.Replies[0], want) || strings.Contains(res.Replies[0], "南漳县") {
			t.Errorf("%s: replies %q; want the enabled units that take cases:\n%s", name, res.Replies, want)
		}
	}
}

func TestStepUnitAnswers(t *testing.T) {
	env := unitsEnv(t, testUnits())
	at := stateAt(StageUnit)
	at.Draft.MerchantAddress, at.Draft.UnitAsked = "某购物平台某某旗舰店", true
	for _, tc := range []struct {
		answer string
		unit   int64
	}{{"2", 3}, {"２", 3}, {"枣阳市消委会", 4}, {"樊城区", 2}, {"5", storage.RootUnitID}, {"吴店镇", 5}, {"不清楚", storage.RootUnitID}} {
		res := Step(at, textIn(tc.answer), env)
		if res.State.Stage != StagePurchaseDate || res.State.Draft.UnitID != tc.unit || !res.State.Draft.UnitAsked {
			t.Errorf("answer %q: stage %s unit %d; want %d and the next question", tc.answer, res.State.Stage, res.State.Draft.UnitID, tc.unit)
		}
	}
	loc := Step(at, Input{Kind: InputLocation, Label: "襄城区检察院"}, env)
	if loc.State.Draft.UnitID != 3 {
		t.Errorf("a location at the unit question chose %d, want 3", loc.State.Draft.UnitID)
	}
	for _, bad := range []string{"6", "0", "不知道是哪个区", "南漳县"} {
		res := Step(at, textIn(bad), env)
		if res.State.Stage != StageUnit || res.State.Draft.UnitID != 0 {
			t.Errorf("answer %q accepted: %+v", bad, res.State)
		}
		checkReplies(t, bad, res.Replies, []string{"请回复1到5之间的编号"})
	}
}

func TestStepUnitBackSummaryAndEdit(t *testing.T) {
	env := unitsEnv(t, testUnits())
	asked := stateAt(StagePurchaseDate)
	asked.Draft.UnitID, asked.Draft.UnitAsked = 3, true
	if res := Step(asked, textIn("上一步"), env); res.State.Stage != StageUnit {
		t.Errorf("上一步 after the unit question went to %s", res.State.Stage)
	}
	found := stateAt(StagePurchaseDate)
	found.Draft.UnitID = 2
	if res := Step(found, textIn("上一步"), env); res.State.Stage != StageMerchantAddress {
		t.Errorf("上一步 with a unit found from the address went to %s", res.State.Stage)
	}
	if res := Step(stateAt(StageUnit), textIn("上一步"), env); res.State.Stage != StageMerchantAddress {
		t.Errorf("上一步 at the unit question went to %s", res.State.Stage)
	}

	confirm := stateAt(StageConfirm)
	confirm.Draft.UnitID = 2
	res := Step(stateAt(StagePhone), textIn("13912345678"), env)
	checkReplies(t, "summary without unit", res.Replies, []string{"11. 受理单位：（待选择）"})
	res = Step(confirm, textIn("修改 11"), env)
	if res.State.Stage != StageUnit || !res.State.Editing {
		t.Fatalf("修改 11: %+v", res.State)
	}
	res = Step(res.State, textIn("3"), env)
	if res.State.Stage != StageConfirm || res.State.Draft.UnitID != 4 {
		t.Fatalf("answer to 修改 11: %+v", res.State)
	}
	checkReplies(t, "summary", res.Replies, []string{"10. 手机号码：13912345678\n11. 受理单位：枣阳市消委会\n回复 确认"})
	checkReplies(t, "修改 12", Step(confirm, textIn("修改 12"), env).Replies, []string{"修改 1 到 修改 11"})

	// A new address finds the unit anew.
	res = Step(confirm, textIn("修改 3"), env)
	res = Step(res.State, textIn("襄城区鼓楼路"), env)
	if res.State.Stage != StageConfirm || res.State.Draft.UnitID != 3 {
		t.Fatalf("修改 3 with another district: %+v", res.State)
	}
}

func TestStepUnitCheckedAtSubmit(t *testing.T) {
	env := unitsEnv(t, testUnits())
	for name, unit := range map[string]int64{"none": 0, "disabled": 6, "unknown": 99} {
		st := stateAt(StageConfirm)
		st.Draft.UnitID = unit
		res := Step(st, textIn("确认"), env)
		if len(res.Effects) != 0 || res.State.Stage != StageUnit || !res.State.Editing {
			t.Errorf("%s: confirming filed or did not ask for the unit: %+v", name, res)
		}
	}
	st := stateAt(StageConfirm)
	st.Draft.UnitID = 5
	res := Step(st, textIn("确认"), env)
	if len(res.Effects) != 1 || res.Effects[0].(SubmitCase).Draft.UnitID != 5 {
		t.Fatalf("effects %+v; want the case filed with unit 5", res.Effects)
	}
}

// TestStepSingleUnitUnchanged walks a whole intake, with a location for the
// address and every command that touches the unit question, on a catalogue that
// knows only the root unit and on one that was never told about units: every
// reply and state must be the same, with no unit question and no item 11.
func TestStepSingleUnitUnchanged(t *testing.T) {
	plain := testEnv(t)
	single := unitsEnv(t, []*storage.Unit{{ID: 1, Code: "ROOT"}})
	inputs := []Input{
		menuIn(MenuComplain), textIn("同意"), textIn("1"), textIn("某某电器"),
		{Kind: InputLocation, Label: "湖北省襄阳市樊城区人民路1号"}, textIn("上一步"),
		textIn("樊城区人民路1号"), textIn("2026-11-20"), textIn("3999.5"),
		textIn("11月20日买的冰箱，三天后就不制冷了，商家拒绝退货。"), textIn("3"), textIn("完成"),
		textIn("张三"), textIn("13912345678"), textIn("修改 11"), textIn("修改 3"),
		textIn("樊城区人民路2号"), textIn("确认"),
	}
	var a, b State
	var last Result
	for i, in := range inputs {
		ra, rb := Step(a, in, plain), Step(b, in, single)
		if !reflect.DeepEqual(ra, rb) {
			t.Fatalf("input %d (%+v) differs:\n%+v\n%+v", i, in, ra, rb)
		}
		for _, r := range ra.Replies {
			if strings.Contains(r, "受理单位") || strings.Contains(r, "请选择受理") {
				t.Fatalf("input %d: a single-unit reply mentions the unit:\n%s", i, r)
			}
		}
		a, b, last = ra.State, rb.State, ra
	}
	if len(last.Effects) != 1 || last.Effects[0].(SubmitCase).Draft.UnitID != 0 ||
		last.Effects[0].(SubmitCase).Draft.MerchantAddress != "樊城区人民路2号" {
		t.Fatalf("the walk did not end filed with the root: %+v", last)
	}
}

package dialog

import (
	"strings"
	"testing"
)

// sevenDayAt is a state at stage whose draft was bought online on purchase.
func sevenDayAt(stage Stage, address, purchase string) State {
	st := stateAt(stage)
	st.Draft.MerchantAddress, st.Draft.PurchaseDate = address, purchase
	return st
}

const sevenDayMark = "七日内无理由退货"

func TestSevenDayNoticeAfterDemand(t *testing.T) {
	tests := []struct {
		name     string
		address  string
		purchase string // testNow is 2026-11-25
		demand   string
		notice   bool
	}{
		{"taobao return", "淘宝某某旗舰店", "2026-11-22", "1", true},
		{"live stream refund", "抖音直播间", "2026-11-25", "3", true},
		{"free-text refund", "京东自营", "2026-11-20", "要求退款并赔偿运费", true},
		{"no location", "不知道", "2026-11-24", "1", true},
		{"seventh day", "拼多多某某店", "2026-11-18", "1", true},
		{"eighth day", "拼多多某某店", "2026-11-17", "1", false},
		{"shop in a street", "某某区某某路1号", "2026-11-22", "1", false},
		{"repair demand", "淘宝某某旗舰店", "2026-11-22", "4", false},
		{"exchange demand", "ＴＶ电视购物频道", "2026-11-22", "2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Step(sevenDayAt(StageDemand, tt.address, tt.purchase), textIn(tt.demand), testEnv(t))
			if r.State.Stage != StagePhotos {
				t.Fatalf("stage = %s; the notice must not change the flow", r.State.Stage)
			}
			if tt.notice {
				checkReplies(t, tt.name, r.Replies, []string{sevenDayMark, "（8/10）"})
				for _, exception := range []string{"定作", "鲜活易腐", "数字化商品", "报纸、期刊", "不宜退货", "第二十五条"} {
					if !strings.Contains(r.Replies[0], exception) {
						t.Errorf("notice lacks %q", exception)
					}
				}
			} else {
				checkReplies(t, tt.name, r.Replies, []string{"（8/10）"})
			}
			if r.State.Draft.SevenDayNoticed != tt.notice {
				t.Errorf("noticed = %v, want %v", r.State.Draft.SevenDayNoticed, tt.notice)
			}
		})
	}
}

func TestSevenDayNoticeOnceAndTagAtSubmit(t *testing.T) {
	env := testEnv(t)
	st := sevenDayAt(StageDemand, "淘宝某某旗舰店", "2026-11-22")
	r := Step(st, textIn("1"), env)
	// The consumer goes back and changes the demand to a refund: no second notice.
	st = r.State
	st.Stage = StageDemand
	r = Step(st, textIn("3"), env)
	checkReplies(t, "second demand", r.Replies, []string{"（8/10）"})

	confirm := stateAt(StageConfirm)
	confirm.Draft = r.State.Draft
	confirm.Draft.Photos, confirm.Draft.Name, confirm.Draft.Phone = fullDraft().Photos, "张三", "13912345678"
	if sub := submitted(t, Step(confirm, textIn("确认"), env)); !sub.Draft.SevenDayReturn {
		t.Fatalf("submitted draft not tagged: %+v", sub.Draft)
	}
	// An edit to a shop address before confirming takes the tag away.
	confirm.Draft.MerchantAddress = "某某区某某路1号"
	if sub := submitted(t, Step(confirm, textIn("确认"), env)); sub.Draft.SevenDayReturn {
		t.Fatalf("a shop purchase was tagged: %+v", sub.Draft)
	}
}

// submitted returns the SubmitCase effect of r, or fails.
func submitted(t *testing.T, r Result) SubmitCase {
	t.Helper()
	for _, e := range r.Effects {
		if s, ok := e.(SubmitCase); ok {
			return s
		}
	}
	t.Fatalf("no SubmitCase in %+v (replies %q)", r.Effects, r.Replies)
	return SubmitCase{}
}

func TestNewCaseFromDraftCarriesSevenDayTag(t *testing.T) {
	d := fullDraft()
	d.SevenDayReturn = true
	if nc := newCaseFromDraft("oX", SubmitCase{IntakeKey: "k", Draft: d}); !nc.SevenDayReturn {
		t.Fatalf("new case = %+v; want the seven-day tag", nc)
	}
}

package dialog

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// TestEngineSevenDayReturnOnRealStores walks an online purchase with a return
// demand through the whole intake on the real stores: the consumer is told the
// rule right after the demand, and the filed case carries the tag.
func TestEngineSevenDayReturnOnRealStores(t *testing.T) {
	for _, rs := range realStores {
		t.Run(rs.name, func(t *testing.T) {
			db, store := rs.open(t)
			clock := testenv.NewClock(time.Date(2026, 11, 25, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			e := &Engine{Store: store, Cases: db, Catalogue: mustCatalogue(t, Settings{Hotline: "12315"}),
				CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now}
			inputs := []Input{
				{Kind: InputMenuClick, EventKey: MenuComplain}, text("同意"), text("1"), text("某某数码"),
				text("拼多多某某数码专营店"), text("2026-11-22"), text("1999"),
				text("耳机收到后不想要了，商家不同意退货。"),
			}
			for i, in := range inputs {
				say(t, e, "oSeven", fmt.Sprintf("m%d", i), in)
			}
			wantIn(t, "demand", say(t, e, "oSeven", "demand", text("1")), sevenDayMark, "（8/10）")
			for i, s := range []string{"跳过", "王五", "13712345678", "确认"} {
				say(t, e, "oSeven", fmt.Sprintf("n%d", i), text(s))
			}
			openID := "oSeven"
			cases, _, err := db.FindCases(context.Background(), storage.CaseFilter{OpenID: &openID})
			if err != nil || len(cases) != 1 || !cases[0].SevenDayReturn {
				t.Fatalf("filed cases = %+v, %v; want one tagged case", cases, err)
			}
		})
	}
}

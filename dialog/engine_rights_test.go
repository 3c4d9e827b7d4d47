package dialog

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/complaintbot/complaintbot/internal/testenv"
	"github.com/complaintbot/complaintbot/storage"
)

// TestEngineRightsOnRealStores: a consumer with a closed and an open case sees
// both masked (我的信息), corrects the open one's phone (更正电话; the closed one
// is left and said so), starts a complaint and, in the middle of it, asks to be
// deleted: 确认删除 anonymises the closed case, files a request for the open
// one, and leaves no dialog state or saved reply behind.
func TestEngineRightsOnRealStores(t *testing.T) {
	for _, rs := range realStores {
		t.Run(rs.name, func(t *testing.T) {
			db, store := rs.open(t)
			clock := testenv.NewClock(time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC))
			db.Now = clock.Now
			e := &Engine{Store: store, Cases: db, Catalogue: mustCatalogue(t, Settings{Hotline: "12315"}),
				CasePrefix: "TS", DraftTTL: 24 * time.Hour, Now: clock.Now, Rights: db}
			ctx := context.Background()
			closed := fileAndClose(t, db, "oRights", "甲商店")
			open := fileCase(t, db, "oRights", "乙商城")

			info := say(t, e, "oRights", "i1", text("我的信息"))
			wantIn(t, "我的信息", info, "共 2 件", closed.Number+"（已办结）", open.Number+"（待受理）",
				"张*", "139****5678", "办结后保存1至5年", "保存至 2029年11月20日")
			if strings.Contains(info, "13912345678") || strings.Contains(info, "张三") {
				t.Errorf("我的信息 shows data unmasked:\n%s", info)
			}

			fixed := say(t, e, "oRights", "i2", text("更正电话 13800138000"))
			wantIn(t, "更正电话", fixed, open.Number+" 的联系电话更正为 138****8000", closed.Number+" 已办结", "12315")
			if c, err := db.FindCaseByNumber(ctx, open.Number); err != nil || c.Phone != "13800138000" {
				t.Fatalf("open case after the correction: %+v, %v", c, err)
			}

			say(t, e, "oRights", "i3", text("我要投诉"))
			say(t, e, "oRights", "i4", text("同意"))
			ask := say(t, e, "oRights", "i5", text("删除我的信息"))
			wantIn(t, "删除我的信息", ask, "确认删除", "取消")
			done := say(t, e, "oRights", "i6", text("确认删除"))
			wantIn(t, "确认删除", done, "已删除投诉 "+closed.Number, open.Number+" 还在办理中，已提交删除申请",
				"投诉草稿和对话记录已删除")

			if c, err := db.FindCaseByNumber(ctx, closed.Number); err != nil || !c.Anonymised {
				t.Fatalf("closed case after the erasure: %+v, %v", c, err)
			}
			reqs, err := db.DeletionRequests(ctx, storage.DeletionFilter{Status: storage.DeletionPending})
			if err != nil || len(reqs) != 1 || reqs[0].CaseID != open.ID {
				t.Fatalf("pending requests = %+v, %v", reqs, err)
			}
			st, _, dup, err := store.Load(ctx, "oRights", "i5")
			if err != nil || dup || st.Version != 0 || st.Stage != StageIdle || st.IntakeKey != "" {
				t.Fatalf("dialog state after the erasure: %+v, saved reply kept %v, %v", st, dup, err)
			}
		})
	}
}

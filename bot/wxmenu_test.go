package bot

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/bot/wechatsim"
	"github.com/complaintbot/complaintbot/dialog"
)

func TestMenuDefaultIsInstalled(t *testing.T) {
	f := newWXFixture(t)
	if err := f.client(false).CreateMenu(t.Context(), DefaultMenu()); err != nil {
		t.Fatal(err)
	}
	want := []wechatsim.MenuButton{
		{Type: "click", Name: "我要投诉", Key: dialog.MenuComplain},
		{Type: "click", Name: "查询进度", Key: dialog.MenuQuery},
		{Type: "click", Name: "帮助", Key: dialog.MenuHelp},
	}
	if got := f.platform.Menu(); !reflect.DeepEqual(got, want) {
		t.Fatalf("platform menu %+v, want %+v", got, want)
	}
}

func TestMenuWithSubButtonsIsInstalled(t *testing.T) {
	f := newWXFixture(t)
	menu := Menu{Buttons: []Button{
		{Type: ButtonClick, Name: "我要投诉", Key: dialog.MenuComplain},
		{Name: "服务", SubButtons: []Button{
			{Type: ButtonClick, Name: "查询进度", Key: dialog.MenuQuery},
			{Type: ButtonView, Name: "消费提示", URL: "https://example.org/tips"},
		}},
	}}
	if err := f.client(false).CreateMenu(t.Context(), menu); err != nil {
		t.Fatal(err)
	}
	got := f.platform.Menu()
	if len(got) != 2 || len(got[1].SubButtons) != 2 || got[1].SubButtons[1].URL != "https://example.org/tips" {
		t.Fatalf("platform menu %+v", got)
	}
}

func TestMenuOverWeChatLimitsIsRefusedBeforeSending(t *testing.T) {
	click := func(name string) Button { return Button{Type: ButtonClick, Name: name, Key: "K"} }
	six := []Button{click("1"), click("2"), click("3"), click("4"), click("5"), click("6")}
	cases := []struct {
		name string
		menu Menu
		want string
	}{
		{"no buttons", Menu{}, "0 top-level"},
		{"four buttons", Menu{Buttons: []Button{click("a"), click("b"), click("c"), click("d")}}, "4 top-level"},
		{"six items", Menu{Buttons: []Button{{Name: "更多", SubButtons: six}}}, "6 items"},
		{"top name of six Chinese characters", Menu{Buttons: []Button{click("我要在线投诉")}}, "18 bytes, limit 16"},
		{"sub name over 60 bytes", Menu{Buttons: []Button{{Name: "更多", SubButtons: []Button{click(strings.Repeat("长", 21))}}}}, "limit 60"},
		{"nameless", Menu{Buttons: []Button{click(" ")}}, "no name"},
		{"click without key", Menu{Buttons: []Button{{Type: ButtonClick, Name: "帮助"}}}, "needs a key"},
		{"key over 128 bytes", Menu{Buttons: []Button{{Type: ButtonClick, Name: "帮助", Key: strings.Repeat("k", 129)}}}, "needs a key"},
		{"view without URL", Menu{Buttons: []Button{{Type: ButtonView, Name: "官网"}}}, "http(s) URL"},
		{"unknown type", Menu{Buttons: []Button{{Type: "scancode_push", Name: "扫码", Key: "S"}}}, `type "scancode_push"`},
		{"nested twice", Menu{Buttons: []Button{{Name: "更多", SubButtons: []Button{{Name: "再多", SubButtons: []Button{click("x")}}}}}}, "nest one level"},
	}
	f := newWXFixture(t)
	c := f.client(false)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := c.CreateMenu(t.Context(), tc.menu)
			if !errors.Is(err, ErrInvalidMenu) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want ErrInvalidMenu mentioning %q", err, tc.want)
			}
		})
	}
	if n := f.spy.Hits("/cgi-bin/menu/create"); n != 0 || f.spy.TokenFetches() != 0 {
		t.Fatalf("an invalid menu reached WeChat (%d calls)", n)
	}
}

package bot

import (
	"errors"
	"fmt"
	"strings"

	"github.com/complaintbot/complaintbot/dialog"
)

// Button types this bot installs. WeChat knows more (scancode_push,
// miniprogram, …); the dialog answers only CLICK keys, and a VIEW link is
// the one other kind worth having.
const (
	// ButtonClick sends a CLICK event carrying the button's Key.
	ButtonClick = "click"
	// ButtonView opens the button's URL.
	ButtonView = "view"
)

// WeChat's limits on a custom menu, in bytes of UTF-8 as WeChat counts them.
const (
	maxTopButtons   = 3
	maxSubButtons   = 5
	maxTopNameBytes = 16 // five Chinese characters; WeChat shows four, then "…"
	maxSubNameBytes = 60
	maxKeyBytes     = 128
	maxURLBytes     = 1024
)

// ErrInvalidMenu is returned (wrapped, with the reason) by Menu.Validate and
// CreateMenu for a menu WeChat would refuse.
var ErrInvalidMenu = errors.New("invalid wechat menu")

// Menu is the account's custom menu, in the JSON shape of menu/create.
type Menu struct {
	// Buttons are the top-level buttons, 1 to 3.
	Buttons []Button `json:"button"`
}

// Button is one menu button: a leaf with a Type, or a top-level parent with
// SubButtons and no Type.
type Button struct {
	// Type is ButtonClick or ButtonView; empty for a parent.
	Type string `json:"type,omitempty"`
	// Name is the label: at most 16 bytes of UTF-8 at the top, 60 in a
	// sub-menu. WeChat shows four Chinese characters at the top and eight
	// below, and cuts longer labels short with "…".
	Name string `json:"name"`
	// Key is the EventKey of a click button, at most 128 bytes.
	Key string `json:"key,omitempty"`
	// URL is the link of a view button, at most 1024 bytes.
	URL string `json:"url,omitempty"`
	// SubButtons are a parent's items, 1 to 5.
	SubButtons []Button `json:"sub_button,omitempty"`
}

// DefaultMenu is the menu the dialog expects: 我要投诉, 查询进度 and 帮助 as
// CLICK buttons carrying dialog.MenuComplain, dialog.MenuQuery and
// dialog.MenuHelp.
func DefaultMenu() Menu {
	return Menu{Buttons: []Button{
		{Type: ButtonClick, Name: "我要投诉", Key: dialog.MenuComplain},
		{Type: ButtonClick, Name: "查询进度", Key: dialog.MenuQuery},
		{Type: ButtonClick, Name: "帮助", Key: dialog.MenuHelp},
	}}
}

// Validate checks the menu against WeChat's limits: 1 to 3 top-level buttons,
// 1 to 5 items under a parent, no deeper nesting, name, key and URL lengths,
// and a key or URL for each leaf. The error wraps ErrInvalidMenu and names
// the button.
func (m Menu) Validate() error {
	if n := len(m.Buttons); n == 0 || n > maxTopButtons {
		return fmt.Errorf("%w: %d top-level buttons, want 1 to %d", ErrInvalidMenu, n, maxTopButtons)
	}
	for i, b := range m.Buttons {
		if err := validateTopButton(b, fmt.Sprintf("button %d", i+1)); err != nil {
			return err
		}
	}
	return nil
}

// validateTopButton checks a top-level button and its items.
func validateTopButton(b Button, where string) error {
	if err := checkName(b.Name, maxTopNameBytes, where); err != nil {
		return err
	}
	if len(b.SubButtons) == 0 {
		return validateLeaf(b, where)
	}
	if len(b.SubButtons) > maxSubButtons {
		return fmt.Errorf("%w: %s has %d items, want at most %d", ErrInvalidMenu, where, len(b.SubButtons), maxSubButtons)
	}
	for j, s := range b.SubButtons {
		sub := fmt.Sprintf("%s item %d", where, j+1)
		if len(s.SubButtons) > 0 {
			return fmt.Errorf("%w: %s has items of its own; menus nest one level only", ErrInvalidMenu, sub)
		}
		if err := checkName(s.Name, maxSubNameBytes, sub); err != nil {
			return err
		}
		if err := validateLeaf(s, sub); err != nil {
			return err
		}
	}
	return nil
}

// checkName checks a label is present and within limit bytes.
func checkName(name string, limit int, where string) error {
	if strings.TrimSpace(name) == "" {
		return fmt.Errorf("%w: %s has no name", ErrInvalidMenu, where)
	}
	if len(name) > limit {
		return fmt.Errorf("%w: %s name %q is %d bytes, limit %d", ErrInvalidMenu, where, name, len(name), limit)
	}
	return nil
}

// validateLeaf checks a button that does something when tapped.
func validateLeaf(b Button, where string) error {
	switch b.Type {
	case ButtonClick:
		if b.Key == "" || len(b.Key) > maxKeyBytes {
			return fmt.Errorf("%w: %s needs a key of 1 to %d bytes", ErrInvalidMenu, where, maxKeyBytes)
		}
	case ButtonView:
		if len(b.URL) > maxURLBytes || !(strings.HasPrefix(b.URL, "http://") || strings.HasPrefix(b.URL, "https://")) {
			return fmt.Errorf("%w: %s needs an http(s) URL of at most %d bytes", ErrInvalidMenu, where, maxURLBytes)
		}
	default:
		return fmt.Errorf("%w: %s has type %q, want %q or %q", ErrInvalidMenu, where, b.Type, ButtonClick, ButtonView)
	}
	return nil
}

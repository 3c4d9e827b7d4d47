package console

import (
	"net/http"
	"time"

	"github.com/complaintbot/complaintbot/storage"
)

// This file is the organisation settings page (admins only): the association's
// name, hotline and service hours that the official account tells consumers.

// settingsSavedFlash tells the admin when the bot picks the change up (it caches
// the settings for up to a minute).
const settingsSavedFlash = "已保存，公众号的回复将在一分钟内使用新设置。"

// settingsView is what settings.html shows.
type settingsView struct {
	Name, Hotline, ServiceHours   string
	Saved                         bool // false: the config file's defaults, never saved
	UpdatedAt                     time.Time
	Error                         string
	MaxName, MaxHotline, MaxHours int
}

func newSettingsView(o storage.OrgSettings) settingsView {
	return settingsView{Name: o.Name, Hotline: o.Hotline, ServiceHours: o.ServiceHours,
		UpdatedAt: o.UpdatedAt, MaxName: storage.MaxOrgNameRunes,
		MaxHotline: storage.MaxOrgHotlineChars, MaxHours: storage.MaxOrgServiceHoursRunes}
}

// showSettings shows the stored settings, or the config file's while none are.
func (s *Server) showSettings(w http.ResponseWriter, r *http.Request) {
	o, err := s.cfg.Store.GetOrgSettings(r.Context())
	var v settingsView
	switch storage.ErrorCode(err) {
	case "":
		v = newSettingsView(*o)
		v.Saved = true
	case storage.ENOTFOUND:
		d := s.cfg.DefaultOrg
		v = newSettingsView(storage.OrgSettings{Name: d.Name, Hotline: d.Hotline, ServiceHours: d.ServiceHours})
	default:
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "settings.html", "设置", v)
}

// saveSettings stores the settings; the store checks them and audits the change
// in the same transaction. Refused values are shown again with the reason.
func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) {
	o := storage.OrgSettings{
		Name:         r.PostFormValue("name"),
		Hotline:      r.PostFormValue("hotline"),
		ServiceHours: r.PostFormValue("service_hours"),
	}
	err := s.cfg.Store.SaveOrgSettings(r.Context(), o, s.actedBy(r))
	if storage.ErrorCode(err) == storage.EINVALID {
		v := newSettingsView(o)
		v.Error = storage.ErrorMessage(err)
		s.render(w, r, http.StatusBadRequest, "settings.html", "设置", v)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/console/settings"+flashQuery(r, settingsSavedFlash), http.StatusSeeOther)
}

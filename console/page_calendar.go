package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/complaintbot/complaintbot/storage"
)

// This file is the working-day calendar page (admins only): a year's public
// holidays and 调休 make-up working days, a form to set or clear one day, and a
// CSV import that replaces a year. The store checks and audits every change; each
// instance reloads the calendar within a minute (cmd/complaintbot).

// calendarSavedFlash tells the admin when the deadlines pick the change up.
const calendarSavedFlash = "已保存，各实例将在一分钟内按新的工作日历计算期限。"

// calendarDayView is one exception as the page lists it.
type calendarDayView struct {
	Date, Weekday, Kind, KindLabel, Name string
}

// calendarView is what calendar.html shows. Date, Kind, Name and CSV are the
// forms' values, kept as typed when a change is refused.
type calendarView struct {
	Year, Prev, Next   int
	Days               []calendarDayView
	Rest, Work         int // counts, for the summary line
	Date, Kind, Name   string
	CSV                string
	DayError, CSVError string
	MaxName            int
}

var weekdayNames = [...]string{"周日", "周一", "周二", "周三", "周四", "周五", "周六"}

// calendarYear reads the {year} path value; false (after a 404) if it is no year.
func (s *Server) calendarYear(w http.ResponseWriter, r *http.Request) (int, bool) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 2000 || y > 2100 {
		s.notFound(w, r)
		return 0, false
	}
	return y, true
}

// showCalendarNow shows the current year in China.
func (s *Server) showCalendarNow(w http.ResponseWriter, r *http.Request) {
	year := s.cfg.Now().In(storage.ChinaTime).Year()
	http.Redirect(w, r, fmt.Sprintf("/console/calendar/%d", year), http.StatusSeeOther)
}

// showCalendar lists a year's exceptions with empty forms.
func (s *Server) showCalendar(w http.ResponseWriter, r *http.Request) {
	year, ok := s.calendarYear(w, r)
	if !ok {
		return
	}
	s.renderCalendar(w, r, http.StatusOK, calendarView{Year: year, Kind: storage.DayRest})
}

// renderCalendar fills v with the year's exceptions and renders the page.
func (s *Server) renderCalendar(w http.ResponseWriter, r *http.Request, status int, v calendarView) {
	days, err := s.cfg.Store.ListCalendarDays(r.Context(), v.Year)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	v.Prev, v.Next, v.MaxName = v.Year-1, v.Year+1, storage.MaxDayNameRunes
	for _, d := range days {
		dv := calendarDayView{Date: d.Date, Kind: d.Kind, Name: d.Name, KindLabel: "放假"}
		if t, err := storage.ParseDay(d.Date); err == nil {
			dv.Weekday = weekdayNames[t.Weekday()]
		}
		if d.Kind == storage.DayWork {
			dv.KindLabel = "调休上班"
			v.Work++
		} else {
			v.Rest++
		}
		v.Days = append(v.Days, dv)
	}
	s.render(w, r, status, "calendar.html", "工作日历", v)
}

// setCalendarDay sets one day's exception; a refused one is shown again as typed.
func (s *Server) setCalendarDay(w http.ResponseWriter, r *http.Request) {
	year, ok := s.calendarYear(w, r)
	if !ok {
		return
	}
	d := storage.DayException{Date: r.PostFormValue("date"), Kind: r.PostFormValue("kind"), Name: r.PostFormValue("name")}
	err := s.cfg.Store.SetCalendarDay(r.Context(), d, s.actedBy(r))
	if storage.ErrorCode(err) == storage.EINVALID {
		s.renderCalendar(w, r, http.StatusBadRequest, calendarView{Year: year,
			Date: d.Date, Kind: d.Kind, Name: d.Name, DayError: storage.ErrorMessage(err)})
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.calendarSaved(w, r, strings.TrimSpace(d.Date)[:4])
}

// clearCalendarDay makes a day ordinary again.
func (s *Server) clearCalendarDay(w http.ResponseWriter, r *http.Request) {
	year, ok := s.calendarYear(w, r)
	if !ok {
		return
	}
	date := r.PostFormValue("date")
	err := s.cfg.Store.DeleteCalendarDay(r.Context(), date, s.actedBy(r))
	if code := storage.ErrorCode(err); code == storage.EINVALID || code == storage.ENOTFOUND {
		s.renderCalendar(w, r, http.StatusBadRequest, calendarView{Year: year, Date: date,
			Kind: storage.DayRest, DayError: storage.ErrorMessage(err)})
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.calendarSaved(w, r, strconv.Itoa(year))
}

// importCalendarYear replaces the year's exceptions with the pasted CSV
// (date,kind,name); a refused CSV is shown again as typed, with the line at fault.
func (s *Server) importCalendarYear(w http.ResponseWriter, r *http.Request) {
	year, ok := s.calendarYear(w, r)
	if !ok {
		return
	}
	text := r.PostFormValue("csv")
	days, err := storage.ParseCalendarCSV(strings.NewReader(text), year)
	if err == nil && len(days) == 0 {
		err = storage.Errorf(storage.EINVALID, "没有读到任何日期。若要清空 %d 年的例外安排，请逐日删除。", year)
	}
	if err == nil {
		err = s.cfg.Store.ImportCalendarYear(r.Context(), year, days, s.actedBy(r))
	}
	if storage.ErrorCode(err) == storage.EINVALID {
		s.renderCalendar(w, r, http.StatusBadRequest, calendarView{Year: year, Kind: storage.DayRest,
			CSV: text, CSVError: storage.ErrorMessage(err)})
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.calendarSaved(w, r, strconv.Itoa(year))
}

// calendarSaved sends the admin back to the year with the flash.
func (s *Server) calendarSaved(w http.ResponseWriter, r *http.Request, year string) {
	http.Redirect(w, r, "/console/calendar/"+year+flashQuery(r, calendarSavedFlash), http.StatusSeeOther)
}

package console

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"github.com/complaintbot/complaintbot/storage"
)

// This file writes the console's downloads (the queue, the statistics, the
// audit log) as CSV or XLSX from one shape, exportTable. The pages that offer
// downloads (export_*.go) build the tables; this file knows the formats.
//
// CSV is for Excel first, because that is what the association's staff open it
// with: UTF-8 with a byte-order mark (without one Excel reads Chinese as
// mojibake), CRLF line ends, fields quoted when they hold a comma, a quote or a
// line break, and text cells that Excel would run as a formula (starting with
// = + - @, a tab or a carriage return; a complaint's merchant name is typed by
// the public) prefixed with an apostrophe. XLSX cells are written as text or
// numbers, never as formulas, so they keep the text as it is.

// maxExportRows bounds one download. An export over it is refused with a
// message saying so, never cut short without a word: a file that silently
// lacks rows is worse than none. (A variable only so that a test can reach the
// bound without ten thousand cases.)
var maxExportRows = 10000

// exportTable is one table of a download: the title (a sheet's name in XLSX, a
// heading line in a CSV of several tables), the column names and the rows.
// A cell is a string, an int, an int64, a float64 or an exportYuan.
type exportTable struct {
	Title   string
	Columns []string
	Rows    [][]any
}

// exportYuan is an amount in fen, written as yuan: "3999.50" in CSV, the
// number 3999.5 shown with two decimals in XLSX.
type exportYuan int64

// exportFormat is a download's file type, from the path's extension.
type exportFormat string

// The formats offered.
const (
	exportCSV  exportFormat = "csv"
	exportXLSX exportFormat = "xlsx"
)

// contentType is the format's media type.
func (f exportFormat) contentType() string {
	if f == exportXLSX {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// exportTooLarge is the refusal of a download over maxExportRows.
func exportTooLarge(rows int) string {
	return fmt.Sprintf("符合条件的记录共 %d 条，超过单次导出的上限 %d 条。请增加筛选条件（如状态、类别、日期）后分批导出。",
		rows, maxExportRows)
}

// sendExport writes the tables as a download named name (Chinese, for the
// browser that understands RFC 5987) or ascii (the fallback), both without
// extension. The caller has checked the size and audited the export.
func (s *Server) sendExport(w http.ResponseWriter, r *http.Request, f exportFormat, name, ascii string, tables []exportTable) {
	h := w.Header()
	h.Set("Content-Type", f.contentType())
	h.Set("Content-Disposition", attachmentDisposition(name+"."+string(f), ascii+"."+string(f)))
	var err error
	if f == exportXLSX {
		err = writeXLSX(w, tables)
	} else {
		err = writeCSV(w, tables)
	}
	if err != nil {
		// The status line is gone; the browser shows a failed download.
		s.logFailure(r, "export failed", err)
	}
}

// attachmentDisposition is the Content-Disposition of a download: the ASCII
// name for old clients and the UTF-8 name (RFC 5987/6266) for the rest.
func attachmentDisposition(name, ascii string) string {
	return `attachment; filename="` + ascii + `"; filename*=UTF-8''` + rfc5987Escape(name)
}

// rfc5987Escape percent-encodes every byte of s but RFC 5987's attr-char.
func rfc5987Escape(s string) string {
	const attrChar = "!#$&+-.^_`|~"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte(attrChar, c) >= 0 {
			b.WriteByte(c)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", c)
	}
	return b.String()
}

// writeCSV writes the tables one after another: a single table as its header
// and rows; several each under a line with its title, a blank line between.
func writeCSV(w io.Writer, tables []exportTable) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("\uFEFF")
	for i, t := range tables {
		if len(tables) > 1 {
			if i > 0 {
				bw.WriteString("\r\n")
			}
			writeCSVLine(bw, []any{t.Title})
		}
		writeCSVLine(bw, stringCells(t.Columns))
		for _, row := range t.Rows {
			writeCSVLine(bw, row)
		}
	}
	return bw.Flush()
}

// writeCSVLine writes one record, CRLF-terminated.
func writeCSVLine(bw *bufio.Writer, cells []any) {
	for i, c := range cells {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(csvField(c))
	}
	bw.WriteString("\r\n")
}

// csvField formats one cell: numbers as they are, text guarded against formula
// injection and quoted when it must be.
func csvField(c any) string {
	var s string
	switch v := c.(type) {
	case string:
		s = defuseFormula(v)
	case exportYuan:
		return FormatYuan(int64(v))
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64)
	default:
		return fmt.Sprint(v)
	}
	if strings.ContainsAny(s, ",\"\r\n") {
		return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
	}
	return s
}

// defuseFormula prefixes an apostrophe to text that a spreadsheet would take
// for a formula (OWASP's list: = + - @, tab, carriage return).
func defuseFormula(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

// stringCells turns column names into cells.
func stringCells(names []string) []any {
	out := make([]any, len(names))
	for i, n := range names {
		out[i] = n
	}
	return out
}

// writeXLSX writes one sheet per table with a bold, frozen header row and
// columns as wide as their longest cell (within reason). Rows go through
// excelize's stream writer, so a large export is not held as a DOM.
func writeXLSX(w io.Writer, tables []exportTable) error {
	f := excelize.NewFile()
	defer f.Close()
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DCE6F1"}}})
	if err != nil {
		return err
	}
	money, err := f.NewStyle(&excelize.Style{NumFmt: 2}) // 0.00
	if err != nil {
		return err
	}
	used := map[string]bool{}
	for i, t := range tables {
		name := sheetName(t.Title, i, used)
		if i == 0 {
			err = f.SetSheetName(f.GetSheetName(0), name)
		} else {
			_, err = f.NewSheet(name)
		}
		if err != nil {
			return err
		}
		if err := writeSheet(f, name, t, header, money); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	_, err = f.WriteTo(w)
	return err
}

// writeSheet streams one table into sheet name.
func writeSheet(f *excelize.File, name string, t exportTable, header, money int) error {
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, width := range columnWidths(t) {
		if err := sw.SetColWidth(i+1, i+1, width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	head := make([]any, len(t.Columns))
	for i, c := range t.Columns {
		head[i] = excelize.Cell{StyleID: header, Value: c}
	}
	if err := sw.SetRow("A1", head); err != nil {
		return err
	}
	for r, row := range t.Rows {
		cells := make([]any, len(row))
		for i, c := range row {
			if y, ok := c.(exportYuan); ok {
				cells[i] = excelize.Cell{StyleID: money, Value: float64(y) / 100}
			} else {
				cells[i] = c
			}
		}
		cell, err := excelize.CoordinatesToCellName(1, r+2)
		if err != nil {
			return err
		}
		if err := sw.SetRow(cell, cells); err != nil {
			return err
		}
	}
	return sw.Flush()
}

// sheetName makes a table's title a valid, unique sheet name: at most 31
// characters, none of []:*?/\.
func sheetName(title string, i int, used map[string]bool) string {
	name := strings.Map(func(r rune) rune {
		if strings.ContainsRune(`[]:*?/\`, r) {
			return '-'
		}
		return r
	}, title)
	if r := []rune(name); len(r) > 31 {
		name = string(r[:31])
	}
	if name == "" || used[name] {
		name = "Sheet" + strconv.Itoa(i+1)
	}
	used[name] = true
	return name
}

// columnWidths sizes each column to its longest cell in Excel's character
// units (a Chinese character counts two), between 8 and 60.
func columnWidths(t exportTable) []float64 {
	widths := make([]float64, len(t.Columns))
	measure := func(i int, s string) {
		n := float64(displayWidth(s)) + 2
		widths[i] = min(max(widths[i], n, 8), 60)
	}
	for i, c := range t.Columns {
		measure(i, c)
	}
	for _, row := range t.Rows {
		for i, c := range row {
			if i < len(widths) {
				measure(i, csvField(c))
			}
		}
	}
	return widths
}

// displayWidth counts a wide (CJK) character as two columns.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		if r >= 0x1100 && utf8.RuneLen(r) > 2 {
			n += 2
		} else {
			n++
		}
	}
	return n
}

// auditExport records a download before it is sent: what, with which filter
// (never personal data), how many rows. Unlike other audit entries, a failure
// here refuses the download: data that leaves the desk unrecorded is what the
// audit exists to prevent.
func (s *Server) auditExport(r *http.Request, detail string) error {
	return s.cfg.Store.AddAudit(r.Context(), storage.AuditEntry{StaffID: staffFrom(r.Context()).ID,
		Action: storage.AuditExport, Detail: detail, IP: s.auth.ClientIP(r), CreatedAt: s.cfg.Now()})
}

// exportStamp is the date in a download's name, China time.
func exportStamp(now time.Time) string { return now.In(chinaTime).Format("20060102-1504") }

// exportTooMany is the refusal of a download of more than maxExportRows rows.
type exportTooMany struct{ rows int }

func (e *exportTooMany) Error() string { return "export too large" }

// exportError answers a download that cannot be made: too many rows (400, with
// what to do), a used-up phone-search allowance (429), or a store error.
func (s *Server) exportError(w http.ResponseWriter, r *http.Request, err error) {
	var tooMany *exportTooMany
	if errors.As(err, &tooMany) {
		s.renderError(w, r, http.StatusBadRequest, exportTooLarge(tooMany.rows))
		return
	}
	s.pageSearchError(w, r, err)
}

// exportTime is a time as staff read it, China time, to the minute.
func exportTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(chinaTime).Format("2006-01-02 15:04")
}

// itoaInt is strconv.Itoa, for building audit details.
func itoaInt(n int) string { return strconv.Itoa(n) }

package console

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/complaintbot/complaintbot/storage"
)

func TestCSVIsForExcel(t *testing.T) {
	var b bytes.Buffer
	err := writeCSV(&b, []exportTable{{Title: "案件", Columns: []string{"商家", "金额", "件数"}, Rows: [][]any{
		{`=HYPERLINK("http://evil")`, exportYuan(399950), 3},
		{"+86 商家", exportYuan(-5), -2},
		{"-1", exportYuan(0), 0},
		{"@SUM(A1)", exportYuan(7), 1},
		{"\tTab", exportYuan(1), 1},
		{"逗号,和\"引号\"\n换行", exportYuan(100), 1},
		{"普通商家", exportYuan(12345), 1},
	}}})
	if err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF商家,金额,件数\r\n" +
		`"'=HYPERLINK(""http://evil"")",3999.50,3` + "\r\n" +
		"'+86 商家,-0.05,-2\r\n" +
		"'-1,0.00,0\r\n" +
		"'@SUM(A1),0.07,1\r\n" +
		"'\tTab,0.01,1\r\n" +
		"\"逗号,和\"\"引号\"\"\n换行\",1.00,1\r\n" +
		"普通商家,123.45,1\r\n"
	if got := b.String(); got != want {
		t.Fatalf("CSV\n%q\nwant\n%q", got, want)
	}
}

func TestCSVPutsSectionsOneAfterAnother(t *testing.T) {
	var b bytes.Buffer
	err := writeCSV(&b, []exportTable{
		{Title: "总体情况", Columns: []string{"指标", "数值"}, Rows: [][]any{{"受理投诉（件）", 2}}},
		{Title: "按类别", Columns: []string{"类别", "件数"}, Rows: [][]any{{"食品", 1}, {"家电", 1}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "\uFEFF总体情况\r\n指标,数值\r\n受理投诉（件）,2\r\n\r\n按类别\r\n类别,件数\r\n食品,1\r\n家电,1\r\n"
	if b.String() != want {
		t.Fatalf("CSV %q, want %q", b.String(), want)
	}
}

func TestXLSXHasASheetPerTableWithHeaderAndNumbers(t *testing.T) {
	var b bytes.Buffer
	long := strings.Repeat("很长的商家名称", 3)
	err := writeXLSX(&b, []exportTable{
		{Title: "总体情况", Columns: []string{"指标", "数值"}, Rows: [][]any{{"挽回经济损失（元）", exportYuan(399950)}, {"=1+1", 2}}},
		{Title: "被投诉最多的商家/前十", Columns: []string{"商家", "件数"}, Rows: [][]any{{long, 7}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatalf("excelize cannot open the file: %v", err)
	}
	defer f.Close()
	if got := f.GetSheetList(); len(got) != 2 || got[0] != "总体情况" || got[1] != "被投诉最多的商家-前十" {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("总体情况")
	if err != nil || len(rows) != 3 || rows[0][0] != "指标" || rows[1][1] != "3999.50" || rows[2][0] != "=1+1" {
		t.Fatalf("rows %q, %v", rows, err)
	}
	if formula, _ := f.GetCellFormula("总体情况", "A3"); formula != "" {
		t.Fatalf("text became the formula %q", formula)
	}
	if typ, _ := f.GetCellType("总体情况", "B2"); typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset {
		t.Errorf("money cell type %v, want a number", typ)
	}
	if v, _ := f.GetCellValue("总体情况", "B2", excelize.Options{RawCellValue: true}); v != "3999.5" {
		t.Errorf("money stored as %q, want the number 3999.5", v)
	}
	if w, _ := f.GetColWidth("被投诉最多的商家-前十", "A"); w < float64(2*len([]rune(long))) {
		t.Errorf("column A is %.0f wide for a %d-character name", w, len([]rune(long)))
	}
}

func TestDownloadNameHasAnASCIIFallback(t *testing.T) {
	got := attachmentDisposition("案件列表-20260302.csv", "cases-20260302.csv")
	want := `attachment; filename="cases-20260302.csv"; filename*=UTF-8''%E6%A1%88%E4%BB%B6%E5%88%97%E8%A1%A8-20260302.csv`
	if got != want {
		t.Fatalf("%s\nwant %s", got, want)
	}
}

// TestExportOverTheLimitIsRefusedNotCut: a queue larger than the bound is
// refused with the count and what to do, and nothing is audited as exported.
func TestExportOverTheLimitIsRefusedNotCut(t *testing.T) {
	e := newAuthEnv(t)
	defer func(n int) { maxExportRows = n }(maxExportRows)
	maxExportRows = 2
	for i := range 3 {
		_, err := e.store.CreateCase(context.Background(), "TS", storage.NewCase{
			OpenID: fmt.Sprintf("o%d", i), IntakeKey: fmt.Sprintf("k%d", i), Category: "食品", MerchantName: "某店",
			Description: "变质", Demand: "退款", ComplainantName: "张三", Phone: fmt.Sprintf("1390000000%d", i)})
		if err != nil {
			t.Fatal(err)
		}
	}
	med := e.browser().mustLogin("med1", mediatorPassword)
	w := med.do("GET", "/console/cases/export.csv", nil)
	if w.Code != http.StatusBadRequest || !strings.Contains(w.Body.String(), "共 3 条，超过单次导出的上限 2 条") {
		t.Fatalf("over the limit: %d\n%s", w.Code, w.Body.String())
	}
	if got := e.auditActions(); strings.Contains(strings.Join(got, "\n"), "export/") {
		t.Errorf("a refused export was audited as made: %v", got)
	}
	if w := med.do("GET", "/console/cases/export.xlsx?q="+"某店&status=submitted&category=家电", nil); w.Code != http.StatusOK {
		t.Errorf("a filtered export within the limit: %d", w.Code)
	}
}

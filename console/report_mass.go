package console

import "github.com/complaintbot/complaintbot/storage"

// apiReportMass is the report's count of collective cases (集体投诉) and their
// members, and of seven-day no-reason returns, among the period's cases.
type apiReportMass struct {
	CollectiveCases   int `json:"collective_cases"`
	CollectiveMembers int `json:"collective_members"`
	SevenDayReturns   int `json:"seven_day_returns"`
}

func apiReportMassOf(m storage.ReportMass) apiReportMass {
	return apiReportMass{CollectiveCases: m.CollectiveCases, CollectiveMembers: m.CollectiveMembers,
		SevenDayReturns: m.SevenDayReturns}
}

// massTable is the downloads' table of collective cases and seven-day returns.
func massTable(m storage.ReportMass) exportTable {
	return exportTable{Title: "集体投诉与七日无理由退货", Columns: []string{"指标", "数值"}, Rows: [][]any{
		{"集体投诉（起）", m.CollectiveCases},
		{"集体投诉成员案件（件）", m.CollectiveMembers},
		{"七日无理由退货（件）", m.SevenDayReturns},
	}}
}

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

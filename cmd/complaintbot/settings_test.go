package main

import (
	"context"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestOrgSettingsFromTheConsoleReachTheChat saves the organisation's details as an
// admin does in the console and checks that the chat quotes them once the
// instance has picked them up.
func TestOrgSettingsFromTheConsoleReachTheChat(t *testing.T) {
	m := runMain(t)
	p := consumer{t: t, c: newClient(m, true), openID: uniqueOpenID("settings")}
	p.expect("帮助", "消费者协会")
	err := m.DB.SaveOrgSettings(context.Background(), storage.OrgSettings{
		Name: "襄阳市消费者委员会", Hotline: "0710-12315", ServiceHours: "工作日 8:30-17:30"}, storage.By{Actor: "staff:1"})
	if err != nil {
		t.Fatal(err)
	}
	m.applyOrgSettings(context.Background(), m.orgSettings) // what the 30-second refresh does
	p.expect("帮助", "襄阳市消费者委员会")
}

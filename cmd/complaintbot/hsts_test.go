package main

import (
	"net/http"
	"testing"

	"github.com/complaintbot/complaintbot/configs"
)

// TestStrictTransportSecurityFollowsThePublicURL: published over HTTPS, every part
// of the service (console, API, webhook, health, the index) tells browsers to
// stay on HTTPS for a year; published over plain HTTP, nothing does.
func TestStrictTransportSecurityFollowsThePublicURL(t *testing.T) {
	paths := []string{"/console/login", "/console/static/console.css", "/console/nowhere",
		"/api/v1/me", "/wechat", "/healthz", "/"}
	for publicURL, want := range map[string]string{
		"https://desk.example.org": "max-age=31536000",
		"http://desk.example.org":  "",
	} {
		t.Run(publicURL, func(t *testing.T) {
			m := runMainWith(t, func(c *configs.Config) { c.HTTP.PublicURL = publicURL })
			for _, path := range paths {
				resp, err := http.Get(m.localURL() + path)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if got := resp.Header.Get("Strict-Transport-Security"); got != want {
					t.Errorf("%s %s: Strict-Transport-Security %q, want %q", publicURL, path, got, want)
				}
			}
		})
	}
}

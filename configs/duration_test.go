package configs

import (
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

func TestDurationYAMLRoundTrip(t *testing.T) {
	for in, want := range map[string]time.Duration{
		"24h":   24 * time.Hour,
		"4s":    4 * time.Second,
		"90m":   90 * time.Minute,
		"4.5s":  4500 * time.Millisecond,
		"1h30m": 90 * time.Minute,
		"250ms": 250 * time.Millisecond,
	} {
		var got struct {
			D Duration `yaml:"d"`
		}
		if err := yaml.Unmarshal([]byte("d: "+in), &got); err != nil {
			t.Errorf("unmarshal %q: %v", in, err)
			continue
		}
		if time.Duration(got.D) != want {
			t.Errorf("unmarshal %q = %v, want %v", in, time.Duration(got.D), want)
		}
		out, err := yaml.Marshal(got)
		if err != nil {
			t.Fatal(err)
		}
		var again struct {
			D Duration `yaml:"d"`
		}
		if err := yaml.Unmarshal(out, &again); err != nil || again.D != got.D {
			t.Errorf("round trip of %q through %q = %v, %v", in, out, again.D, err)
		}
	}
}

func TestDurationString(t *testing.T) {
	for d, want := range map[time.Duration]string{
		24 * time.Hour:             "24h",
		90 * time.Minute:           "1h30m",
		10 * time.Minute:           "10m",
		4500 * time.Millisecond:    "4.5s",
		time.Hour + 30*time.Second: "1h0m30s",
		0:                          "0s",
	} {
		if got := Duration(d).String(); got != want {
			t.Errorf("Duration(%v).String() = %q, want %q", d, got, want)
		}
	}
}

func TestDurationRejectsBareNumbersAndJunk(t *testing.T) {
	for _, in := range []string{"4", "abc", "[1, 2]", "4 seconds"} {
		var got struct {
			D Duration `yaml:"d"`
		}
		err := yaml.Unmarshal([]byte("d: "+in), &got)
		if err == nil {
			t.Errorf("unmarshal %q: no error", in)
			continue
		}
		if !strings.Contains(err.Error(), "line 1") {
			t.Errorf("unmarshal %q: error %q does not give the line", in, err)
		}
	}
}

package configs

import (
	"fmt"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Duration is a time.Duration written in configuration as a Go duration string
// such as "24h", "4s" or "90m". Bare numbers are refused because their unit would
// be a guess.
type Duration time.Duration

// seconds builds a Duration from whole seconds, for defaults.
func seconds(n int) Duration { return Duration(time.Duration(n) * time.Second) }

// durationHint is appended to every parse error so the fix is obvious.
const durationHint = `write it with a unit, e.g. "4s", "90m", "24h"`

// parseDuration parses s as a Duration, accepting exactly what time.ParseDuration
// accepts after surrounding spaces are trimmed.
func parseDuration(s string) (Duration, error) {
	d, err := time.ParseDuration(strings.TrimSpace(s))
	if err != nil {
		return 0, fmt.Errorf("cannot parse %q as a duration; %s", s, durationHint)
	}
	return Duration(d), nil
}

// String formats d the short way ("24h", "90m" becomes "1h30m", "4.5s").
func (d Duration) String() string {
	s := time.Duration(d).String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// MarshalText writes d in the form String gives, so it round-trips through YAML.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText parses a duration string such as "24h".
func (d *Duration) UnmarshalText(text []byte) error {
	v, err := parseDuration(string(text))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// UnmarshalYAML parses a scalar duration string. Errors are returned as a
// *yaml.TypeError carrying the line number, so the decoder keeps going and reports
// them together with the file's other mistakes.
func (d *Duration) UnmarshalYAML(node *yaml.Node) error {
	if node.Kind != yaml.ScalarNode {
		return &yaml.TypeError{Errors: []string{
			fmt.Sprintf("line %d: a duration must be a single value; %s", node.Line, durationHint),
		}}
	}
	v, err := parseDuration(node.Value)
	if err != nil {
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", node.Line, err)}}
	}
	*d = v
	return nil
}

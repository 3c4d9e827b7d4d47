package configs

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Load builds the configuration: Default, then the YAML file at path (skipped when
// path is ""), then the COMPLAINTBOT_* variables read through getenv (nil reads
// none), then Validate.
//
// A missing or unreadable file, malformed YAML and unknown keys are reported with
// the file's path. Bad environment values and invalid settings are collected into
// one *ValidationError so every mistake shows at once.
func Load(path string, getenv func(string) string) (Config, error) {
	cfg := Default()
	if path != "" {
		if err := loadFile(&cfg, path); err != nil {
			return Config{}, err
		}
	}
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	problems := applyEnv(&cfg, getenv)
	normalize(&cfg)
	if err := cfg.Validate(); err != nil {
		var verr *ValidationError
		if !errors.As(err, &verr) {
			return Config{}, err
		}
		problems = append(problems, verr.Problems...)
	}
	if len(problems) > 0 {
		return Config{}, &ValidationError{Problems: problems}
	}
	return cfg, nil
}

// loadFile decodes the YAML file at path over cfg, so keys the file leaves out keep
// their defaults. An empty file changes nothing.
func loadFile(cfg *Config, path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("config file %q not found: %w", path, fs.ErrNotExist)
	}
	if err != nil {
		return fmt.Errorf("config file %q: %w", path, err)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true) // a misspelt key must fail, not silently keep its default
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %q: %w", path, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return fmt.Errorf("config file %q: holds more than one YAML document", path)
	}
	return nil
}

// normalize puts values in the form the rest of the program expects: case number
// prefixes upper-case, enumerations lower-case, base URLs without a trailing slash.
func normalize(c *Config) {
	c.Cases.Prefix = strings.ToUpper(strings.TrimSpace(c.Cases.Prefix))
	c.Log.Level = strings.ToLower(strings.TrimSpace(c.Log.Level))
	c.Log.Format = strings.ToLower(strings.TrimSpace(c.Log.Format))
	c.HTTP.PublicURL = strings.TrimRight(strings.TrimSpace(c.HTTP.PublicURL), "/")
	c.WeChat.APIBase = strings.TrimRight(strings.TrimSpace(c.WeChat.APIBase), "/")
}

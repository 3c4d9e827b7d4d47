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
	if err := removedKeyErr(data); err != nil {
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

// removedKeys maps keys that earlier versions read to what to do instead, so a
// file that still sets one fails with that advice rather than a bare "field not
// found".
var removedKeys = map[string]string{
	"push.max_attempts": "an attempt cap no longer kills notices: they are retried until " +
		"push.max_age (default 72h) unless WeChat refuses them for good; delete the key",
}

// removedKeyErr reports the first removed key set at the top two levels of the
// YAML in data. Malformed YAML is left to the decoder to report.
func removedKeyErr(data []byte) error {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil
	}
	top := doc.Content[0].Content
	for i := 0; i+1 < len(top); i += 2 {
		sub := top[i+1].Content
		for j := 0; top[i+1].Kind == yaml.MappingNode && j+1 < len(sub); j += 2 {
			key := top[i].Value + "." + sub[j].Value
			if advice, ok := removedKeys[key]; ok {
				return fmt.Errorf("line %d: %s was removed: %s", sub[j].Line, key, advice)
			}
		}
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

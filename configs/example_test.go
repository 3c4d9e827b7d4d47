package configs

import (
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const examplePath = "complaintbot.example.yaml"

// configKeys lists the dotted YAML key of every field of Config, from its tags,
// so a field added without documentation fails the tests below.
func configKeys() []string {
	var keys []string
	var walk func(t reflect.Type, prefix string)
	walk = func(t reflect.Type, prefix string) {
		for i := range t.NumField() {
			f := t.Field(i)
			key := prefix + strings.Split(f.Tag.Get("yaml"), ",")[0]
			if f.Type.Kind() == reflect.Struct {
				walk(f.Type, key+".")
				continue
			}
			keys = append(keys, key)
		}
	}
	walk(reflect.TypeFor[Config](), "")
	sort.Strings(keys)
	return keys
}

// yamlKeyNodes maps each dotted key of the document to its key node, descending
// only into sections (mappings that hold further settings, not messages).
func yamlKeyNodes(t *testing.T, data []byte) map[string]*yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	out := map[string]*yaml.Node{}
	var walk func(n *yaml.Node, prefix string, depth int)
	walk = func(n *yaml.Node, prefix string, depth int) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			out[prefix+k.Value] = k
			if depth < 2 && v.Kind == yaml.MappingNode && k.Value != "messages" {
				walk(v, prefix+k.Value+".", depth+1)
			}
		}
	}
	walk(doc.Content[0], "", 0)
	return out
}

// flatten renders c as dotted key → scalar text, the way it would be written in
// YAML.
func flatten(t *testing.T, c Config) map[string]string {
	t.Helper()
	data, err := yaml.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(n *yaml.Node, prefix string)
	walk = func(n *yaml.Node, prefix string) {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i].Value, n.Content[i+1]
			if v.Kind == yaml.MappingNode {
				walk(v, prefix+k+".")
				continue
			}
			out[prefix+k] = v.Value
		}
	}
	walk(doc.Content[0], "")
	return out
}

func TestExampleLoadsToTheDefaults(t *testing.T) {
	c, err := Load(examplePath, nil)
	if err != nil {
		t.Fatalf("the example file does not load: %v", err)
	}
	if !reflect.DeepEqual(c, Default()) {
		t.Errorf("the example file documents values other than the defaults:\n got %+v\nwant %+v", c, Default())
	}
}

func TestExampleDocumentsEveryKey(t *testing.T) {
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	nodes := yamlKeyNodes(t, data)
	envByKey := map[string]string{}
	for _, v := range EnvVars() {
		envByKey[v.Key] = v.Name
	}
	for _, key := range configKeys() {
		n, ok := nodes[key]
		if !ok {
			t.Errorf("%s is missing from %s", key, examplePath)
			continue
		}
		comment := n.HeadComment + n.LineComment
		if strings.TrimSpace(comment) == "" {
			t.Errorf("%s has no comment in %s", key, examplePath)
		}
		if name, ok := envByKey[key]; ok && !strings.Contains(comment, name) {
			t.Errorf("the comment on %s does not name %s", key, name)
		}
	}
}

func TestEnvVarsAreConsistent(t *testing.T) {
	keys := map[string]bool{}
	for _, k := range configKeys() {
		keys[k] = true
	}
	names := map[string]bool{}
	for _, v := range EnvVars() {
		if !keys[v.Key] {
			t.Errorf("%s overrides %s, which is not a config key", v.Name, v.Key)
		}
		if names[v.Name] || !strings.HasPrefix(v.Name, "COMPLAINTBOT_") || v.Description == "" {
			t.Errorf("%s is duplicated, misnamed or undescribed", v.Name)
		}
		names[v.Name] = true
	}
	if len(names) != 23 {
		t.Errorf("EnvVars() has %d variables, want 23", len(names))
	}
	// Every variable the example mentions must exist, so the docs cannot drift.
	data, err := os.ReadFile(examplePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range regexp.MustCompile(`COMPLAINTBOT_[A-Z_]+`).FindAllString(string(data), -1) {
		if !names[name] && name != ConfigPathEnv {
			t.Errorf("%s mentions %s, which Load does not read", examplePath, name)
		}
	}
}

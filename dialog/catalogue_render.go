package dialog

import (
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
)

// compile parses one message and checks it. Executing a template only reaches the
// fields of the branches it takes, so the field names are checked on the parse
// tree; the template then runs on three sets of sample values ("1", "0" and "",
// which between them take both sides of the catalogue's {{if}}s) to catch what
// fails only when executed, and must not come out blank when every field is set
// (a template of comments alone would send consumers an empty reply).
func (c *Catalogue) compile(key, text string, fields []string) (*template.Template, error) {
	t, err := template.New(key).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, err
	}
	if err := checkFieldNames(t, fields); err != nil {
		return nil, err
	}
	for _, v := range []string{"1", "0", ""} {
		sample := make([]string, 0, 2*len(fields))
		for _, f := range fields {
			sample = append(sample, f, v)
		}
		s, err := execute(*c.base.Load(), t, sample)
		if err != nil {
			return nil, err
		}
		if s == "" && v == "1" {
			return nil, errors.New("renders as an empty message")
		}
	}
	return t, nil
}

// checkFieldNames refuses a template that names a field outside fields and the
// base fields, e.g. a misspelt {{.Numbr}}, wherever it appears.
func checkFieldNames(t *template.Template, fields []string) error {
	allowed := slices.Concat(baseFieldNames, fields)
	var unknown []string
	for _, tt := range t.Templates() {
		if tt.Tree == nil {
			continue
		}
		walkFields(tt.Tree.Root, func(name string) {
			if !slices.Contains(allowed, name) && !slices.Contains(unknown, name) {
				unknown = append(unknown, name)
			}
		})
	}
	if len(unknown) == 0 {
		return nil
	}
	sort.Strings(unknown)
	return fmt.Errorf("uses %s, which this message does not have; it may use %s",
		fieldList(unknown), fieldList(allowed))
}

// fieldList renders field names as "{{.A}}, {{.B}}".
func fieldList(names []string) string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = "{{." + n + "}}"
	}
	return strings.Join(out, ", ")
}

// walkFields calls f with the name of every field of the data that node uses:
// {{.Name}} and {{$.Name}}, in actions, conditions and template calls alike.
func walkFields(node parse.Node, f func(string)) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, child := range n.Nodes {
				walkFields(child, f)
			}
		}
	case *parse.ActionNode:
		walkFields(n.Pipe, f)
	case *parse.PipeNode:
		if n != nil {
			for _, cmd := range n.Cmds {
				walkFields(cmd, f)
			}
		}
	case *parse.CommandNode:
		for _, arg := range n.Args {
			walkFields(arg, f)
		}
	case *parse.ChainNode:
		walkFields(n.Node, f)
	case *parse.FieldNode:
		f(n.Ident[0])
	case *parse.VariableNode:
		if len(n.Ident) > 1 && n.Ident[0] == "$" {
			f(n.Ident[1])
		}
	case *parse.IfNode:
		walkBranch(&n.BranchNode, f)
	case *parse.RangeNode:
		walkBranch(&n.BranchNode, f)
	case *parse.WithNode:
		walkBranch(&n.BranchNode, f)
	case *parse.TemplateNode:
		walkFields(n.Pipe, f)
	}
}

// walkBranch walks an {{if}}, {{range}} or {{with}}: its pipeline and both lists.
func walkBranch(b *parse.BranchNode, f func(string)) {
	walkFields(b.Pipe, f)
	walkFields(b.List, f)
	walkFields(b.ElseList, f)
}

// hasName reports whether name/value pairs kv give a value for name.
func hasName(kv []string, name string) bool {
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == name {
			return true
		}
	}
	return false
}

// data merges a message's own fields, given as name/value pairs, with the base fields.
func data(base map[string]string, kv []string) map[string]string {
	d := make(map[string]string, len(base)+len(kv)/2)
	for k, v := range base {
		d[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		d[kv[i]] = kv[i+1]
	}
	return d
}

// renderFailedReply is said when a message cannot be rendered at all: the start
// of the default busy message, which needs no template.
const renderFailedReply = "系统繁忙，请稍后再试。"

// text renders message key with its fields as name/value pairs. NewCatalogue
// checked every template's field names and ran it on sample values, and
// TestCatalogueCallSitesRender renders every message with the fields its callers
// pass, so this should not fail. If it does, the consumer still gets a whole
// sentence, never a cut-short message: the default wording when an override
// failed, else renderFailedReply; and the error is logged here, since the
// hundred-odd call sites build replies, not errors.
func (c *Catalogue) text(key string, kv ...string) string {
	if c == nil {
		c = defaultCatalogue()
	}
	base := c.base.Load()
	if len(kv) == 0 {
		return c.fixedText(base, key)
	}
	return c.textOn(*base, key, kv)
}

// fixedTexts holds the messages said without fields of their own (帮助, the
// menu, …), rendered once: they depend on the base fields alone, and 帮助 is the
// commonest turn. A cache belongs to one base map, which is replaced whole, never
// changed (SetOrganisation), so a new map starts a new cache.
type fixedTexts struct {
	base  *map[string]string
	texts sync.Map // message key → text
}

// fixedText is textOn for a message said without fields, from the cache of base.
func (c *Catalogue) fixedText(base *map[string]string, key string) string {
	f := c.fixed.Load()
	if f == nil || f.base != base {
		f = &fixedTexts{base: base}
		c.fixed.Store(f) // a racing store of an older base's cache is replaced on its next use
	}
	if s, ok := f.texts.Load(key); ok {
		return s.(string)
	}
	s, err := c.render(*base, c.templates[key], key, nil)
	if err != nil {
		return c.textOn(*base, key, nil) // logs, and falls back; not cached
	}
	f.texts.Store(key, s)
	return s
}

// textOn renders message key on the base fields base; see text.
func (c *Catalogue) textOn(base map[string]string, key string, kv []string) string {
	s, err := c.render(base, c.templates[key], key, kv)
	if err == nil {
		return s
	}
	log := c.logger
	if log == nil {
		log = slog.Default()
	}
	log.Error("dialog: catalogue message failed to render", "key", key, "err", err)
	if def := c.defaults[key]; def != nil {
		if s, err := c.render(base, def, key, kv); err == nil {
			return s
		}
	}
	return renderFailedReply
}

// render executes t, message key's template, with the message's fields as
// name/value pairs. It fails, rather than return a message cut short, when t
// fails or kv lacks a field the message declares: an override may use any of
// them, so a caller leaving one out would only fail once an association
// overrides that message.
func (c *Catalogue) render(base map[string]string, t *template.Template, key string, kv []string) (string, error) {
	m, ok := messages[key]
	if !ok || t == nil {
		return "", fmt.Errorf("dialog: no message %q", key)
	}
	if len(kv)%2 != 0 {
		return "", fmt.Errorf("dialog: message %q: odd number of name/value arguments", key)
	}
	for _, f := range m.fields {
		if !hasName(kv, f) {
			return "", fmt.Errorf("dialog: message %q rendered without its field %s", key, f)
		}
	}
	s, err := execute(base, t, kv)
	if err != nil {
		return "", fmt.Errorf("dialog: message %q: %w", key, err)
	}
	return s, nil
}

// execute runs t on the base fields and name/value pairs kv, trimming the result.
func execute(base map[string]string, t *template.Template, kv []string) (string, error) {
	var b strings.Builder
	if err := t.Execute(&b, data(base, kv)); err != nil {
		return "", err
	}
	return strings.TrimSpace(b.String()), nil
}

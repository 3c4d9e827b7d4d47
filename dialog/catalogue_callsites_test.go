package dialog

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// callSite is one place in the package's code that says a catalogue message: the
// messages it may say and the field names it passes.
type callSite struct {
	pos   string
	keys  []string
	names []string
}

// TestCatalogueCallSitesRender finds every call of Catalogue.text, turn.say and
// Catalogue.fit in the package's code, reads the message keys each may say and the
// field names it passes, and renders each such message with those fields, on
// several sample values and settings. It fails on an error (a field the message
// declares but the caller leaves out, or one the template uses but the message
// does not declare), on "<no value>", on an empty message, and on a message no
// call site says; so a caller and the catalogue cannot drift apart unnoticed.
func TestCatalogueCallSitesRender(t *testing.T) {
	sites := catalogueCallSites(t)
	t.Logf("%d call sites", len(sites))
	if len(sites) < 50 {
		t.Fatalf("found only %d call sites; is the source scan broken?", len(sites))
	}
	catalogues := map[string]*Catalogue{
		"defaults":   mustCatalogue(t, Settings{}),
		"configured": mustCatalogue(t, testSettings),
		"hotline only": mustCatalogue(t, Settings{OrgName: "某市消委会", Hotline: "12315",
			AcceptDays: 5, MediationDays: 30}),
	}
	said := make(map[string]bool)
	for _, site := range sites {
		for _, key := range site.keys {
			said[key] = true
			if err := renderSite(catalogues, key, site.names); err != "" {
				t.Errorf("%s: %s", site.pos, err)
			}
		}
	}
	for _, key := range MessageKeys() {
		if !said[key] {
			t.Errorf("message %q is said by no call site the test found", key)
		}
	}
}

// renderSite renders message key with fields names on every catalogue and several
// sample values, and describes the first failure, "" if none.
func renderSite(catalogues map[string]*Catalogue, key string, names []string) string {
	for _, v := range []string{"1", "0", "", "TS-2026-000123"} {
		kv := make([]string, 0, 2*len(names))
		for _, n := range names {
			kv = append(kv, n, v)
		}
		for name, c := range catalogues {
			got, err := c.render(*c.base.Load(), c.templates[key], key, kv)
			switch {
			case err != nil:
				return err.Error()
			case strings.Contains(got, "<no value>"):
				return fmt.Sprintf("%s (%s, fields %q): <no value> in %q", key, name, v, got)
			case got == "":
				return fmt.Sprintf("%s (%s, fields %q) renders empty", key, name, v)
			}
		}
	}
	return ""
}

// catalogueCallSites parses the package's non-test files and returns every call
// site of a catalogue message.
func catalogueCallSites(t *testing.T) []callSite {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var parsed []*ast.File
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		parsed = append(parsed, f)
	}
	r := &siteReader{t: t, fset: fset, files: parsed, consts: stringConsts(parsed)}
	for _, f := range parsed {
		for _, decl := range f.Decls {
			if fn, ok := decl.(*ast.FuncDecl); ok && fn.Body != nil {
				r.readFunc(fn)
			}
		}
	}
	return r.sites
}

// forwarders pass their caller's key and fields on; their callers are the call
// sites.
var forwarders = []string{"say", "fit", "text", "render"}

// keyMaps are the package's maps from a stage or status to a message key, which
// some call sites index.
var keyMaps = map[string][]string{
	"expiredMessages": slices.Collect(maps.Values(expiredMessages)),
	"leaveMessages":   slices.Collect(maps.Values(leaveMessages)),
	"amountRefusals":  slices.Collect(maps.Values(amountRefusals)),
	"plainPrompts":    slices.Collect(maps.Values(plainPrompts)),
	"nextKeys":        slices.Collect(maps.Values(nextKeys)),
}

// siteReader collects call sites from parsed files.
type siteReader struct {
	t      *testing.T
	fset   *token.FileSet
	files  []*ast.File
	consts map[string]string
	sites  []callSite
}

// readFunc records the catalogue calls in fn's body.
func (r *siteReader) readFunc(fn *ast.FuncDecl) {
	if slices.Contains(forwarders, fn.Name.Name) {
		return
	}
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok || len(call.Args) == 0 || !slices.Contains([]string{"text", "say", "fit"}, sel.Sel.Name) {
			return true
		}
		pos := r.fset.Position(call.Pos()).String()
		site := callSite{pos: pos, keys: r.keys(fn, call.Args[0], pos)}
		args := call.Args[1:]
		if sel.Sel.Name == "fit" { // fit(key, field, value, kv...)
			if field := r.literal(args[0], pos); field != "" {
				site.names = append(site.names, field)
			}
			args = args[2:]
		}
		site.names = append(site.names, r.names(args, call.Ellipsis.IsValid(), pos)...)
		r.sites = append(r.sites, site)
		return true
	})
}

// keys returns the message keys expr, the first argument of a call in fn, may be.
func (r *siteReader) keys(fn *ast.FuncDecl, expr ast.Expr, pos string) []string {
	switch e := expr.(type) {
	case *ast.Ident:
		if v, ok := r.constant(e); ok {
			return []string{v}
		}
		if i := paramIndex(fn, e.Name); i >= 0 {
			return r.argKeys(fn.Name.Name, i, pos)
		}
		if m := assignedMap(fn, e.Name); m != "" {
			if ks, ok := keyMaps[m]; ok {
				return ks
			}
		}
	case *ast.IndexExpr:
		if m, ok := e.X.(*ast.Ident); ok {
			if ks, ok := keyMaps[m.Name]; ok {
				return ks
			}
		}
	case *ast.BasicLit:
		return []string{r.literal(e, pos)}
	}
	r.t.Errorf("%s: cannot tell which message %s is; teach catalogueCallSites", pos, types.ExprString(expr))
	return nil
}

// argKeys returns the constant keys that calls of function name pass as argument i.
func (r *siteReader) argKeys(name string, i int, pos string) []string {
	var keys []string
	for _, f := range r.files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) <= i {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == name {
				if v, ok := r.constant(call.Args[i]); ok {
					keys = append(keys, v)
				} else {
					r.t.Errorf("%s: %s passes a key the test cannot read", r.fset.Position(call.Pos()), name)
				}
			}
			return true
		})
	}
	if len(keys) == 0 {
		r.t.Errorf("%s: no call of %s found", pos, name)
	}
	return keys
}

// names returns the field names of name/value arguments: string literals at even
// positions, or the names of caseFields when the arguments are caseFields(…)....
func (r *siteReader) names(args []ast.Expr, spread bool, pos string) []string {
	if spread {
		if call, ok := args[len(args)-1].(*ast.CallExpr); ok && len(args) == 1 && types.ExprString(call.Fun) == "caseFields" {
			return evenEntries(caseFields(&storage.Case{}))
		}
		r.t.Errorf("%s: cannot read spread fields %s; teach catalogueCallSites", pos, types.ExprString(args[len(args)-1]))
		return nil
	}
	if len(args)%2 != 0 {
		r.t.Errorf("%s: odd number of name/value arguments", pos)
	}
	var names []string
	for i := 0; i < len(args); i += 2 {
		names = append(names, r.literal(args[i], pos))
	}
	return names
}

// literal returns the value of a string literal argument.
func (r *siteReader) literal(e ast.Expr, pos string) string {
	if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
		if s, err := strconv.Unquote(lit.Value); err == nil {
			return s
		}
	}
	r.t.Errorf("%s: field name %s is not a string literal", pos, types.ExprString(e))
	return ""
}

// stringConsts maps the package's string constants to their values.
func stringConsts(files []*ast.File) map[string]string {
	consts := make(map[string]string)
	for _, f := range files {
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.CONST {
				continue
			}
			for _, spec := range gen.Specs {
				vs := spec.(*ast.ValueSpec)
				for i, name := range vs.Names {
					if i < len(vs.Values) {
						if lit, ok := vs.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
							consts[name.Name], _ = strconv.Unquote(lit.Value)
						}
					}
				}
			}
		}
	}
	return consts
}

// paramIndex is the position of fn's parameter name, -1 if it has none.
func paramIndex(fn *ast.FuncDecl, name string) int {
	i := 0
	for _, field := range fn.Type.Params.List {
		for _, n := range field.Names {
			if n.Name == name {
				return i
			}
			i++
		}
	}
	return -1
}

// assignedMap returns the map a local variable of fn is read from ("key, ok :=
// expiredMessages[…]"), or "".
func assignedMap(fn *ast.FuncDecl, name string) string {
	var m string
	ast.Inspect(fn.Body, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok || len(as.Rhs) != 1 {
			return true
		}
		id, ok := as.Lhs[0].(*ast.Ident)
		ix, isIndex := as.Rhs[0].(*ast.IndexExpr)
		if ok && isIndex && id.Name == name {
			if x, ok := ix.X.(*ast.Ident); ok {
				m = x.Name
			}
		}
		return true
	})
	return m
}

// constant returns the value of e when it names a string constant.
func (r *siteReader) constant(e ast.Expr) (string, bool) {
	id, ok := e.(*ast.Ident)
	if !ok {
		return "", false
	}
	v, ok := r.consts[id.Name]
	return v, ok
}

// evenEntries returns the names of name/value pairs.
func evenEntries(kv []string) []string {
	var names []string
	for i := 0; i < len(kv); i += 2 {
		names = append(names, kv[i])
	}
	return names
}

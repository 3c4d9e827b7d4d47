package main

import (
	"errors"
	"os/exec"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
)

// modulePath is this module's import path.
const modulePath = "github.com/complaintbot/complaintbot"

// TestBinaryHasNoTestCode keeps test support out of the binary: neither the
// testing package (which registers its flags in any program that imports it) nor
// internal/testenv may be among the dependencies of cmd/complaintbot's non-test
// files. Test helpers belong in internal/testenv or in _test.go files.
func TestBinaryHasNoTestCode(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		testenv.SkipOrFail(t, "no go command on PATH to list the binary's packages: %v", err)
	}
	cmd := exec.Command(goTool, "list", "-deps", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", ".")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list -deps: %v\n%s", err, commandStderr(err))
	}
	imports := map[string][]string{} // package → its imports
	for line := range strings.Lines(string(out)) {
		fields := strings.Fields(line)
		imports[fields[0]] = fields[1:]
	}
	// The list must be the binary's, or the test below proves nothing.
	for _, want := range []string{modulePath + "/cmd/complaintbot", modulePath + "/storage/sqlstore", modulePath + "/dialog"} {
		if _, ok := imports[want]; !ok {
			t.Fatalf("go list -deps does not list %s:\n%s", want, out)
		}
	}
	for _, banned := range []string{"testing", modulePath + "/internal/testenv"} {
		if _, ok := imports[banned]; !ok {
			continue
		}
		var by []string
		for pkg, imps := range imports {
			for _, imp := range imps {
				if imp == banned {
					by = append(by, pkg)
				}
			}
		}
		t.Errorf("the binary depends on %s, imported by %s", banned, strings.Join(by, ", "))
	}
}

// commandStderr is what a failed command wrote to its standard error, if kept.
func commandStderr(err error) string {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return string(ee.Stderr)
	}
	return ""
}

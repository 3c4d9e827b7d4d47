package portal_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/complaintbot/complaintbot/internal/testenv"
)

// TestImportsOnlyStorageAndWebauth keeps the portal a separate surface: of this
// module it may import storage and internal/webauth only (never the console,
// the chat, the bot or the SQL store), outside its tests.
func TestImportsOnlyStorageAndWebauth(t *testing.T) {
	goTool, err := exec.LookPath("go")
	if err != nil {
		testenv.SkipOrFail(t, "no go command on PATH: %v", err)
	}
	out, err := exec.Command(goTool, "list", "-f", `{{join .Imports "\n"}}`, ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	const module = "github.com/complaintbot/complaintbot/"
	allowed := map[string]bool{module + "storage": true, module + "internal/webauth": true}
	seen := 0
	for imp := range strings.Lines(string(out)) {
		imp = strings.TrimSpace(imp)
		if strings.HasPrefix(imp, module) {
			seen++
			if !allowed[imp] {
				t.Errorf("portal imports %s", imp)
			}
		}
	}
	if seen == 0 {
		t.Fatalf("go list shows no imports of this module:\n%s", out)
	}
}

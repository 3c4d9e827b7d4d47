package dialog

import (
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// TestStepArbitrationAnswer checks the step's side of the arbitration question:
// it asks for the open question, answers it with an effect, and lets a bare 不同意
// without a question through as a message.
func TestStepArbitrationAnswer(t *testing.T) {
	cat := mustCatalogue(t, Settings{Hotline: "12315"})
	asked := &storage.Case{ID: 5, Number: "TS-2026-000005", Status: storage.StatusMediating, OpenID: "o"}
	step := func(word string, f *Facts) Result {
		t.Helper()
		return Step(State{}, Input{Kind: InputText, Text: word}, Env{Catalogue: cat, Facts: f})
	}
	for _, w := range []string{"同意仲裁", "不同意", "不同意仲裁"} {
		r := step(w, nil)
		if r.Need == nil || !r.Need.ArbitrationQuestion {
			t.Errorf("%s: need = %+v, want the arbitration question", w, r.Need)
		}
	}
	r := step("同意仲裁", &Facts{ArbitrationCase: asked})
	if len(r.Effects) != 1 || r.Effects[0] != (AnswerArbitration{Case: refOf(asked), Answer: storage.ConsentAgreed}) {
		t.Errorf("同意仲裁: effects = %+v", r.Effects)
	}
	r = step("不同意", &Facts{ArbitrationCase: asked})
	if len(r.Effects) != 1 || r.Effects[0] != (AnswerArbitration{Case: refOf(asked), Answer: storage.ConsentRefused}) {
		t.Errorf("不同意: effects = %+v", r.Effects)
	}
	r = step("同意仲裁", &Facts{})
	if len(r.Effects) != 0 || len(r.Replies) != 1 {
		t.Errorf("同意仲裁 without a question: %+v", r)
	}
	open := &storage.Case{ID: 6, Number: "TS-2026-000006", Status: storage.StatusMediating, OpenID: "o"}
	r = step("不同意", &Facts{OpenCases: []*storage.Case{open}})
	if len(r.Effects) != 1 {
		t.Fatalf("不同意 without a question: effects = %+v", r.Effects)
	}
	if add, ok := r.Effects[0].(AddToCase); !ok || add.Case.ID != open.ID {
		t.Errorf("不同意 without a question: effect = %+v, want it forwarded", r.Effects[0])
	}
}

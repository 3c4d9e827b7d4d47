package dialog

import (
	"slices"
	"strconv"

	"github.com/complaintbot/complaintbot/storage"
)

// The unit of a complaint (deployments with several units only; with one, none
// of this runs and the case is filed with the root).
//
// After the merchant's address (typed, or a location's label) the intake looks
// for the units whose region names occur in it (storage.UnitTree.UnitsByRegion):
// the deepest match wins (a district before its city); none, or two at the same
// depth, and the consumer is asked to choose from unitChoices. The summary shows
// the unit as item 11, which 修改 11 asks again.

// placeUnit finds the draft's unit from the merchant's address it was just
// given. It reports true when it had to ask the consumer instead: the unit
// question is then the pending one. With a single unit it does nothing.
func (t *turn) placeUnit() bool {
	tree := t.cat.unitTree()
	if !t.cat.severalUnits() {
		return false
	}
	if u := inferUnit(tree, t.st.Draft.MerchantAddress); u != nil {
		t.st.Draft.UnitID, t.st.Draft.UnitAsked = u.ID, false
		return false
	}
	t.st.Draft.UnitID, t.st.Draft.UnitAsked = 0, true
	t.st.Stage = StageUnit
	t.reask()
	return true
}

// inferUnit returns the unit whose region text names, the deepest when several
// do; nil when none does or two at the same depth do (ambiguous).
func inferUnit(tree *storage.UnitTree, text string) *storage.Unit {
	found := tree.UnitsByRegion(text)
	if len(found) == 0 || len(found) > 1 && unitDepth(tree, found[0]) == unitDepth(tree, found[1]) {
		return nil
	}
	return found[0]
}

// unitDepth is how far u is below the root (the root is 0).
func unitDepth(tree *storage.UnitTree, u *storage.Unit) int {
	d := 0
	for ; u != nil && u.ID != storage.RootUnitID; u = tree.Unit(u.ParentID) {
		d++
	}
	return d
}

// takesCases reports whether the consumer may choose u: an enabled unit that has
// no children (a district or county committee) or that serves regions of its own
// (a city committee that handles the city's central districts itself).
func takesCases(tree *storage.UnitTree, u *storage.Unit) bool {
	return !u.Disabled && (len(tree.Children(u.ID)) == 0 || len(u.Regions) > 0)
}

// unitChoices are the units the unit question offers, in the order of the tree
// (each unit before its children, siblings as ListUnits orders them). When the
// root takes no cases itself it comes last, as "don't know": the organisation
// passes such a complaint on.
func unitChoices(tree *storage.UnitTree) []*storage.Unit {
	var out []*storage.Unit
	var walk func(u *storage.Unit)
	walk = func(u *storage.Unit) {
		if takesCases(tree, u) {
			out = append(out, u)
		}
		for _, child := range tree.Children(u.ID) {
			walk(child)
		}
	}
	root := tree.Unit(storage.RootUnitID)
	if root == nil {
		return nil
	}
	walk(root)
	if !slices.Contains(out, root) {
		out = append(out, root)
	}
	return out
}

// unitLabels are the unit question's options: the units' names, and for the root
// when it takes no cases itself the "don't know" wording.
func (t *turn) unitLabels() []string {
	tree := t.cat.unitTree()
	choices := unitChoices(tree)
	labels := make([]string, len(choices))
	for i, u := range choices {
		labels[i] = t.cat.unitName(u.ID)
		if u.ID == storage.RootUnitID && !takesCases(tree, u) {
			labels[i] = t.cat.text(msgUnitUnsure, "Root", labels[i])
		}
	}
	return labels
}

// unsureWords answer the unit question as its "don't know" choice does.
var unsureWords = set("不清楚", "不知道", "不确定")

// answerUnit takes the unit question's answer: a number or name of the list, a
// place name (樊城区) that finds one unit as an address would, or 不清楚 when the
// list offers the organisation as "don't know".
func (t *turn) answerUnit(text string) {
	tree := t.cat.unitTree()
	choices := unitChoices(tree)
	labels := t.unitLabels()
	if label, ok := pickOption(labels, text); ok {
		t.chooseUnit(choices[slices.Index(labels, label)])
		return
	}
	if root := tree.Unit(storage.RootUnitID); root != nil && unsureWords[commandText(text)] && !takesCases(tree, root) {
		t.chooseUnit(root) // the "don't know" choice, in words
		return
	}
	if u := inferUnit(tree, commandText(text)); u != nil && commandText(text) != "" {
		t.chooseUnit(u)
		return
	}
	t.say(msgBadUnit, "Max", strconv.Itoa(len(labels)), "Options", numbered(labels))
}

// chooseUnit keeps the consumer's choice and moves on.
func (t *turn) chooseUnit(u *storage.Unit) {
	t.st.Draft.UnitID, t.st.Draft.UnitAsked = u.ID, true
	t.advance()
}

// unitMissing reports whether the draft still needs a unit before it is filed:
// there are several units and it has none that takes cases now (a draft begun
// before units were added, or whose unit was disabled since).
func (t *turn) unitMissing() bool {
	if !t.cat.severalUnits() {
		return false
	}
	u := t.cat.unitTree().Unit(t.st.Draft.UnitID)
	return u == nil || u.Disabled
}

// previousQuestion is the question 上一步 returns to from s: the one before, but
// past the unit question unless the consumer was asked it.
func (t *turn) previousQuestion(s Stage) Stage {
	prev := previousStage(s)
	if prev == StageUnit && !(t.cat.severalUnits() && t.st.Draft.UnitAsked) {
		prev = previousStage(prev)
	}
	return prev
}

// summaryItems maps item N of the summary (修改 N) to its question: the ten of
// every deployment, and the unit as item 11 when there are several.
func (t *turn) summaryItems() []Stage {
	if t.cat.severalUnits() {
		return append(slices.Clip(summaryStages), StageUnit)
	}
	return summaryStages
}

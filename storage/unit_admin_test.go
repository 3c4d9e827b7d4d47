package storage

import (
	"strings"
	"testing"
)

// TestUnitInputValidate checks the unit form's rules and their cleaning.
func TestUnitInputValidate(t *testing.T) {
	in := UnitInput{ParentID: 1, Name: " 樊城区消委会 ", Code: " fc1 ", Regions: SplitRegions("樊城区\r\n牛首镇，樊城区、\n\n太平店镇"),
		Hotline: " 0710-12315 ", ServiceHours: " 工作日 "}
	if err := in.Validate(false); err != nil {
		t.Fatal(err)
	}
	if in.Name != "樊城区消委会" || in.Code != "FC1" || strings.Join(in.Regions, ",") != "樊城区,牛首镇,太平店镇" ||
		in.Hotline != "0710-12315" || in.ServiceHours != "工作日" {
		t.Fatalf("cleaned = %+v", in)
	}
	root := UnitInput{Code: "ROOT"}
	if err := root.Validate(true); err != nil {
		t.Fatalf("the root without a name: %v", err)
	}
	for name, bad := range map[string]UnitInput{
		"child without a name": {ParentID: 1, Code: "AB"},
		"code too long":        {ParentID: 1, Name: "某区", Code: "ABCDEFGHI"},
		"code in Chinese":      {ParentID: 1, Name: "某区", Code: "樊城"},
		"region too long":      {ParentID: 1, Name: "某区", Code: "AB", Regions: []string{strings.Repeat("区", 21)}},
		"hours too long":       {ParentID: 1, Name: "某区", Code: "AB", ServiceHours: strings.Repeat("时", 41)},
		"name with a newline":  {ParentID: 1, Name: "某\n区", Code: "AB"},
	} {
		if err := bad.Validate(false); ErrorCode(err) != EINVALID {
			t.Errorf("%s: %v, want EINVALID", name, err)
		}
	}
}

// TestUnitTreeAncestors checks the way up from a unit, which canned replies
// and routing's default team follow.
func TestUnitTreeAncestors(t *testing.T) {
	tree := NewUnitTree([]*Unit{{ID: 1}, {ID: 2, ParentID: 1}, {ID: 3, ParentID: 2}, {ID: 4, ParentID: 1}})
	if got := tree.Ancestors(3); len(got) != 3 || got[0] != 3 || got[1] != 2 || got[2] != 1 {
		t.Fatalf("Ancestors(3) = %v", got)
	}
	if got := tree.Ancestors(9); got != nil {
		t.Fatalf("Ancestors(unknown) = %v", got)
	}
}

package storage

import (
	"slices"
	"testing"
)

// xiangyang is a city committee with two districts, one of which has a
// development zone under it, and a county-level city.
func xiangyang() *UnitTree {
	return NewUnitTree([]*Unit{
		{ID: RootUnitID, Name: "襄阳市消费者委员会", Code: "XY", Regions: []string{"襄阳市"}},
		{ID: 2, ParentID: RootUnitID, Name: "樊城区消委会", Code: "FC", Regions: []string{"樊城区"}},
		{ID: 3, ParentID: RootUnitID, Name: "枣阳市消委会", Code: "ZY", Regions: []string{"枣阳市", "枣阳"}},
		{ID: 4, ParentID: 2, Name: "高新区分会", Code: "GX", Regions: []string{"高新区"}},
		{ID: 5, ParentID: RootUnitID, Name: "已停用", Code: "OFF", Regions: []string{"樊城区"}, Disabled: true},
	})
}

func TestUnitTreeSubtreeAndContains(t *testing.T) {
	tr := xiangyang()
	if got := tr.Subtree(RootUnitID); !slices.Equal(got, []int64{1, 2, 3, 5, 4}) {
		t.Errorf("Subtree(root) = %v", got)
	}
	if got := tr.Subtree(2); !slices.Equal(got, []int64{2, 4}) {
		t.Errorf("Subtree(樊城) = %v", got)
	}
	if tr.Subtree(99) != nil {
		t.Error("an unknown unit has a subtree")
	}
	for _, c := range []struct {
		top, id int64
		want    bool
	}{
		{1, 4, true}, {2, 4, true}, {4, 4, true}, {3, 4, false}, {4, 2, false}, {2, 1, false}, {2, 99, false},
	} {
		if got := tr.Contains(c.top, c.id); got != c.want {
			t.Errorf("Contains(%d, %d) = %v, want %v", c.top, c.id, got, c.want)
		}
	}
	if tr.Single() || !NewUnitTree([]*Unit{{ID: RootUnitID}}).Single() {
		t.Error("Single is wrong")
	}
}

func TestUnitsByRegionDeepestFirst(t *testing.T) {
	tr := xiangyang()
	ids := func(us []*Unit) []int64 {
		var out []int64
		for _, u := range us {
			out = append(out, u.ID)
		}
		return out
	}
	for text, want := range map[string][]int64{
		"湖北省襄阳市樊城区高新区长虹路": {4, 2, 1},
		"襄阳市樊城区人民路1号":     {2, 1},
		"枣阳市民主路":          {3},
		"武汉市江汉区":          nil,
	} {
		if got := ids(tr.UnitsByRegion(text)); !slices.Equal(got, want) {
			t.Errorf("UnitsByRegion(%q) = %v, want %v", text, got, want)
		}
	}
}

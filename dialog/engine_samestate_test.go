package dialog

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

// stateVariants returns v's zero value and, for every field reachable from its
// type (inside structs, behind pointers, in one element of a list), a copy with
// that field alone set, so every stored field is changed once.
func stateVariants(t reflect.Type) []reflect.Value {
	zero := reflect.New(t).Elem()
	out := []reflect.Value{zero}
	switch {
	case t == reflect.TypeOf(time.Time{}):
		for _, v := range []time.Time{
			time.Date(2026, 12, 6, 8, 0, 0, 0, time.UTC),
			time.Date(2026, 12, 6, 16, 0, 0, 0, time.FixedZone("CST", 8*3600)), // the same instant elsewhere
			time.Date(2026, 12, 6, 8, 0, 0, 1, time.UTC),
		} {
			out = append(out, reflect.ValueOf(v))
		}
	case t.Kind() == reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Tag.Get("json") == "-" {
				continue
			}
			for _, fv := range stateVariants(f.Type)[1:] {
				v := reflect.New(t).Elem()
				v.Field(i).Set(fv)
				out = append(out, v)
			}
		}
	case t.Kind() == reflect.Pointer:
		for _, ev := range stateVariants(t.Elem()) {
			p := reflect.New(t.Elem())
			p.Elem().Set(ev)
			out = append(out, p)
		}
	case t.Kind() == reflect.Slice:
		out = append(out, reflect.MakeSlice(t, 0, 0)) // empty, not nil
		for _, ev := range stateVariants(t.Elem()) {
			s := reflect.MakeSlice(t, 1, 1)
			s.Index(0).Set(ev)
			out = append(out, s)
		}
	case t.Kind() == reflect.String:
		out = append(out, reflect.ValueOf("x").Convert(t))
	case t.Kind() == reflect.Bool:
		out = append(out, reflect.ValueOf(true))
	case t.Kind() == reflect.Int64:
		out = append(out, reflect.ValueOf(int64(7)).Convert(t))
	default:
		panic("stateVariants: add a sample for " + t.String())
	}
	return out
}

// TestSameStateIsTheStoredFormsEquality: for every pair of states that differ in
// at most one field each, sameState says "same" exactly when their JSON (what
// Commit stores) is equal; and a state read back from its JSON is the same as
// the one written.
func TestSameStateIsTheStoredFormsEquality(t *testing.T) {
	variants := stateVariants(reflect.TypeOf(State{}))
	if len(variants) < 40 {
		t.Fatalf("only %d variants of State", len(variants))
	}
	encode := func(st State) []byte {
		b, err := json.Marshal(st)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for i, a := range variants {
		sa := a.Interface().(State)
		ja := encode(sa)
		var back State
		if err := json.Unmarshal(ja, &back); err != nil {
			t.Fatal(err)
		}
		if !sameState(back, sa) || !sameState(sa, back) {
			t.Errorf("variant %d read back from %s is not the same state", i, ja)
		}
		for j, b := range variants {
			sb := b.Interface().(State)
			sb.Version = sa.Version + 1 // the Store's, not stored in the JSON
			want := bytes.Equal(ja, encode(sb))
			if got := sameState(sa, sb); got != want {
				t.Errorf("sameState(variant %d, variant %d) = %v; their JSON equal: %v\n%s\n%s", i, j, got, want, ja, encode(sb))
			}
		}
	}
}

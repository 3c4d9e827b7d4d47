package storage

import "testing"

func TestMaskPhoneAndName(t *testing.T) {
	for in, want := range map[string]string{"13812345678": "138****5678", "123456": "******", "": ""} {
		if got := MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"王小明": "王**", "李": "李", "": ""} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

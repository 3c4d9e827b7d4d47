package storage_test

import (
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

func TestServedEvidenceTypeKeepsOnlyImagesAndAudio(t *testing.T) {
	for _, tt := range []struct {
		stored, ctype, name string
		inline              bool
	}{
		{"image/jpeg", "image/jpeg", "evidence-7.jpg", true},
		{"image/png; charset=binary", "image/png", "evidence-7.png", true},
		{"audio/amr", "audio/amr", "evidence-7.amr", true},
		{"image/svg+xml", "application/octet-stream", "evidence-7.bin", false}, // SVG can carry script
		{"text/html", "application/octet-stream", "evidence-7.bin", false},
		{"", "application/octet-stream", "evidence-7.bin", false},
		{"image/x-unknown", "image/x-unknown", "evidence-7.bin", true},
	} {
		ctype, inline := storage.ServedEvidenceType(tt.stored)
		if ctype != tt.ctype || inline != tt.inline {
			t.Errorf("%q served as %q inline=%v, want %q %v", tt.stored, ctype, inline, tt.ctype, tt.inline)
		}
		if name := storage.EvidenceFilename(7, ctype); name != tt.name {
			t.Errorf("%q named %q, want %q", tt.stored, name, tt.name)
		}
	}
}

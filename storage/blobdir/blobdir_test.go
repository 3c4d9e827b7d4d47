package blobdir

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/complaintbot/complaintbot/storage"
)

// newStore opens a Store on a fresh directory, closed when the test ends.
func newStore(t *testing.T) (*Store, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "blobs")
	s, err := New(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, dir
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := storage.ErrorCode(err); got != code {
		t.Fatalf("error code = %q, want %q (err: %v)", got, code, err)
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, dir := newStore(t)
	photo := []byte("\xff\xd8\xff\xe0 a JPEG, more or less")
	key := "sha256/ab/abcdef0123"
	if err := s.PutBlob(ctx, key, photo); err != nil {
		t.Fatal(err)
	}
	got, err := s.GetBlob(ctx, key)
	if err != nil || !bytes.Equal(got, photo) {
		t.Fatalf("GetBlob = %q, %v; want %q", got, err, photo)
	}
	onDisk, err := os.ReadFile(filepath.Join(dir, "sha256", "ab", "abcdef0123"))
	if err != nil || !bytes.Equal(onDisk, photo) {
		t.Fatalf("file under the key = %q, %v", onDisk, err)
	}
	if err := s.PutBlob(ctx, "empty", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := s.GetBlob(ctx, "empty"); err != nil || len(got) != 0 {
		t.Fatalf("empty blob = %q, %v", got, err)
	}
	assertNoTempFiles(t, dir)
}

func TestPutExistingKeyKeepsFirstBytes(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if err := s.PutBlob(ctx, "sha256/k", []byte("first")); err != nil {
		t.Fatal(err)
	}
	if err := s.PutBlob(ctx, "sha256/k", []byte("second")); err != nil {
		t.Fatalf("second put: %v", err)
	}
	if got, err := s.GetBlob(ctx, "sha256/k"); err != nil || string(got) != "first" {
		t.Fatalf("GetBlob = %q, %v; want the first bytes", got, err)
	}
}

func TestGetMissing(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	if err := s.PutBlob(ctx, "sha256/ab/cd", []byte("x")); err != nil {
		t.Fatal(err)
	}
	// A missing file, a key prefix (a directory) and a path through a file.
	for _, key := range []string{"sha256/ab/ef", "sha256/ab", "sha256/ab/cd/ef", "other"} {
		_, err := s.GetBlob(ctx, key)
		wantCode(t, err, storage.ENOTFOUND)
	}
}

func TestInvalidKeys(t *testing.T) {
	ctx := context.Background()
	s, dir := newStore(t)
	outside := filepath.Dir(dir)
	for _, key := range []string{
		"", "/etc/passwd", "../escape", "a/../../escape", "a/..", "..", "a//b", "a/", "./a",
		".tmp-x", "a/.hidden", `a\b`, "a\x00b",
	} {
		wantCode(t, s.PutBlob(ctx, key, []byte("x")), storage.EINVALID)
		_, err := s.GetBlob(ctx, key)
		wantCode(t, err, storage.EINVALID)
	}
	if _, err := os.Stat(filepath.Join(outside, "escape")); err == nil {
		t.Fatal("a key wrote outside the directory")
	}
}

func TestSymlinkCannotEscape(t *testing.T) {
	ctx := context.Background()
	s, dir := newStore(t)
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "secret"), []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(dir, "link")); err != nil {
		t.Skipf("no symlinks here: %v", err)
	}
	if got, err := s.GetBlob(ctx, "link/secret"); err == nil {
		t.Fatalf("read %q through a symlink out of the directory", got)
	}
	if err := s.PutBlob(ctx, "link/planted", []byte("x")); err == nil {
		t.Fatal("wrote through a symlink out of the directory")
	}
	entries, err := os.ReadDir(outside)
	if err != nil || len(entries) != 1 {
		t.Fatalf("outside directory holds %v, %v; want only the secret", entries, err)
	}
}

func TestConcurrentPutsOfOneKey(t *testing.T) {
	ctx := context.Background()
	s, dir := newStore(t)
	other, err := New(dir) // a second process sharing the directory
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	data := bytes.Repeat([]byte("evidence "), 10_000)
	var wg sync.WaitGroup
	errs := make([]error, 16)
	for i := range errs {
		store := []*Store{s, other}[i%2]
		wg.Go(func() { errs[i] = store.PutBlob(ctx, "sha256/cc/same", data) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("put %d: %v", i, err)
		}
	}
	if got, err := s.GetBlob(ctx, "sha256/cc/same"); err != nil || !bytes.Equal(got, data) {
		t.Fatalf("GetBlob after concurrent puts: %d bytes, %v", len(got), err)
	}
	assertNoTempFiles(t, dir)
}

func TestNew(t *testing.T) {
	_, err := New("")
	wantCode(t, err, storage.EINVALID)
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := New(file); err == nil {
		t.Fatal("New on a regular file succeeded")
	}
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	s, _ := newStore(t)
	if err := s.PutBlob(cancelled, "k", []byte("x")); err == nil {
		t.Fatal("PutBlob with a cancelled context succeeded")
	}
}

// assertNoTempFiles fails the test if a temporary file was left below dir.
func assertNoTempFiles(t *testing.T, dir string) {
	t.Helper()
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasPrefix(d.Name(), tempPrefix) {
			t.Errorf("temporary file left: %s", p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestDeleteBlob(t *testing.T) {
	s, dir := newStore(t)
	ctx := context.Background()
	if err := s.PutBlob(ctx, "sha256/ab/cd", []byte("photo")); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteBlob(ctx, "sha256/ab/cd"); err != nil {
		t.Fatal(err)
	}
	_, err := s.GetBlob(ctx, "sha256/ab/cd")
	wantCode(t, err, storage.ENOTFOUND)
	if _, err := os.Stat(filepath.Join(dir, "sha256", "ab", "cd")); !os.IsNotExist(err) {
		t.Fatalf("the file is still there: %v", err)
	}
	if err := s.DeleteBlob(ctx, "sha256/ab/cd"); err != nil {
		t.Fatalf("deleting a missing blob: %v", err)
	}
	wantCode(t, s.DeleteBlob(ctx, "../outside"), storage.EINVALID)
}

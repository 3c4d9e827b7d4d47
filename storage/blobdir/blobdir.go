// Package blobdir implements storage.BlobStore on a directory: each blob is one file,
// named by its key below the directory, so evidence photos and voice stay out of the
// database and can be backed up with ordinary file tools.
//
// Keys are content-addressed ("sha256/<hex>"), so a key that exists already holds the
// right bytes and PutBlob leaves it alone. A blob is written to a temporary file in
// its final directory, synced, and renamed into place, and the directory is synced:
// after a crash a key holds its complete bytes or does not exist. All access goes
// through an os.Root, so neither a crafted key nor a symbolic link planted in the
// directory can reach files outside it.
package blobdir

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/complaintbot/complaintbot/storage"
)

// File modes: blobs are consumers' evidence, readable by the service's user and group
// (for backups) and no one else.
const (
	dirMode  fs.FileMode = 0o750
	fileMode fs.FileMode = 0o640
)

// tempPrefix starts the names of files being written. Keys may not have a segment
// starting with ".", so a temporary file can never be mistaken for a blob.
const tempPrefix = ".tmp-"

// Store keeps blobs as files below one directory. It is safe for concurrent use, also
// by several processes sharing the directory.
type Store struct {
	root *os.Root
}

var (
	_ storage.BlobStore   = (*Store)(nil)
	_ storage.BlobRemover = (*Store)(nil)
)

// New opens the blob directory dir, creating it if missing. Close it after the last
// use. Returns EINVALID for an empty dir.
func New(dir string) (*Store, error) {
	if dir == "" {
		return nil, storage.Errorf(storage.EINVALID, "the blob directory is not set")
	}
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return nil, fmt.Errorf("blobdir: create %s: %w", dir, err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("blobdir: open %s: %w", dir, err)
	}
	return &Store{root: root}, nil
}

// Close releases the directory handle.
func (s *Store) Close() error {
	return s.root.Close()
}

// PutBlob stores data under key, replacing nothing if the key exists. Keys are
// "/"-separated relative paths; EINVALID for an empty or absolute key, one holding
// "..", a backslash or NUL, or an empty segment or one starting with ".".
func (s *Store) PutBlob(ctx context.Context, key string, data []byte) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	name := filepath.FromSlash(key)
	if _, err := s.root.Stat(name); err == nil {
		return nil // content-addressed: the same bytes are there
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("blobdir: put %s: %w", key, err)
	}
	if err := s.write(path.Dir(key), name, data); err != nil {
		return fmt.Errorf("blobdir: put %s: %w", key, err)
	}
	return nil
}

// write stores data at name durably: a synced temporary file in dir (the key's
// directory, "/"-separated) renamed into place, then dir synced so the rename
// survives a crash. Two processes putting one key both rename; the second replaces
// the first's file with the same bytes, and readers see either whole file.
func (s *Store) write(dir, name string, data []byte) error {
	if err := s.mkdirs(dir); err != nil {
		return err
	}
	tmp := filepath.Join(filepath.FromSlash(dir), tempPrefix+rand.Text())
	if err := s.writeFileSynced(tmp, data); err != nil {
		s.root.Remove(tmp)
		return err
	}
	if err := s.root.Rename(tmp, name); err != nil {
		s.root.Remove(tmp)
		return err
	}
	return s.syncDir(dir)
}

// writeFileSynced creates the file name, which must not exist, with data and syncs it.
func (s *Store) writeFileSynced(name string, data []byte) error {
	f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// mkdirs creates the "/"-separated directory dir and its missing parents, syncing the
// parent of each directory it creates so the new entry is durable too.
func (s *Store) mkdirs(dir string) error {
	if dir == "." {
		return nil
	}
	parent := "."
	for _, seg := range strings.Split(dir, "/") {
		current := path.Join(parent, seg)
		err := s.root.Mkdir(filepath.FromSlash(current), dirMode)
		if err == nil {
			err = s.syncDir(parent)
		} else if errors.Is(err, fs.ErrExist) {
			err = nil // made earlier, or by a concurrent put
		}
		if err != nil {
			return err
		}
		parent = current
	}
	return nil
}

// syncDir flushes the entries of the "/"-separated directory dir.
func (s *Store) syncDir(dir string) error {
	f, err := s.root.Open(filepath.FromSlash(dir))
	if err != nil {
		return err
	}
	return errors.Join(f.Sync(), f.Close())
}

// GetBlob returns the bytes stored under key: ENOTFOUND if none, EINVALID for a key
// PutBlob would refuse.
func (s *Store) GetBlob(ctx context.Context, key string) ([]byte, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	data, err := s.root.ReadFile(filepath.FromSlash(key))
	if notFound(err) {
		return nil, fmt.Errorf("blobdir: get: %w: %w",
			storage.Errorf(storage.ENOTFOUND, "blob %s not found", key), err)
	} else if err != nil {
		return nil, fmt.Errorf("blobdir: get %s: %w", key, err)
	}
	return data, nil
}

// notFound reports whether a read failed because no blob is stored at the name: it
// does not exist, is a directory (a key prefix), or passes through a file.
func notFound(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.EISDIR) ||
		errors.Is(err, syscall.ENOTDIR)
}

// checkKey refuses keys that are not plain relative paths below the directory. os.Root
// would stop an escape anyway; refusing early gives the caller EINVALID instead of an
// internal error, and keeps keys from colliding with temporary files.
func checkKey(key string) error {
	bad := key == "" || strings.Contains(key, "..") || strings.HasPrefix(key, "/") ||
		strings.ContainsAny(key, "\\\x00") || !filepath.IsLocal(filepath.FromSlash(key))
	for _, seg := range strings.Split(key, "/") {
		bad = bad || seg == "" || strings.HasPrefix(seg, ".")
	}
	if bad {
		return storage.Errorf(storage.EINVALID, "invalid blob key %q", key)
	}
	return nil
}

// DeleteBlob removes the file of key; a missing key is no error
// (storage.BlobRemover). EINVALID for a key PutBlob would refuse.
func (s *Store) DeleteBlob(ctx context.Context, key string) error {
	if err := checkKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := s.root.Remove(filepath.FromSlash(key)); err != nil && !notFound(err) {
		return fmt.Errorf("blobdir: delete %s: %w", key, err)
	}
	return nil
}

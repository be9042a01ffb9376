package main

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/orderflow/orderflow/platform/auth"
)

// envDevSecretFile names the file of the development JWT secret, and
// defaultDevSecretFile is where it is unless set: in the checkout's
// git-ignored data folder, for serve --insecure-dev and orderflow token
// run from the checkout's root (as make run and the README do).
const (
	envDevSecretFile     = "ORDERFLOW_DEV_SECRET_FILE"
	defaultDevSecretFile = ".data/dev-jwt-secret"
)

// devSecret returns the development JWT secret kept in path, making it
// first when there is none: 32 random bytes, hex-encoded, in a file of
// mode 0600 (its folder made with mode 0700 when missing). Two processes
// making it at once agree on one: the file appears whole or not at all,
// and the second reads the first's. It reports whether it made the file.
func devSecret(path string) (secret []byte, made bool, err error) {
	if b, err := os.ReadFile(path); err == nil {
		return checkDevSecret(path, b)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, false, fmt.Errorf("development JWT secret: %w", err)
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, false, fmt.Errorf("development JWT secret: %w", err)
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return nil, false, fmt.Errorf("development JWT secret: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".dev-jwt-secret-*")
	if err != nil {
		return nil, false, fmt.Errorf("development JWT secret: %w", err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.WriteString(hex.EncodeToString(raw) + "\n")
	if err := errors.Join(werr, tmp.Chmod(0o600), tmp.Close()); err != nil {
		return nil, false, fmt.Errorf("development JWT secret: %w", err)
	}
	// A link never replaces a file: whoever links first made the secret.
	err = os.Link(tmp.Name(), path)
	if err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, false, fmt.Errorf("development JWT secret: %w", err)
	}
	b, rerr := os.ReadFile(path)
	if rerr != nil {
		return nil, false, fmt.Errorf("development JWT secret: %w", rerr)
	}
	secret, _, cerr := checkDevSecret(path, b)
	return secret, err == nil, cerr
}

// checkDevSecret returns the secret a development secret file holds.
func checkDevSecret(path string, b []byte) ([]byte, bool, error) {
	secret := []byte(strings.TrimSpace(string(b)))
	if len(secret) < auth.MinSecretBytes {
		return nil, false, fmt.Errorf("development JWT secret: %s holds %d bytes, want at least %d; delete it to make a new one",
			path, len(secret), auth.MinSecretBytes)
	}
	return secret, false, nil
}

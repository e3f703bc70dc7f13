// Package testbin finds the programs tests run beside the project (mailpit,
// Caddy): at the path an environment variable gives, on the PATH, or in Go's
// bin folder, where go install puts them.
package testbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// Find returns the path of the program name, looked for at $envVar, on the
// PATH, then in $GOPATH/bin (~/go/bin by default); "" when it is nowhere.
func Find(envVar, name string) string {
	if b := os.Getenv(envVar); b != "" {
		return b
	}
	if b, err := exec.LookPath(name); err == nil {
		return b
	}
	gopath := os.Getenv("GOPATH")
	if gopath == "" {
		home, _ := os.UserHomeDir()
		gopath = filepath.Join(home, "go")
	}
	if b := filepath.Join(gopath, "bin", name); fileExists(b) {
		return b
	}
	return ""
}

func fileExists(p string) bool { _, err := os.Stat(p); return err == nil }

// Buffer collects what a program (or a logger) writes, safe to read while it
// writes.
type Buffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *Buffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String is what was written so far.
func (s *Buffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

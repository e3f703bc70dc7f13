package testbin

import (
	"os"
	"path/filepath"
	"testing"
)

func TestFind(t *testing.T) {
	dir := t.TempDir()
	gobin := filepath.Join(dir, "go", "bin")
	if err := os.MkdirAll(gobin, 0o755); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(gobin, "pgw-test-prog")
	if err := os.WriteFile(prog, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", filepath.Join(dir, "empty"))
	t.Setenv("GOPATH", filepath.Join(dir, "go"))
	t.Setenv("PGW_TEST_PROG_BIN", "")
	if got := Find("PGW_TEST_PROG_BIN", "pgw-test-prog"); got != prog {
		t.Errorf("in Go's bin folder: %q, want %q", got, prog)
	}
	if got := Find("PGW_TEST_PROG_BIN", "pgw-test-missing"); got != "" {
		t.Errorf("a missing program: %q", got)
	}
	t.Setenv("PGW_TEST_PROG_BIN", "/opt/prog")
	if got := Find("PGW_TEST_PROG_BIN", "pgw-test-prog"); got != "/opt/prog" {
		t.Errorf("the variable first: %q", got)
	}
	t.Setenv("PGW_TEST_PROG_BIN", "")
	t.Setenv("PATH", gobin)
	if got := Find("PGW_TEST_PROG_BIN", "pgw-test-prog"); got != prog {
		t.Errorf("on the PATH: %q", got)
	}
}

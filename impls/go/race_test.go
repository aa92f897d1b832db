package main

// The race detector's verdict on the shared-counter models, from a binary of its own built
// with -race: go-racy must be reported, the synchronised models must not. The test binary
// may or may not be a -race build itself (scripts/test.sh runs `go test -race` where cgo
// has a C compiler); either way the models run in the separate binary, so go-racy's race
// never stops the tests.

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

const dataRace = "WARNING: DATA RACE"

// buildRaceBinary builds concbench-go with -race into a temporary folder, or skips the test
// when there is no cgo or no C compiler for it (what -race needs).
func buildRaceBinary(t *testing.T) string {
	t.Helper()
	goEnv := func(name string) string {
		out, err := exec.Command("go", "env", name).Output()
		if err != nil {
			t.Fatalf("go env %s: %v", name, err)
		}
		return strings.TrimSpace(string(out))
	}
	if goEnv("CGO_ENABLED") != "1" {
		t.Skip("go build -race needs cgo, and CGO_ENABLED is not 1: install gcc to run this test")
	}
	cc := strings.Fields(goEnv("CC"))
	if len(cc) == 0 {
		t.Skip("go build -race needs a C compiler, and go env CC is empty: install gcc to run this test")
	}
	if _, err := exec.LookPath(cc[0]); err != nil {
		t.Skipf("go build -race needs a C compiler, and %q is not there (%v): install gcc to run this test", cc[0], err)
	}
	path := filepath.Join(t.TempDir(), program+"-race")
	build := exec.Command("go", "build", "-race", "-o", path, ".")
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build -race: %v\n%s", err, out)
	}
	return path
}

func TestRaceDetectorSeesOnlyGoRacy(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the program with -race")
	}
	binary := buildRaceBinary(t)
	for _, m := range workloadNamed(t, "shared-counter").Models {
		cmd := exec.Command(binary, "shared-counter", m.ID, "--units=2", "--increments=1000")
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		reported := strings.Contains(stderr.String(), dataRace)
		switch {
		case m.Racy && !reported:
			t.Errorf("%s under -race: no %q on stderr (exit %v):\n%s", m.ID, dataRace, err, stderr.String())
		case !m.Racy && reported:
			t.Errorf("%s under -race: a data race:\n%s", m.ID, stderr.String())
		case !m.Racy && err != nil:
			t.Errorf("%s under -race: %v\n%s", m.ID, err, stderr.String())
		case !m.Racy && !strings.Contains(stdout.String(), `"checksum":"2000"`):
			t.Errorf("%s under -race: stdout %q, want the checksum 2000", m.ID, stdout.String())
		}
	}
}

package main

import (
	"fmt"
	"testing"
	"time"
)

func TestSharedCounterModels(t *testing.T) {
	for _, p := range []map[string]uint64{
		{"units": 3, "increments": 200},
		{"units": 1, "increments": 0},
		{"units": 8, "increments": 5000},
	} {
		checkModels(t, "shared-counter", p, p["units"]*p["increments"], p["units"]*p["increments"])
	}
}

// TestRacyCounterRacesWithoutFailing runs go-racy at a size where lost updates are
// likely; it must finish and report a count no larger than the increments made.
func TestRacyCounterRacesWithoutFailing(t *testing.T) {
	got := runBinaryOK(t, "shared-counter", "go-racy", "--units=4", "--increments=200000")
	if got.Ops != 800_000 || got.Checksum == 0 || got.Checksum > 800_000 {
		t.Errorf("got %+v", got)
	}
	t.Logf("go-racy kept %d of 800000 increments", got.Checksum)
}

// TestRacyCounterDoesEveryIncrement checks that go-racy really runs one load, add and store
// per increment, as racyIncrement promises, and that it loses nothing without a race. It
// runs the plain binary with one unit (no race, no scheduling noise): with the loop folded
// into one add, or the counter kept in a register, time would hardly grow with the
// increments; done one by one, 10× the increments take about 10× as long. The fastest of a
// few runs of each size keeps a busy machine from deciding the outcome, and 3× leaves room
// for the fixed cost of starting a goroutine.
func TestRacyCounterDoesEveryIncrement(t *testing.T) {
	const small, factor = 1_000_000, 10
	fastest := func(increments uint64) time.Duration {
		best := time.Duration(1 << 62)
		for range 3 {
			got := runBinaryOK(t, "shared-counter", "go-racy", "--units=1",
				fmt.Sprintf("--increments=%d", increments))
			if got.Checksum != increments {
				t.Fatalf("one unit, %d increments: counter %d, a lost update without a race", increments, got.Checksum)
			}
			best = min(best, got.Elapsed)
		}
		return best
	}
	short, long := fastest(small), fastest(small*factor)
	t.Logf("%d increments: %v (%.2f ns each); %d: %v (%.2f ns each)", small, short,
		float64(short)/small, small*factor, long, float64(long)/(small*factor))
	if long < 3*short {
		t.Errorf("%d× the increments took only %.1f× the time: go-racy skips increments", factor, float64(long)/float64(short))
	}
}

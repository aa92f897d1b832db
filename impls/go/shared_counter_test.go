package main

import "testing"

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

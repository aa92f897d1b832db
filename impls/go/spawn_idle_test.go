package main

import "testing"

func TestSpawnIdleModels(t *testing.T) {
	for _, units := range []uint64{0, 1, 1000} {
		checkModels(t, "spawn-idle", map[string]uint64{"units": units}, units, units)
		for _, m := range workloadNamed(t, "spawn-idle").Models {
			got := runInProcess(t, "spawn-idle", m.ID, map[string]uint64{"units": units})
			if _, ok := got.Metrics["spawn_ns"]; !ok || got.Metrics["rss_kb"] == 0 {
				t.Errorf("%s units=%d: metrics %v", m.ID, units, got.Metrics)
			}
		}
	}
}

// TestSpawnIdleMeasuresWhileTheUnitsAreAlive checks, in fresh processes, that the memory
// is read while every goroutine holds its stack: 20,000 of them add well over 1 kB each.
func TestSpawnIdleMeasuresWhileTheUnitsAreAlive(t *testing.T) {
	const units = 20_000
	for _, m := range workloadNamed(t, "spawn-idle").Models {
		baseline := runBinaryOK(t, "spawn-idle", m.ID, "--units=0").Metrics["rss_kb"]
		loaded := runBinaryOK(t, "spawn-idle", m.ID, "--units=20000").Metrics["rss_kb"]
		if loaded < baseline+units {
			t.Errorf("%s: rss_kb %d with %d units, %d with none", m.ID, loaded, units, baseline)
		}
	}
}

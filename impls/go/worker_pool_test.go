package main

import "testing"

func TestWorkerPoolModels(t *testing.T) {
	for _, p := range []map[string]uint64{
		{"jobs": 100, "workers": 3, "buffer": 4, "spin": 5},
		{"jobs": 1, "workers": 1, "buffer": 1, "spin": 0},
		{"jobs": 500, "workers": 1, "buffer": 1, "spin": 2},  // every send waits for room
		{"jobs": 7, "workers": 16, "buffer": 100, "spin": 1}, // idle workers, roomy buffers
	} {
		var want uint64
		for j := uint64(1); j <= p["jobs"]; j++ {
			want += 2 * xsK(j, p["spin"]) // xsK is pinned by the test vectors
		}
		checkModels(t, "worker-pool", p, want, p["jobs"])
	}
}

package main

import (
	"runtime"
	"testing"
	"time"
)

func TestPercentilesAreNearestRank(t *testing.T) {
	ms := make([]time.Duration, 1000)
	for i := range ms {
		ms[i] = time.Duration(i+1) * time.Millisecond
	}
	for _, c := range []struct {
		permille int
		want     uint64
	}{{500, 500_000}, {990, 990_000}, {999, 999_000}} {
		if got := percentileUs(ms, c.permille); got != c.want {
			t.Errorf("permille %d: %d µs, want %d", c.permille, got, c.want)
		}
	}
	three := []time.Duration{time.Microsecond, 2 * time.Microsecond, 3 * time.Microsecond}
	if got := percentileUs(three, 500); got != 2 {
		t.Errorf("median of 1, 2, 3 µs: %d", got)
	}
	if got := percentileUs(three, 990); got != 3 {
		t.Errorf("p99 of 1, 2, 3 µs: %d", got)
	}
}

func TestArrivalsFollowTheRate(t *testing.T) {
	start := time.Now()
	if got := intendedAt(start, 301, 300).Sub(start); got != time.Second {
		t.Errorf("request 301 at 300/s: %v", got)
	}
	if got := intendedAt(start, 2, 3).Sub(start); got != 333_333_333*time.Nanosecond {
		t.Errorf("request 2 at 3/s: %v", got)
	}
}

// TestMixedServiceLatencyCountsTheQueue: the schedule is open loop, and latency runs from
// each request's intended arrival. 20 requests at 10,000/s all arrive within 2 ms; on one
// CPU, each needs 2·10^6 xorshift steps (>= 2 ms on any CPU of today), so the last answer
// waited for the CPU parts queued before it.
func TestMixedServiceLatencyCountsTheQueue(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	params := map[string]uint64{"rate": 10_000, "requests": 20, "delay_us": 1_000, "cpu": 2_000_000, "workers": 1}
	got := runInProcess(t, "mixed-service", "go-goroutines", params)
	m := got.Metrics
	if m["p50_us"] < 1_000 {
		t.Errorf("an answer came before the upstream wait: %v", m)
	}
	if !(m["p50_us"] <= m["p90_us"] && m["p90_us"] <= m["p99_us"] && m["p99_us"] <= m["p999_us"] && m["p999_us"] <= m["max_us"]) {
		t.Errorf("percentiles out of order: %v", m)
	}
	if m["max_us"] < 30_000 {
		t.Errorf("the queue is missing from the latency: %v", m)
	}
	if m["rps"] >= 1_000 {
		t.Errorf("the schedule should last until the last answer: %v", m)
	}
}

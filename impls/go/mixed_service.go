package main

// mixed-service: the layered asyncio + process pool advice, on every CPU. No load
// generator: requests arrive inside the process on a timer, rate a second (request i at
// (i-1)/rate s after the schedule starts), each waits delay_us without holding a core (the
// simulated upstream call), then computes xs^cpu(i). The checksum is the sum of the
// answers (mod 2^64), ops = requests.
//
// Open loop: an arrival never waits for an earlier answer, and a request's latency runs
// from its intended arrival, so a model that falls behind shows its queue in the latency
// instead of slowing the arrivals down (no coordinated omission). Metrics: rps (answers per
// second of the schedule: from its start to the last answer), and the latency percentiles
// p50_us, p90_us, p99_us, p999_us, max_us (nearest rank).

import (
	"slices"
	"sync"
	"time"
)

// mixedService is the mixed-service workload and its Go model.
var mixedService = Workload{
	Name: "mixed-service",
	Params: []Param{
		{Name: "rate", Min: 1, Max: 100_000},
		{Name: "requests", Min: 1, Max: 100_000},
		{Name: "delay_us", Min: 0, Max: 10_000_000},
		{Name: "cpu", Min: 0, Max: 100_000_000},
		{Name: "workers", Min: 1, Max: 1024},
	},
	Models: []Model{
		{ID: "go-goroutines", Run: goroutinePerRequest},
	},
}

// intendedAt is when request i (from 1) arrives in a schedule that started at start.
func intendedAt(start time.Time, i, rate uint64) time.Time {
	return start.Add(time.Duration((i - 1) * uint64(time.Second) / rate))
}

// percentileUs is the nearest-rank quantile of sorted (ascending, not empty) at
// permille/1000, in whole µs: the value of rank ceil(permille × n / 1000).
func percentileUs(sorted []time.Duration, permille int) uint64 {
	rank := max(1, (permille*len(sorted)+999)/1000)
	return uint64(sorted[rank-1].Microseconds())
}

// serviceMetrics are the workload's metrics from every request's latency and the
// schedule's length (from its start to the last answer).
func serviceMetrics(latencies []time.Duration, requests uint64, schedule time.Duration) map[string]uint64 {
	slices.Sort(latencies)
	return map[string]uint64{
		"rps":     requests * uint64(time.Second) / uint64(max(1, schedule)),
		"p50_us":  percentileUs(latencies, 500),
		"p90_us":  percentileUs(latencies, 900),
		"p99_us":  percentileUs(latencies, 990),
		"p999_us": percentileUs(latencies, 999),
		"max_us":  uint64(latencies[len(latencies)-1].Microseconds()),
	}
}

// goroutinePerRequest is go-goroutines: a goroutine per request, started at its arrival
// time; time.Sleep for the wait and the CPU part inline, on GOMAXPROCS = every CPU.
// workers is ignored: the runtime's scheduler is the pool.
func goroutinePerRequest(a Args) (Outcome, error) {
	clock := time.Now()
	rate, requests, cpu := a.Get("rate"), a.Get("requests"), a.Get("cpu")
	delay := time.Duration(a.Get("delay_us")) * time.Microsecond
	// A slot per request: each goroutine writes only its own, and wg.Wait orders the
	// writes before the reads.
	answers := make([]uint64, requests)
	latencies := make([]time.Duration, requests)
	var wg sync.WaitGroup
	start := time.Now()
	for i := uint64(1); i <= requests; i++ {
		due := intendedAt(start, i, rate)
		if ahead := time.Until(due); ahead > 0 {
			time.Sleep(ahead)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			time.Sleep(delay)
			answers[i-1] = xsK(i, cpu)
			latencies[i-1] = time.Since(due)
		}()
	}
	wg.Wait()
	schedule := time.Since(start)
	var total uint64
	for _, v := range answers {
		total += v
	}
	elapsed := time.Since(clock)
	return Outcome{Checksum: total, Elapsed: elapsed, Ops: requests, Metrics: serviceMetrics(latencies, requests, schedule)}, nil
}

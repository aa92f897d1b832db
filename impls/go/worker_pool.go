package main

// worker-pool: the article's Go channel sample, scaled. A producer sends j = 1..jobs into a
// jobs channel of capacity `buffer`; `workers` workers each send r = 2 * xs^spin(j) into a
// results channel of capacity `buffer`; the main goroutine collects every result. The
// checksum is Σ r (wrapping u64), ops = jobs.

import (
	"sync"
	"time"
)

// workerPool is the worker-pool workload and its Go models.
var workerPool = Workload{
	Name: "worker-pool",
	Params: []Param{
		{Name: "jobs", Min: 1, Max: 1_000_000_000},
		{Name: "workers", Min: 1, Max: 1024},
		{Name: "buffer", Min: 1, Max: 1_000_000},
		{Name: "spin", Min: 0, Max: 1_000_000},
	},
	Models: []Model{
		{ID: "go-channels", Run: poolChannels},
	},
}

// poolWorker is the article's worker: it turns every job into a result until the jobs
// channel is closed.
func poolWorker(spin uint64, jobs <-chan uint64, results chan<- uint64) {
	for j := range jobs {
		results <- 2 * xsK(j, spin)
	}
}

// poolChannels is go-channels: the article's sample with a producer goroutine, since with a
// buffer smaller than the job count the main goroutine cannot send every job before it
// starts collecting.
func poolChannels(args Args) (Outcome, error) {
	jobCount, spin := args.Get("jobs"), args.Get("spin")
	jobs := make(chan uint64, args.Int("buffer"))
	results := make(chan uint64, args.Int("buffer"))
	start := time.Now()
	var workers sync.WaitGroup
	for range args.Int("workers") {
		workers.Go(func() { poolWorker(spin, jobs, results) })
	}
	go func() {
		for j := uint64(1); j <= jobCount; j++ {
			jobs <- j
		}
		close(jobs)
	}()
	var sum uint64
	for range jobCount {
		sum += <-results
	}
	outcome := Outcome{Checksum: sum, Elapsed: time.Since(start), Ops: jobCount}
	workers.Wait() // teardown: the jobs channel is closed, so every worker ends
	return outcome, nil
}

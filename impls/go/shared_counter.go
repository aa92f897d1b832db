package main

// shared-counter: the article's Arc<Mutex> sample. `units` goroutines each add 1 to one
// shared counter `increments` times; the checksum is the final counter (units × increments
// when nothing is lost), ops = units × increments.

import (
	"sync"
	"sync/atomic"
	"time"
)

// sharedCounter is the shared-counter workload and its Go models.
var sharedCounter = Workload{
	Name: "shared-counter",
	Params: []Param{
		{Name: "units", Min: 1, Max: 100_000},
		{Name: "increments", Min: 0, Max: 1_000_000_000},
	},
	Models: []Model{
		{ID: "go-mutex", Run: counterMutex},
		{ID: "go-atomic", Run: counterAtomic},
		{ID: "go-channel", Run: counterChannel},
		{ID: "go-racy", Run: counterRacy, Racy: true},
	},
}

// countWith starts `units` goroutines that each run unit(increments), waits for them all,
// and returns the outcome with the counter that final reads. The increment loop lives in
// each model's unit, so that an increment is the model's own code and not a call through a
// function value.
func countWith(args Args, start time.Time, unit func(increments uint64), final func() uint64) (Outcome, error) {
	units, increments := args.Get("units"), args.Get("increments")
	var wg sync.WaitGroup
	for range units {
		wg.Go(func() { unit(increments) })
	}
	wg.Wait()
	counter := final()
	return Outcome{Checksum: counter, Elapsed: time.Since(start), Ops: units * increments}, nil
}

// counterMutex is go-mutex: every increment takes a sync.Mutex.
func counterMutex(args Args) (Outcome, error) {
	var mu sync.Mutex
	var counter uint64
	return countWith(args, time.Now(),
		func(increments uint64) {
			for range increments {
				mu.Lock()
				counter++
				mu.Unlock()
			}
		},
		func() uint64 { return counter }) // wg.Wait orders every increment before this read
}

// counterAtomic is go-atomic: every increment is one atomic add.
func counterAtomic(args Args) (Outcome, error) {
	var counter atomic.Uint64
	return countWith(args, time.Now(),
		func(increments uint64) {
			for range increments {
				counter.Add(1)
			}
		},
		counter.Load)
}

// counterChannel is go-channel: the counter belongs to one owner goroutine, and the units
// send it their increments over an unbuffered channel (the plain Go idiom: each send is a
// hand-off to the owner). The owner counts until the channel is closed.
func counterChannel(args Args) (Outcome, error) {
	deltas := make(chan uint64)
	total := make(chan uint64)
	start := time.Now()
	go func() {
		var counter uint64
		for d := range deltas {
			counter += d
		}
		total <- counter
	}()
	return countWith(args, start,
		func(increments uint64) {
			for range increments {
				deltas <- 1
			}
		},
		func() uint64 {
			close(deltas) // every unit has finished sending
			return <-total
		})
}

// counterRacy is go-racy: a plain `counter++` from every goroutine with no synchronisation
// at all: a data race on purpose, to show the updates it loses. `go vet` does not flag it;
// the race detector does, so the tests run it only in a binary built without -race. The
// checksum is whatever count survives.
func counterRacy(args Args) (Outcome, error) {
	var counter uint64
	return countWith(args, time.Now(),
		func(increments uint64) {
			for range increments {
				counter++
			}
		},
		func() uint64 { return counter })
}

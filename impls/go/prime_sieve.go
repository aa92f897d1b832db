package main

// prime-sieve: Go's concurrent daisy-chain sieve. A generator feeds 2, 3, 4, ... into a
// channel; for each prime the main goroutine receives from the head of the chain, it starts
// a filter goroutine that drops that prime's multiples and becomes the new head, with its
// own new channel. Every channel has capacity `buffer` (0: unbuffered, Go's own example).
// The checksum is the sum of the first `primes` primes, ops = primes.

import (
	"sync"
	"sync/atomic"
	"time"
)

// primeSieve is the prime-sieve workload and its Go models.
var primeSieve = Workload{
	Name: "prime-sieve",
	Params: []Param{
		{Name: "primes", Min: 1, Max: 1_000_000},
		{Name: "buffer", Min: 0, Max: 10_000},
	},
	Models: []Model{
		{ID: "go-channels", Run: sieveChannels},
	},
}

// generate sends 2, 3, 4, ... into out until stop is set, then closes out.
func generate(out chan<- uint64, stop *atomic.Bool) {
	for candidate := uint64(2); !stop.Load(); candidate++ {
		out <- candidate
	}
	close(out)
}

// filter passes on every number of in that prime does not divide, until stop is set; from
// then on it only drains in. It closes out once in is closed.
func filter(in <-chan uint64, out chan<- uint64, prime uint64, stop *atomic.Bool) {
	for candidate := range in {
		if candidate%prime != 0 && !stop.Load() {
			out <- candidate
		}
	}
	close(out)
}

// sieveChannels is go-channels: a goroutine and a channel of capacity `buffer` per prime,
// with plain sends and receives, as in Go's own example.
//
// Teardown, once the answer is known: stop is set and the main goroutine drains the head.
// From then on no unit passes a number on: a unit blocked in a send is released by the
// draining unit after it (the head's by the main goroutine), the generator stops and
// closes its channel, and the closes travel down the chain, one hand-off per unit. The
// check costs one load of a flag that nobody writes until then, per number passed on, and
// the teardown about 1 ms at 1,000 primes. A `select` on a done channel around every send
// (the pipeline-cancellation idiom, this model's first version) has a teardown as short,
// but made the whole run 1.6-1.9 times slower: it is the sends that it slows, not the
// teardown (impls/README.md has the figures).
func sieveChannels(args Args) (Outcome, error) {
	primes, buffer := args.Get("primes"), args.Int("buffer")
	var stop atomic.Bool
	var units sync.WaitGroup
	start := time.Now()
	head := make(chan uint64, buffer)
	units.Go(func() { generate(head, &stop) })
	var sum uint64
	for range primes {
		prime := <-head
		sum += prime
		in, out := head, make(chan uint64, buffer)
		units.Go(func() { filter(in, out, prime, &stop) })
		head = out
	}
	outcome := Outcome{Checksum: sum, Elapsed: time.Since(start), Ops: primes}
	stop.Store(true)
	for range head {
	}
	units.Wait()
	return outcome, nil
}

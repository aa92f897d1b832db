package main

// prime-sieve: Go's concurrent daisy-chain sieve. A generator feeds 2, 3, 4, ... into a
// channel; for each prime the main goroutine receives from the head of the chain, it starts
// a filter goroutine that drops that prime's multiples and becomes the new head, with its
// own new channel. Every channel has capacity `buffer` (0: unbuffered, Go's own example).
// The checksum is the sum of the first `primes` primes, ops = primes.

import (
	"sync"
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

// generate sends 2, 3, 4, ... into out until done is closed, then closes out.
func generate(out chan<- uint64, done <-chan struct{}) {
	defer close(out)
	for candidate := uint64(2); ; candidate++ {
		select {
		case out <- candidate:
		case <-done:
			return
		}
	}
}

// filter passes on every number of in that prime does not divide. It stops when in is
// closed or, while it waits to pass a number on, when done is closed; either way it closes
// out, so that the filter after it stops too.
func filter(in <-chan uint64, out chan<- uint64, prime uint64, done <-chan struct{}) {
	defer close(out)
	for candidate := range in {
		if candidate%prime != 0 {
			select {
			case out <- candidate:
			case <-done:
				return
			}
		}
	}
}

// sieveChannels is go-channels: a goroutine and a channel of capacity `buffer` per prime.
//
// Teardown, once the answer is known: closing done stops every unit within a hand-off or
// two (the pipeline-cancellation idiom). Without it, the numbers held along the chain
// would have to travel to its end: about primes²/2 more hand-offs.
func sieveChannels(args Args) (Outcome, error) {
	primes, buffer := args.Get("primes"), args.Int("buffer")
	done := make(chan struct{})
	var units sync.WaitGroup
	start := time.Now()
	head := make(chan uint64, buffer)
	units.Go(func() { generate(head, done) })
	var sum uint64
	for range primes {
		prime := <-head
		sum += prime
		in, out := head, make(chan uint64, buffer)
		units.Go(func() { filter(in, out, prime, done) })
		head = out
	}
	outcome := Outcome{Checksum: sum, Elapsed: time.Since(start), Ops: primes}
	close(done)
	units.Wait()
	return outcome, nil
}

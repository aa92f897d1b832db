// The ways a Go daisy-chain sieve can stop its goroutines once the answer is known, side by
// side, to measure what cancellation costs (impls/README.md, "go-channels: what stopping
// the chain costs"). Each variant finds the first N primes over channels of capacity
// CAPACITY, prints their sum, and prints on stderr its time to the answer and its
// teardown (stopping and waiting for every goroutine).
//
//	go run sieve_cancel.go VARIANT N CAPACITY
//
// The variants:
//   - select: a select on a done channel around every send (the pipeline-cancellation
//     idiom: go-channels' first version); teardown closes done and waits.
//   - trysend: a non-blocking send first, the select with done only when it would block.
//   - poll: plain sends; a non-blocking receive on done before passing a number on;
//     teardown closes done, drains the head and waits.
//   - flag: plain sends; an atomic flag checked before passing a number on; teardown sets
//     it, drains the head and waits (go-channels today).
//   - none: plain sends, no cancellation: the goroutines die with the process, as in the
//     Go tour's sieve.
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: sieve_cancel select|trysend|poll|flag|none N CAPACITY")
		os.Exit(2)
	}
	variant := os.Args[1]
	n, err1 := strconv.Atoi(os.Args[2])
	capacity, err2 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "N and CAPACITY are integers")
		os.Exit(2)
	}
	var chain func(n, capacity int) (uint64, func())
	switch variant {
	case "select":
		chain = withSelect
	case "trysend":
		chain = withTrySend
	case "poll", "flag":
		chain = func(n, capacity int) (uint64, func()) { return withDrain(n, capacity, variant == "flag") }
	case "none":
		chain = withoutCancellation
	default:
		fmt.Fprintf(os.Stderr, "unknown variant %q\n", variant)
		os.Exit(2)
	}
	start := time.Now()
	sum, teardown := chain(n, capacity)
	elapsed := time.Since(start)
	teardownStart := time.Now()
	teardown()
	fmt.Fprintf(os.Stderr, "%s elapsed %v teardown %v\n", variant, elapsed, time.Since(teardownStart))
	fmt.Println(sum)
}

func withSelect(n, capacity int) (uint64, func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	head := make(chan uint64, capacity)
	out := head
	wg.Go(func() {
		defer close(out)
		for c := uint64(2); ; c++ {
			select {
			case out <- c:
			case <-done:
				return
			}
		}
	})
	var sum uint64
	for range n {
		p := <-head
		sum += p
		in, out := head, make(chan uint64, capacity)
		wg.Go(func() {
			defer close(out)
			for c := range in {
				if c%p != 0 {
					select {
					case out <- c:
					case <-done:
						return
					}
				}
			}
		})
		head = out
	}
	return sum, func() { close(done); wg.Wait() }
}

func withTrySend(n, capacity int) (uint64, func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	send := func(out chan<- uint64, c uint64) bool {
		select {
		case out <- c:
			return true
		default:
		}
		select {
		case out <- c:
			return true
		case <-done:
			return false
		}
	}
	head := make(chan uint64, capacity)
	out := head
	wg.Go(func() {
		defer close(out)
		for c := uint64(2); send(out, c); c++ {
		}
	})
	var sum uint64
	for range n {
		p := <-head
		sum += p
		in, out := head, make(chan uint64, capacity)
		wg.Go(func() {
			defer close(out)
			for c := range in {
				if c%p != 0 && !send(out, c) {
					return
				}
			}
		})
		head = out
	}
	return sum, func() { close(done); wg.Wait() }
}

func withDrain(n, capacity int, flag bool) (uint64, func()) {
	var stop atomic.Bool
	done := make(chan struct{})
	stopped := func() bool {
		if flag {
			return stop.Load()
		}
		select {
		case <-done:
			return true
		default:
			return false
		}
	}
	var wg sync.WaitGroup
	head := make(chan uint64, capacity)
	out := head
	wg.Go(func() {
		for c := uint64(2); !stopped(); c++ {
			out <- c
		}
		close(out)
	})
	var sum uint64
	for range n {
		p := <-head
		sum += p
		in, out := head, make(chan uint64, capacity)
		wg.Go(func() {
			for c := range in {
				if c%p != 0 && !stopped() {
					out <- c
				}
			}
			close(out)
		})
		head = out
	}
	return sum, func() {
		stop.Store(true)
		close(done)
		for range head {
		}
		wg.Wait()
	}
}

func withoutCancellation(n, capacity int) (uint64, func()) {
	head := make(chan uint64, capacity)
	go func(out chan<- uint64) {
		for c := uint64(2); ; c++ {
			out <- c
		}
	}(head)
	var sum uint64
	for range n {
		p := <-head
		sum += p
		in, out := head, make(chan uint64, capacity)
		go func() {
			for c := range in {
				if c%p != 0 {
					out <- c
				}
			}
		}()
		head = out
	}
	return sum, func() {}
}

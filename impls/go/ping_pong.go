package main

// ping-pong: "a goroutine context switch costs about 100 ns". Two goroutines pass a counter
// back and forth over two unbuffered channels, each adding 1 on receipt; after `rounds`
// round trips the counter (the checksum) is 2 × rounds, and ops = 2 × rounds hand-offs.

import (
	"runtime"
	"sync/atomic"
	"time"
)

// pingPong is the ping-pong workload and its Go models.
var pingPong = Workload{
	Name:   "ping-pong",
	Params: []Param{{Name: "rounds", Min: 1, Max: 1_000_000_000}},
	Models: []Model{
		{ID: "go-channels", Run: pingPongChannels},
		{ID: "go-gosched", Run: pingPongGosched},
	},
}

// pingPongChannels is go-channels. The ping goroutine serves `rounds` times and reports
// the counter; the pong goroutine answers until ping closes its channel.
func pingPongChannels(args Args) (Outcome, error) {
	rounds := args.Get("rounds")
	ping, pong := make(chan uint64), make(chan uint64)
	result := make(chan uint64)
	start := time.Now()
	go func() {
		for counter := range ping {
			pong <- counter + 1
		}
	}()
	go func() {
		var counter uint64
		for range rounds {
			ping <- counter
			counter = <-pong + 1
		}
		close(ping) // teardown: pong ends
		result <- counter
	}()
	counter := <-result
	return Outcome{Checksum: counter, Elapsed: time.Since(start), Ops: 2 * rounds}, nil
}

// pingPongGosched is go-gosched: the goroutine switch alone, with no channel. On one P
// (GOMAXPROCS=1 for the run, restored after), two goroutines take turns: each, on its turn,
// adds 1 to the counter and hands the turn over, then calls runtime.Gosched, which puts it
// on the run queue and switches to the other, the only other runnable goroutine. So each
// hand-off is one switch between goroutines, the figure the article gives as ≈100 ns;
// go-channels' hand-off adds a channel's send and receive to it. The turn and the counter
// are atomics so that the program stays race-free whatever GOMAXPROCS is; on one P they
// are never contended.
func pingPongGosched(args Args) (Outcome, error) {
	rounds := args.Get("rounds")
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	var turn, counter atomic.Uint64 // turn: 0 for ping, 1 for pong
	done := make(chan struct{})
	player := func(me uint64) {
		defer func() { done <- struct{}{} }()
		for range rounds {
			for turn.Load() != me {
				runtime.Gosched()
			}
			counter.Add(1)
			turn.Store(1 - me)
		}
	}
	start := time.Now()
	go player(0)
	go player(1)
	<-done
	<-done
	return Outcome{Checksum: counter.Load(), Elapsed: time.Since(start), Ops: 2 * rounds}, nil
}

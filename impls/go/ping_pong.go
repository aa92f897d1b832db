package main

// ping-pong: "a goroutine context switch costs about 100 ns". Two goroutines pass a counter
// back and forth over two unbuffered channels, each adding 1 on receipt; after `rounds`
// round trips the counter (the checksum) is 2 × rounds, and ops = 2 × rounds hand-offs.

import "time"

// pingPong is the ping-pong workload and its Go models.
var pingPong = Workload{
	Name:   "ping-pong",
	Params: []Param{{Name: "rounds", Min: 1, Max: 1_000_000_000}},
	Models: []Model{
		{ID: "go-channels", Run: pingPongChannels},
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

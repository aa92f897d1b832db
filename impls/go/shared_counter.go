package main

// shared-counter: the article's Arc<Mutex> sample. `units` goroutines each add 1 to one
// shared counter `increments` times; the checksum is the final counter (units × increments
// when nothing is lost), ops = units × increments.

import (
	"runtime"
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
		{ID: "go-channel-pointer", Run: counterChannelPointer, Racy: true},
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

// counterChannelPointer is go-channel-pointer: a channel that passes the counter's
// pointer, and a race anyway. The pointer is a token in a channel of capacity 1; a unit
// takes it, passes it straight on (as if sending it handed the counter over), and then
// writes through the copy it kept. A channel orders the send and the receive, not what
// the sender does with the pointer afterwards: two units can be incrementing at once, and
// the race detector reports it. The checksum is whatever count survives, like go-racy's.
// It is what the claim "a channel enforces data-passing synchronisation" leaves out: Go
// does not stop a sender from keeping what it sent.
func counterChannelPointer(args Args) (Outcome, error) {
	token := make(chan *uint64, 1)
	counter := new(uint64)
	token <- counter
	return countWith(args, time.Now(),
		func(increments uint64) {
			for range increments {
				p := <-token
				token <- p // "handed over"; p is still ours to write through
				racyIncrement(p)
			}
		},
		func() uint64 { return *<-token }) // wg.Wait orders every increment before this read
}

// counterRacy is go-racy: every goroutine increments one plain uint64 through
// racyIncrement, with no synchronisation at all: a data race on purpose, to show the updates
// it loses. `go vet` does not flag it; the race detector does, so the in-process tests never
// run it (TestRaceDetectorSeesOnlyGoRacy runs it in a -race binary of its own). The checksum
// is whatever count survives.
//
// The units pass a start gate first: none increments until as many units as there are Ps
// (GOMAXPROCS, at most `units`) are running at once, each spinning on its own P. Without it
// one unit's 250,000 increments (~0.4 ms unraced) could end before the runtime had a second
// CPU running the next unit (an idle virtual CPU can take that long to wake), and nothing
// raced. The spin does not yield: a gate that yielded let the units take turns on one P. A
// unit beyond GOMAXPROCS finds the gate open. The gate's wait is in the elapsed time.
// Measured through concbench at units=4 on 2 CPUs, samples that lost nothing: 3 of 10 with
// no gate, 13 of 15 with a yielding one, 3 of 15 with this one; those 3 took 2–3× as long
// as a racing sample, which is what two virtual CPUs taking turns on one host core look like.
func counterRacy(args Args) (Outcome, error) {
	counter := new(uint64)
	together := min(args.Get("units"), uint64(runtime.GOMAXPROCS(0)))
	var arrived atomic.Uint64
	return countWith(args, time.Now(),
		func(increments uint64) {
			arrived.Add(1)
			for arrived.Load() < together {
			}
			for range increments {
				racyIncrement(counter)
			}
		},
		func() uint64 { return *counter })
}

// racyIncrement is one unsynchronised increment of go-racy: it loads *counter, adds 1 and
// stores the sum back, with no lock and no atomic instruction, so another goroutine's
// increment that lands between the load and the store is lost.
//
// Why the compiler cannot fold the loop into one add, or keep the counter in a register:
// go:noinline (a directive the gc compiler documents and always honours, profile-guided
// optimisation included) keeps this body out of the caller, and gc analyses no function's
// memory effects across a call: a call it does not inline is, at the call site, a read and
// a write of all memory. So every iteration of the caller's loop must make the call, and
// every call loads *counter from memory and stores to it, since its own body has a single
// load and a single store that it cannot drop. The race detector instruments that load and
// store, which is how TestRaceDetectorSeesOnlyGoRacy sees the race. On amd64 with Go 1.26
// this compiles to `INCQ 0(AX); RET`: one instruction, but without a LOCK prefix, which the
// CPU executes as a separate load, add and store that another core can come between.
//
//go:noinline
func racyIncrement(counter *uint64) {
	*counter++
}

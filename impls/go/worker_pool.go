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
		{ID: "go-mutex-queue", Run: poolMutexQueue},
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

// poolMutexQueue is go-mutex-queue: the same pool with its two channels replaced by bounded
// queues of capacity `buffer` guarded by a sync.Mutex, with a sync.Cond for "not empty" and
// one for "not full": what passing work costs without channels, for the claim that Go
// recommends channels over locks.
func poolMutexQueue(args Args) (Outcome, error) {
	jobCount, spin := args.Get("jobs"), args.Get("spin")
	jobs := newLockedQueue(args.Int("buffer"))
	results := newLockedQueue(args.Int("buffer"))
	start := time.Now()
	var workers sync.WaitGroup
	for range args.Int("workers") {
		workers.Go(func() {
			for j, ok := jobs.Get(); ok; j, ok = jobs.Get() {
				results.Put(2 * xsK(j, spin))
			}
		})
	}
	go func() {
		for j := uint64(1); j <= jobCount; j++ {
			jobs.Put(j)
		}
		jobs.Close()
	}()
	var sum uint64
	for range jobCount {
		r, _ := results.Get()
		sum += r
	}
	outcome := Outcome{Checksum: sum, Elapsed: time.Since(start), Ops: jobCount}
	workers.Wait() // teardown: the jobs queue is closed, so every worker ends
	return outcome, nil
}

// lockedQueue is a bounded FIFO guarded by a mutex: a ring buffer, a condition variable for
// takers waiting on "not empty" and one for putters waiting on "not full".
type lockedQueue struct {
	mu                sync.Mutex
	notEmpty, notFull sync.Cond
	items             []uint64
	head, count       int
	closed            bool
}

func newLockedQueue(capacity int) *lockedQueue {
	q := &lockedQueue{items: make([]uint64, capacity)}
	q.notEmpty.L, q.notFull.L = &q.mu, &q.mu
	return q
}

// Put appends v, waiting while the queue is full.
func (q *lockedQueue) Put(v uint64) {
	q.mu.Lock()
	for q.count == len(q.items) {
		q.notFull.Wait()
	}
	q.items[(q.head+q.count)%len(q.items)] = v
	q.count++
	q.mu.Unlock()
	q.notEmpty.Signal()
}

// Get takes the oldest value, waiting while the queue is empty; ok is false once the queue
// is closed and empty.
func (q *lockedQueue) Get() (v uint64, ok bool) {
	q.mu.Lock()
	for q.count == 0 && !q.closed {
		q.notEmpty.Wait()
	}
	if q.count == 0 {
		q.mu.Unlock()
		return 0, false
	}
	v = q.items[q.head]
	q.head = (q.head + 1) % len(q.items)
	q.count--
	q.mu.Unlock()
	q.notFull.Signal()
	return v, true
}

// Close wakes every taker: no more values will come.
func (q *lockedQueue) Close() {
	q.mu.Lock()
	q.closed = true
	q.mu.Unlock()
	q.notEmpty.Broadcast()
}

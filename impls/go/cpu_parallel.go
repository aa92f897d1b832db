package main

// cpu-parallel: the article's ProcessPoolExecutor sample. Task k (0 <= k < tasks)
// computes s_k = Σ_{i < n+k} i*i (wrapping u64); the checksum is Σ_k s_k, ops = tasks,
// and `workers` is the pool size (go-seq ignores it).

import (
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"
)

// cpuParallel is the cpu-parallel workload and its Go models.
var cpuParallel = Workload{
	Name: "cpu-parallel",
	Params: []Param{
		{Name: "tasks", Min: 1, Max: 1_000_000},
		{Name: "n", Min: 0, Max: 10_000_000_000},
		{Name: "workers", Min: 1, Max: 1024},
	},
	Models: []Model{
		{ID: "go-seq", Run: cpuSeq},
		{ID: "go-goroutines", Run: cpuGoroutines},
		{ID: "go-goroutine-per-task", Run: cpuGoroutinePerTask},
		{ID: "go-processes", Run: cpuProcesses},
	},
}

// taskSum is task k's work: the sum of i*i for i < n+k, wrapping. The Go compiler keeps
// the loop (it has no closed-form rewrite), so time grows with n as it must. It is never
// inlined, so every model runs the same machine code: inlined into go-seq's loop it
// compiled ~30% slower, which showed as a speedup above 2× on 2 CPUs.
//
//go:noinline
func taskSum(n, k uint64) uint64 {
	var sum uint64
	for i := range n + k {
		sum += i * i
	}
	return sum
}

func cpuOutcome(args Args, checksum uint64, start time.Time) Outcome {
	return Outcome{Checksum: checksum, Elapsed: time.Since(start), Ops: args.Get("tasks")}
}

// cpuSeq is go-seq: a plain loop over the tasks.
func cpuSeq(args Args) (Outcome, error) {
	n := args.Get("n")
	start := time.Now()
	var sum uint64
	for k := range args.Get("tasks") {
		sum += taskSum(n, k)
	}
	return cpuOutcome(args, sum, start), nil
}

// cpuGoroutines is go-goroutines: a pool of `workers` goroutines computing tasks.
func cpuGoroutines(args Args) (Outcome, error) {
	n := args.Get("n")
	start := time.Now()
	units := make([]taskRunner, args.Int("workers"))
	for w := range units {
		units[w] = func(k uint64) (uint64, error) { return taskSum(n, k), nil }
	}
	sum, err := sumTasks(args.Get("tasks"), units)
	return cpuOutcome(args, sum, start), err
}

// cpuGoroutinePerTask is go-goroutine-per-task: one goroutine per task and no pool at all,
// `workers` ignored; the runtime's scheduler spreads the goroutines over GOMAXPROCS threads.
// This is the program the article means by "without manual thread-pool management".
// Each goroutine writes its own slot, so the sum needs no lock.
func cpuGoroutinePerTask(args Args) (Outcome, error) {
	n, tasks := args.Get("n"), args.Get("tasks")
	start := time.Now()
	sums := make([]uint64, tasks)
	var wg sync.WaitGroup
	for k := range tasks {
		wg.Go(func() { sums[k] = taskSum(n, k) })
	}
	wg.Wait()
	var sum uint64
	for _, s := range sums {
		sum += s
	}
	return cpuOutcome(args, sum, start), nil
}

// cpuProcesses is go-processes: `workers` worker processes (this binary re-executed, see
// cpuTaskHelper), each fed one task index at a time over its stdin pipe by a goroutine of
// the pool, which reads the task's sum back from its stdout pipe.
func cpuProcesses(args Args) (outcome Outcome, err error) {
	nArg := strconv.FormatUint(args.Get("n"), 10)
	start := time.Now()
	procs := make([]*HelperProcess, 0, args.Int("workers"))
	// Teardown, after the answer is known: each worker ends when its stdin closes.
	defer func() {
		for _, p := range procs {
			err = errors.Join(err, p.Stop())
		}
	}()
	units := make([]taskRunner, args.Int("workers"))
	for w := range units {
		proc, err := startHelper(cpuTaskHelper.Kind, nArg)
		if err != nil {
			return Outcome{}, err
		}
		procs = append(procs, proc)
		units[w] = func(k uint64) (uint64, error) {
			answer, err := proc.Ask(strconv.FormatUint(k, 10))
			if err != nil {
				return 0, err
			}
			return strconv.ParseUint(answer, 10, 64)
		}
	}
	sum, err := sumTasks(args.Get("tasks"), units)
	return cpuOutcome(args, sum, start), err
}

// cpuTaskHelper is the worker process of go-processes:
// `concbench-go __worker cpu-task <n>` reads task indices k, one a line, and answers each
// with taskSum(n, k).
var cpuTaskHelper = Helper{
	Kind: "cpu-task",
	Serve: func(args []string, in io.Reader, out io.Writer) error {
		if len(args) != 1 {
			return fmt.Errorf("want one argument, n; got %q", args)
		}
		n, err := strconv.ParseUint(args[0], 10, 64)
		if err != nil {
			return fmt.Errorf("n: %w", err)
		}
		return serveLines(in, out, func(line string) (string, error) {
			k, err := strconv.ParseUint(line, 10, 64)
			if err != nil {
				return "", fmt.Errorf("task index: %w", err)
			}
			return strconv.FormatUint(taskSum(n, k), 10), nil
		})
	},
}

// taskRunner computes task k in one unit of a pool.
type taskRunner func(k uint64) (uint64, error)

// taskResult is one task's sum, or why a unit could not compute it.
type taskResult struct {
	sum uint64
	err error
}

// sumTasks hands the task indices 0..tasks-1 out dynamically, over a channel, to one
// goroutine per unit, and returns the wrapping sum of their results. A unit that fails
// stops, and the first failure is returned.
func sumTasks(tasks uint64, units []taskRunner) (uint64, error) {
	indices := make(chan uint64)
	results := make(chan taskResult, len(units))
	go func() {
		for k := range tasks {
			indices <- k
		}
		close(indices)
	}()
	for _, run := range units {
		go func() {
			for k := range indices {
				sum, err := run(k)
				results <- taskResult{sum, err}
				if err != nil {
					return
				}
			}
		}()
	}
	var sum uint64
	for range tasks {
		r := <-results
		if r.err != nil {
			return 0, r.err
		}
		sum += r.sum
	}
	return sum, nil
}

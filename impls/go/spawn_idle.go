package main

// spawn-idle: "2 KB stacks, tens of thousands of goroutines". Spawn `units` goroutines that
// each block until released; once all are alive, read the resident memory (metric rss_kb);
// release them and wait for them. spawn_ns is the time from the first spawn until all are
// alive. The checksum is the number of units that finished, ops = units.

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// spawnIdle is the spawn-idle workload and its Go models.
var spawnIdle = Workload{
	Name:   "spawn-idle",
	Params: []Param{{Name: "units", Min: 0, Max: 10_000_000}},
	Models: []Model{
		{ID: "go-goroutines", Run: idleGoroutines},
	},
}

// idleUnit says it is alive, blocks until release is closed, then counts itself finished.
// It is a named function started with its arguments, not a closure, so that a unit costs
// its goroutine and nothing more.
func idleUnit(alive, done *sync.WaitGroup, release <-chan struct{}, finished *atomic.Uint64) {
	alive.Done()
	<-release
	finished.Add(1)
	done.Done()
}

// idleGoroutines is go-goroutines: a go statement per unit, each blocked on one channel
// that the main goroutine closes to release them all.
func idleGoroutines(args Args) (Outcome, error) {
	units := args.Int("units")
	var alive, done sync.WaitGroup
	var finished atomic.Uint64
	release := make(chan struct{})
	alive.Add(units)
	done.Add(units)
	start := time.Now()
	for range units {
		go idleUnit(&alive, &done, release, &finished)
	}
	alive.Wait()
	spawn := time.Since(start)
	rss, err := rssKB()
	close(release)
	done.Wait()
	outcome := Outcome{
		Checksum: finished.Load(),
		Elapsed:  time.Since(start),
		Ops:      uint64(units),
		Metrics:  map[string]uint64{"rss_kb": rss, "spawn_ns": uint64(spawn.Nanoseconds())},
	}
	return outcome, err
}

// rssKB is the resident memory of this process in kB (VmRSS of /proc/self/status).
func rssKB() (uint64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	lines := bufio.NewScanner(f)
	for lines.Scan() {
		if rest, ok := strings.CutPrefix(lines.Text(), "VmRSS:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/self/status: VmRSS: %w", err)
			}
			return kb, nil
		}
	}
	return 0, errors.Join(lines.Err(), errors.New("/proc/self/status has no VmRSS line"))
}

// The Go by Example worker pool (gobyexample.com/worker-pools), as a yardstick for
// concbench's worker-pool go-channels. Its shape is kept: the main goroutine sends every
// job into a jobs channel, closes it, then receives every result; the channels hold all
// the jobs (capacity = jobs), so nothing waits for room. Its only changes: the sizes are
// arguments, a job is 2*xs^spin(j) instead of a sleep and a print, and it prints the sum of
// the results (concbench's checksum).
//
//	go run workerpool.go JOBS WORKERS SPIN
package main

import (
	"fmt"
	"os"
	"strconv"
)

func xsK(x, k uint64) uint64 {
	for ; k > 0; k-- {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
	}
	return x
}

func worker(spin uint64, jobs <-chan uint64, results chan<- uint64) {
	for j := range jobs {
		results <- 2 * xsK(j, spin)
	}
}

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: workerpool JOBS WORKERS SPIN")
		os.Exit(2)
	}
	numJobs, _ := strconv.ParseUint(os.Args[1], 10, 64)
	workers, _ := strconv.Atoi(os.Args[2])
	spin, _ := strconv.ParseUint(os.Args[3], 10, 64)
	jobs := make(chan uint64, numJobs)
	results := make(chan uint64, numJobs)
	for w := 1; w <= workers; w++ {
		go worker(spin, jobs, results)
	}
	for j := uint64(1); j <= numJobs; j++ {
		jobs <- j
	}
	close(jobs)
	var sum uint64
	for a := uint64(1); a <= numJobs; a++ {
		sum += <-results
	}
	fmt.Println(sum)
}

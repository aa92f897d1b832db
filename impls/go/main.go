// Command concbench-go runs one concbench workload under one Go concurrency model and
// prints one JSON line (the protocol of impls/README.md):
//
//	concbench-go <workload> <model> --<param>=<value> ...
//	concbench-go --list
package main

import "os"

// workloads is every workload this program implements, in the order --list shows them.
var workloads = []Workload{
	cpuParallel,
	workerPool,
	sharedCounter,
	spawnIdle,
	pingPong,
	primeSieve,
	ioServer,
	mixedService,
}

// helpers is every kind of worker process that a process model starts from this binary.
var helpers = []Helper{
	cpuTaskHelper,
}

func main() {
	os.Exit(Main(os.Args[1:], workloads, helpers))
}

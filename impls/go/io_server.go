package main

// io-server: "API gateways: massive connections". An HTTP/1.1 keep-alive server on
// 127.0.0.1 (a port the system picks): `GET /work?id=I` waits `delay_us` without holding a
// core (the simulated upstream call), holding `alloc` bytes it allocated and wrote for the
// request (0: none), then answers xs^cpu(I) in decimal. The server says
// `{"listening": "127.0.0.1:<port>"}`, serves until SIGTERM, then reports the requests it
// answered with 200 as checksum and ops; elapsed runs from listening to SIGTERM. The load
// generator lives in the harness.
//
// 10,000 connections need more descriptors than the usual soft limit of 1024, and the
// harness raises none: Go's runtime raises the soft RLIMIT_NOFILE to the hard limit at
// start-up (package syscall, go.dev/issue/46279), so this file has nothing to add.

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"
)

// ioServer is the io-server workload and its Go models. connections, requests and rate
// are the harness's load parameters, never the server's.
var ioServer = Workload{
	Name: "io-server",
	Params: []Param{
		{Name: "delay_us", Min: 0, Max: 10_000_000},
		{Name: "cpu", Min: 0, Max: 100_000_000},
		{Name: "workers", Min: 1, Max: 1024},
		{Name: "alloc", Min: 0, Max: 100_000_000},
	},
	Models: []Model{
		{ID: "go-net-http", Run: netHTTPServer},
	},
}

// workHandler is the one handler of a run: the work every request asks for and the count
// of answers.
type workHandler struct {
	delay    time.Duration // the simulated upstream wait
	cpu      uint64        // xorshift64 steps of the CPU part
	alloc    int           // bytes each request allocates and writes, held until answered
	answered atomic.Uint64 // requests answered with 200 so far
	// The upstream waits measured so far, their sum in ns and their count: the wait the
	// runtime really gives can differ from delay, and the harness reports it.
	waitedNs atomic.Uint64
	waits    atomic.Uint64
}

// ServeHTTP answers one request: after the delay, xs^cpu(id) as text/plain. net/http adds
// the Content-Length itself, since the body is small and written before the handler returns.
func (h *workHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id, status := workID(r)
	if status != http.StatusOK {
		if status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", http.MethodGet)
		}
		http.Error(w, http.StatusText(status), status)
		return
	}
	state := requestState(h.alloc)
	began := time.Now()
	time.Sleep(h.delay) // parks this goroutine, not a core
	h.waitedNs.Add(uint64(time.Since(began)))
	h.waits.Add(1)
	runtime.KeepAlive(state) // live across the wait, garbage after it
	body := strconv.AppendUint(nil, xsK(id, h.cpu), 10)
	w.Header().Set("Content-Type", "text/plain")
	if _, err := w.Write(body); err != nil {
		return // the client has gone: nothing was answered
	}
	// Still counted before the client has it: net/http buffers a body this small and sends
	// it after ServeHTTP returns, so a SIGTERM after the answer finds it counted.
	h.answered.Add(1)
}

// workID returns the id of a `GET /work?id=I` request with status 200, or the status that
// refuses the request: 404 for another path, 405 for another method, 400 without a
// decimal u64 id.
func workID(r *http.Request) (id uint64, status int) {
	if r.URL.Path != "/work" {
		return 0, http.StatusNotFound
	}
	if r.Method != http.MethodGet {
		return 0, http.StatusMethodNotAllowed
	}
	// Base 10 takes digits only: no sign, no underscores, nothing above 2^64 - 1.
	id, err := strconv.ParseUint(r.URL.Query().Get("id"), 10, 64)
	if err != nil {
		return 0, http.StatusBadRequest
	}
	return id, http.StatusOK
}

// requestState is a request's own memory: alloc bytes from the heap, each written, for the
// request to hold across its upstream wait the way a real handler holds its parsed request
// and buffers; garbage once answered, for the collector to find. Nil at 0.
func requestState(alloc int) []byte {
	if alloc == 0 {
		return nil
	}
	return bytes.Repeat([]byte{1}, alloc)
}

// netHTTPServer is go-net-http: net/http's server with its default keep-alive, one
// goroutine per connection, time.Sleep for the delay and the CPU part inline in the
// handler. `workers` is ignored: there is no pool, the Go scheduler runs the goroutines.
func netHTTPServer(args Args) (Outcome, error) {
	handler := &workHandler{
		delay: time.Duration(args.Get("delay_us")) * time.Microsecond,
		cpu:   args.Get("cpu"),
		alloc: int(args.Get("alloc")),
	}
	// Caught before the server says it listens, so that no SIGTERM can come first.
	sigterm := make(chan os.Signal, 1)
	signal.Notify(sigterm, syscall.SIGTERM)
	defer signal.Stop(sigterm)

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return Outcome{}, fmt.Errorf("cannot listen on 127.0.0.1: %w", err)
	}
	start := time.Now()
	// The harness waits for this line; os.Stdout is unbuffered, so it goes out at once.
	if _, err := fmt.Printf("{\"listening\": %q}\n", listener.Addr().String()); err != nil {
		listener.Close()
		return Outcome{}, fmt.Errorf("cannot announce the listening address: %w", err)
	}

	server := &http.Server{Handler: handler}
	served := make(chan error, 1)
	go func() { served <- server.Serve(listener) }()
	select {
	case <-sigterm:
	case err := <-served:
		return Outcome{}, fmt.Errorf("the server stopped before SIGTERM: %w", err)
	}
	elapsed := time.Since(start)
	answered := handler.answered.Load()
	// Close, not Shutdown: stop accepting and drop every connection, idle keep-alive ones
	// included, instead of waiting for them. A handler still in its delay ends with the
	// process.
	err = server.Close()
	<-served // http.ErrServerClosed
	metrics := map[string]uint64{"wait_ns_sum": handler.waitedNs.Load(), "waits": handler.waits.Load()}
	return Outcome{Checksum: answered, Elapsed: elapsed, Ops: answered, Metrics: metrics}, err
}

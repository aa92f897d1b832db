package main

// io-server from outside: each model runs as a real process and is spoken to over raw TCP,
// several keep-alive requests on each of several connections; every body is checked
// against xs^cpu(id) computed here, and SIGTERM must end it promptly with the right count.
// (Refusing the load parameters is checked with every other bad input in main_test.go.)

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// stopWithin is how long a server may take to exit after SIGTERM ("about a second").
const stopWithin = 1500 * time.Millisecond

// serverProcess is a running server, killed at the end of the test if it still runs.
type serverProcess struct {
	model  string
	cmd    *exec.Cmd
	stdout *bufio.Reader
	addr   string
}

// startServer starts model and reads its `{"listening": "127.0.0.1:<port>"}` line.
func startServer(t *testing.T, model string, delayUS, cpu, workers uint64) *serverProcess {
	t.Helper()
	params := map[string]uint64{"delay_us": delayUS, "cpu": cpu, "workers": workers, "alloc": 0}
	cmd := exec.Command(binaryPath, argv(ioServer.Name, model, params)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("cannot start %s: %v", binaryPath, err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil { // not stopped by the test: it failed before
			cmd.Process.Kill()
			cmd.Wait()
		}
	})
	s := &serverProcess{model: model, cmd: cmd, stdout: bufio.NewReader(stdout)}
	line, err := s.stdout.ReadString('\n')
	port, ok := strings.CutPrefix(line, `{"listening": "127.0.0.1:`)
	port, ok2 := strings.CutSuffix(port, "\"}\n")
	if _, errPort := strconv.ParseUint(port, 10, 16); err != nil || !ok || !ok2 || errPort != nil {
		t.Fatalf("%s: first line %q is not the listening line (%v)", model, line, err)
	}
	s.addr = "127.0.0.1:" + port
	return s
}

// connect opens one keep-alive connection to the server.
func (s *serverProcess) connect(t *testing.T) *workClient {
	t.Helper()
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatalf("%s: %v", s.model, err)
	}
	t.Cleanup(func() { conn.Close() })
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	return &workClient{conn: conn, in: bufio.NewReader(conn)}
}

// stop sends SIGTERM, checks that the server exits 0 with one more line on stdout, and
// returns that line and how long the exit took.
func (s *serverProcess) stop(t *testing.T) (Outcome, time.Duration) {
	t.Helper()
	sent := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	type exit struct {
		rest string
		err  error
	}
	exited := make(chan exit, 1)
	go func() {
		// The rest of stdout ends when the process does; only then may Wait close the pipe.
		rest, err := io.ReadAll(s.stdout)
		exited <- exit{string(rest), errors.Join(err, s.cmd.Wait())}
	}()
	var e exit
	select {
	case e = <-exited:
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: still running 10 s after SIGTERM", s.model)
	}
	took := time.Since(sent)
	if e.err != nil {
		t.Fatalf("%s: after SIGTERM: %v", s.model, e.err)
	}
	if strings.Count(e.rest, "\n") != 1 || !strings.HasSuffix(e.rest, "\n") {
		t.Fatalf("%s: after SIGTERM stdout %q, want one line", s.model, e.rest)
	}
	return parseResultLine(t, s.model, strings.TrimSuffix(e.rest, "\n")), took
}

// workClient is one keep-alive connection that sends a request and reads its response.
type workClient struct {
	conn net.Conn
	in   *bufio.Reader
}

// send writes `GET <target>` with headers (each ending in CRLF).
func (c *workClient) send(t *testing.T, target, headers string) {
	t.Helper()
	request := "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + "\r\n"
	if _, err := io.WriteString(c.conn, request); err != nil {
		t.Fatalf("GET %s: %v", target, err)
	}
}

// workResponse is what a test checks of a response.
type workResponse struct {
	status      int
	contentType string
	close       bool
	body        string
}

// receive reads one response, whose length Content-Length must give.
func (c *workClient) receive(t *testing.T) workResponse {
	t.Helper()
	r, err := c.read()
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// read is receive for a goroutine other than the test's, which may not stop the test.
func (c *workClient) read() (workResponse, error) {
	resp, err := http.ReadResponse(c.in, nil)
	if err != nil {
		return workResponse{}, fmt.Errorf("reading a response: %w", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return workResponse{}, fmt.Errorf("reading a body: %w", err)
	}
	if resp.Proto != "HTTP/1.1" || resp.TransferEncoding != nil || resp.ContentLength != int64(len(body)) {
		return workResponse{}, fmt.Errorf("%s, transfer encoding %v, Content-Length %d for a body of %d bytes",
			resp.Proto, resp.TransferEncoding, resp.ContentLength, len(body))
	}
	return workResponse{resp.StatusCode, resp.Header.Get("Content-Type"), resp.Close, string(body)}, nil
}

func (c *workClient) get(t *testing.T, target string) workResponse {
	t.Helper()
	c.send(t, target, "")
	return c.receive(t)
}

// closedByServer says whether the server has closed the connection (reads end of file).
func (c *workClient) closedByServer() bool {
	_, err := c.in.ReadByte()
	return err == io.EOF
}

// checkAnswer checks that r is a 200 whose body is xs^cpu(id).
func checkAnswer(t *testing.T, r workResponse, id, cpu uint64) {
	t.Helper()
	if want := strconv.FormatUint(xsK(id, cpu), 10); r.status != http.StatusOK ||
		r.body != want || r.contentType != "text/plain" {
		t.Errorf("id %d: %+v, want 200 text/plain %s", id, r, want)
	}
}

// checkCount checks the final line of a server that answered `answered` requests.
// checkCount checks a server's final line: answered as checksum and ops, and as many
// upstream waits measured, each at least delay long.
func checkCount(t *testing.T, model string, got Outcome, answered uint64, delay time.Duration) {
	t.Helper()
	if got.Checksum != answered || got.Ops != answered || len(got.Metrics) != 2 ||
		got.Metrics["waits"] != answered || got.Metrics["wait_ns_sum"] < answered*uint64(delay) {
		t.Errorf("%s: final line %+v, want checksum, ops and waits %d, waits of at least %v",
			model, got, answered, delay)
	}
}

func TestIOServerRoutesOnlyGetWorkWithADecimalID(t *testing.T) {
	for target, want := range map[string]uint64{
		"/work?id=42":                   42,
		"/work?x=1&id=7":                7,
		"/work?id=18446744073709551615": math.MaxUint64,
	} {
		if id, status := workID(httptest.NewRequest(http.MethodGet, target, nil)); id != want || status != http.StatusOK {
			t.Errorf("GET %s: id %d, status %d; want %d, 200", target, id, status, want)
		}
	}
	for _, c := range []struct {
		method, target string
		status         int
	}{
		{http.MethodGet, "/", http.StatusNotFound},
		{http.MethodGet, "/work/?id=1", http.StatusNotFound},
		{http.MethodPost, "/work?id=1", http.StatusMethodNotAllowed},
		{http.MethodGet, "/work", http.StatusBadRequest},
		{http.MethodGet, "/work?id=", http.StatusBadRequest},
		{http.MethodGet, "/work?id=+1", http.StatusBadRequest},
		{http.MethodGet, "/work?id=-1", http.StatusBadRequest},
		{http.MethodGet, "/work?id=1_000", http.StatusBadRequest},
		{http.MethodGet, "/work?id=abc", http.StatusBadRequest},
		{http.MethodGet, "/work?id=18446744073709551616", http.StatusBadRequest},
		{http.MethodGet, "/work?ids=1", http.StatusBadRequest},
	} {
		if _, status := workID(httptest.NewRequest(c.method, c.target, nil)); status != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.target, status, c.status)
		}
	}
}

// TestIOServerServesAndStops is each model's whole life: answers on several keep-alive
// connections (in turn and at once), refusals that keep the connection, Connection: close,
// and a count on SIGTERM that an idle keep-alive connection does not delay.
func TestIOServerServesAndStops(t *testing.T) {
	const delayUS, cpu = 2000, 1000
	const delay = delayUS * time.Microsecond
	for _, m := range workloadNamed(t, ioServer.Name).Models {
		server := startServer(t, m.ID, delayUS, cpu, 2)
		clients := []*workClient{server.connect(t), server.connect(t), server.connect(t)}
		var answered uint64

		for round := range 4 {
			for c, client := range clients {
				id := []uint64{0, 1, 1000 + uint64(c), math.MaxUint64}[round]
				sent := time.Now()
				r := client.get(t, fmt.Sprintf("/work?id=%d", id))
				if took := time.Since(sent); took < delay {
					t.Errorf("%s: answered in %v, before the delay of %v", m.ID, took, delay)
				}
				checkAnswer(t, r, id, cpu)
				answered++
			}
		}

		// One request in flight on every connection at once.
		for c, client := range clients {
			client.send(t, fmt.Sprintf("/work?id=%d", 77+c), "")
		}
		for c, client := range clients {
			checkAnswer(t, client.receive(t), uint64(77+c), cpu)
			answered++
		}

		client := clients[0]
		for target, status := range map[string]int{
			"/nope":                         http.StatusNotFound,
			"/":                             http.StatusNotFound,
			"/work":                         http.StatusBadRequest,
			"/work?id=":                     http.StatusBadRequest,
			"/work?id=abc":                  http.StatusBadRequest,
			"/work?id=-1":                   http.StatusBadRequest,
			"/work?id=18446744073709551616": http.StatusBadRequest,
		} {
			if r := client.get(t, target); r.status != status {
				t.Errorf("%s %s: %+v, want status %d", m.ID, target, r, status)
			}
		}
		// The refusals kept the connection open.
		checkAnswer(t, client.get(t, "/work?id=5"), 5, cpu)
		answered++

		closing := server.connect(t)
		closing.send(t, "/work?id=9", "Connection: close\r\n")
		r := closing.receive(t)
		checkAnswer(t, r, 9, cpu)
		answered++
		if !r.close || !closing.closedByServer() {
			t.Errorf("%s: Connection: close was not honoured: %+v", m.ID, r)
		}

		// clients stay open and idle: the server must not wait for them.
		got, took := server.stop(t)
		if took > stopWithin {
			t.Errorf("%s: stopped in %v, want under %v", m.ID, took, stopWithin)
		}
		checkCount(t, m.ID, got, answered, delay)
	}
}

func TestIOServerStopsAtOnceWhenIdle(t *testing.T) {
	for _, m := range workloadNamed(t, ioServer.Name).Models {
		got, took := startServer(t, m.ID, 0, 0, 1).stop(t)
		if took > stopWithin {
			t.Errorf("%s: stopped in %v, want under %v", m.ID, took, stopWithin)
		}
		checkCount(t, m.ID, got, 0, 0)
	}
}

// TestIOServerHoldsManyConnectionsAtOnce opens connections that all wait on a request at
// once: a thousand here, and 10,000 need the open-files limit that Go's runtime raises
// (io_server.go), which the server's own /proc entry shows.
func TestIOServerHoldsManyConnectionsAtOnce(t *testing.T) {
	const connections, delayUS = 1000, 100_000
	for _, m := range workloadNamed(t, ioServer.Name).Models {
		server := startServer(t, m.ID, delayUS, 3, 1)
		limits, err := os.ReadFile(fmt.Sprintf("/proc/%d/limits", server.cmd.Process.Pid))
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range strings.Split(string(limits), "\n") {
			if fields := strings.Fields(line); strings.HasPrefix(line, "Max open files") && len(fields) > 4 {
				soft, errSoft := strconv.ParseUint(fields[3], 10, 64)
				hard, errHard := strconv.ParseUint(fields[4], 10, 64)
				if errSoft != nil || errHard != nil || soft+1 < hard {
					t.Errorf("%s: %q: the soft limit was not raised", m.ID, line)
				}
			}
		}

		clients := make([]*workClient, connections)
		for c := range clients {
			clients[c] = server.connect(t)
		}
		sent := time.Now()
		for c, client := range clients {
			client.send(t, fmt.Sprintf("/work?id=%d", c), "")
		}
		var wg sync.WaitGroup
		results := make([]workResponse, connections)
		for c, client := range clients {
			wg.Go(func() {
				var err error
				if results[c], err = client.read(); err != nil {
					t.Errorf("%s connection %d: %v", m.ID, c, err)
				}
			})
		}
		wg.Wait()
		// Each sleeps its own 100 ms: all at once take far less than one after another.
		if took := time.Since(sent); took > 10*delayUS*time.Microsecond {
			t.Errorf("%s: %d requests of 100 ms took %v: not concurrent", m.ID, connections, took)
		}
		for c, r := range results {
			checkAnswer(t, r, uint64(c), 3)
		}
		got, _ := server.stop(t)
		checkCount(t, m.ID, got, connections, delayUS*time.Microsecond)
	}
}

func TestRequestStateHoldsAllocBytesItWrote(t *testing.T) {
	state := requestState(100_000)
	if len(state) != 100_000 {
		t.Fatalf("len %d, want 100000", len(state))
	}
	for i, b := range state {
		if b != 1 {
			t.Fatalf("byte %d is %d: not written", i, b)
		}
	}
	if requestState(0) != nil {
		t.Fatal("alloc 0 allocates")
	}
}

package main

// Shared test fixtures: the suite's files (test vectors, workload catalogue), running a
// model in-process, and running the real binary, which TestMain builds once.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// suiteDir is the repository's suite/ folder, relative to this package.
const suiteDir = "../../suite"

// binaryPath is the concbench-go binary that TestMain builds for the tests that run it.
var binaryPath string

func TestMain(m *testing.M) {
	// go-processes re-executes os.Executable(), which under `go test` is this test binary:
	// let it serve as the worker, exactly as concbench-go does.
	if len(os.Args) > 1 && os.Args[1] == helperArg {
		os.Exit(Main(os.Args[1:], workloads, helpers))
	}
	dir, err := os.MkdirTemp("", "concbench-go-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binaryPath = filepath.Join(dir, program)
	// A plain build, never -race: go-racy races on purpose.
	build := exec.Command("go", "build", "-o", binaryPath, ".")
	build.Env = append(os.Environ(), "GOFLAGS=-buildvcs=false")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
		os.Exit(1)
	}
	status := m.Run()
	os.RemoveAll(dir)
	os.Exit(status)
}

// workloadNamed returns the workload of this program called name.
func workloadNamed(t *testing.T, name string) Workload {
	t.Helper()
	for _, w := range workloads {
		if w.Name == name {
			return w
		}
	}
	t.Fatalf("no workload %q", name)
	return Workload{}
}

// implemented says whether concbench-go has workload name.
func implemented(name string) bool {
	for _, w := range workloads {
		if w.Name == name {
			return true
		}
	}
	return false
}

// argv is the command line that runs model of workload with params.
func argv(workload, model string, params map[string]uint64) []string {
	args := []string{workload, model}
	for name, value := range params {
		args = append(args, fmt.Sprintf("--%s=%d", name, value))
	}
	return args
}

// runInProcess runs one model with params, validated by the protocol's own parser, and
// checks that every goroutine it started has ended by the time it returns (give or take
// the moment a goroutine needs to exit after its last signal).
func runInProcess(t *testing.T, workload, model string, params map[string]uint64) Outcome {
	t.Helper()
	before := runtime.NumGoroutine()
	cmd, err := parse(workloads, argv(workload, model, params))
	if err != nil {
		t.Fatalf("%s %s %v: %v", workload, model, params, err)
	}
	outcome, err := cmd.model.Run(cmd.args)
	if err != nil {
		t.Fatalf("%s %s %v: %v", workload, model, params, err)
	}
	if outcome.Elapsed <= 0 {
		t.Errorf("%s %s %v: elapsed %v", workload, model, params, outcome.Elapsed)
	}
	for deadline := time.Now().Add(2 * time.Second); runtime.NumGoroutine() > before; {
		if time.Now().After(deadline) {
			t.Errorf("%s %s %v: %d goroutines left running", workload, model, params, runtime.NumGoroutine()-before)
			break
		}
		time.Sleep(time.Millisecond)
	}
	return outcome
}

// checkModels runs every model of workload with params and checks the checksum and ops.
// A racy model may lose updates, so its checksum need only not exceed the right one; it
// runs in the binary, since the race detector of `go test -race` would stop the test.
func checkModels(t *testing.T, workload string, params map[string]uint64, checksum, ops uint64) {
	t.Helper()
	for _, m := range workloadNamed(t, workload).Models {
		var got Outcome
		if m.Racy {
			got = runBinaryOK(t, argv(workload, m.ID, params)...)
		} else {
			got = runInProcess(t, workload, m.ID, params)
		}
		if got.Ops != ops {
			t.Errorf("%s %s %v: ops %d, want %d", workload, m.ID, params, got.Ops, ops)
		}
		if got.Checksum != checksum && !(m.Racy && got.Checksum < checksum) {
			t.Errorf("%s %s %v: checksum %d, want %d", workload, m.ID, params, got.Checksum, checksum)
		}
	}
}

// testVectors is suite/test-vectors.json.
type testVectors struct {
	Xorshift64 []struct {
		X   string `json:"x"`
		K   uint64 `json:"k"`
		XsK string `json:"xs_k"`
	} `json:"xorshift64"`
	Cases []struct {
		Workload string            `json:"workload"`
		Params   map[string]uint64 `json:"params"`
		Checksum string            `json:"checksum"`
	} `json:"cases"`
}

func loadTestVectors(t *testing.T) testVectors {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(suiteDir, "test-vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v testVectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("test-vectors.json: %v", err)
	}
	if len(v.Xorshift64) == 0 || len(v.Cases) == 0 {
		t.Fatal("test-vectors.json has no vectors")
	}
	return v
}

func parseU64(t *testing.T, s string) uint64 {
	t.Helper()
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestEveryModelMatchesTheTestVectors runs every case of suite/test-vectors.json under
// every Go model of its workload. The vectors leave out the parameters that do not change
// a checksum (workers, buffer); small values are filled in.
func TestEveryModelMatchesTheTestVectors(t *testing.T) {
	defaults := map[string]uint64{"workers": 2, "buffer": 3}
	for _, c := range loadTestVectors(t).Cases {
		if !implemented(c.Workload) {
			continue // a workload of other languages only (safety-kernels: Rust against C)
		}
		w := workloadNamed(t, c.Workload)
		params := map[string]uint64{}
		for _, p := range w.Params {
			if v, ok := c.Params[p.Name]; ok {
				params[p.Name] = v
			} else if v, ok := defaults[p.Name]; ok {
				params[p.Name] = v
			} else {
				t.Fatalf("%s: the vector gives no --%s", c.Workload, p.Name)
			}
		}
		want := parseU64(t, c.Checksum)
		for _, m := range w.Models {
			if m.Racy {
				continue // its checksum is the finding, not a fixed value
			}
			if got := runInProcess(t, c.Workload, m.ID, params); got.Checksum != want {
				t.Errorf("%s %s %v: checksum %d, want %d", c.Workload, m.ID, params, got.Checksum, want)
			}
		}
	}
}

// notYetImplemented names the workloads of suite/ whose Go models come with a later
// change, and why; every other workload with Go models must be implemented exactly.
var notYetImplemented = map[string]string{}

// goCatalogue is loadCatalogue without the workloads that have no Go models or are in
// notYetImplemented, which it checks this program does not claim to implement.
func goCatalogue(t *testing.T) catalogue {
	t.Helper()
	cat := loadCatalogue(t)
	for name, entry := range cat {
		_, pending := notYetImplemented[name]
		if len(entry.models) == 0 || pending {
			delete(cat, name)
		}
	}
	for _, w := range workloads {
		if _, pending := notYetImplemented[w.Name]; pending {
			t.Errorf("%s is implemented now: take it out of notYetImplemented", w.Name)
		}
	}
	return cat
}

// catalogue is what suite/workloads/*.toml says about the Go side: each workload's
// parameters, its load parameters (`load = true`: the harness's, which implementations
// refuse) and its Go model ids.
type catalogue map[string]struct {
	params []Param
	load   []string
	models []string
}

// loadCatalogue reads suite/workloads/*.toml with a reader for the few shapes those files
// use (tables, arrays of tables, `key = "string"` and `key = 1_000` lines), since the
// module takes no dependencies.
func loadCatalogue(t *testing.T) catalogue {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(suiteDir, "workloads", "*.toml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no workload files in %s: %v", suiteDir, err)
	}
	cat := catalogue{}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var name, section string
		var params []Param
		var isLoad []bool // isLoad[i]: params[i] is a load parameter
		var models []string
		var modelID string
		for _, line := range strings.Split(string(raw), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "[") {
				section = line
				if line == "[[params]]" {
					params = append(params, Param{})
					isLoad = append(isLoad, false)
				}
				continue
			}
			key, value, ok := strings.Cut(line, "=")
			if !ok || strings.HasPrefix(line, "#") {
				continue
			}
			key, value = strings.TrimSpace(key), strings.Trim(strings.TrimSpace(value), `"`)
			number := func() uint64 { return parseU64(t, strings.ReplaceAll(value, "_", "")) }
			switch {
			case section == "" && key == "name":
				name = value
			case section == "[[params]]" && key == "name":
				params[len(params)-1].Name = value
			case section == "[[params]]" && key == "min":
				params[len(params)-1].Min = number()
			case section == "[[params]]" && key == "max":
				params[len(params)-1].Max = number()
			case section == "[[params]]" && key == "load":
				isLoad[len(isLoad)-1] = value == "true"
			case section == "[[models]]" && key == "id":
				modelID = value
			case section == "[[models]]" && key == "lang" && value == "go":
				models = append(models, modelID)
			}
		}
		var server []Param
		var load []string
		for i, p := range params {
			if isLoad[i] {
				load = append(load, p.Name)
			} else {
				server = append(server, p)
			}
		}
		cat[name] = struct {
			params []Param
			load   []string
			models []string
		}{server, load, models}
	}
	return cat
}

// TestWorkloadsMatchTheSuite pins every parameter range and model id to suite/.
func TestWorkloadsMatchTheSuite(t *testing.T) {
	cat := goCatalogue(t)
	for name, entry := range cat {
		w := workloadNamed(t, name)
		if fmt.Sprint(w.Params) != fmt.Sprint(entry.params) {
			t.Errorf("%s: params %v, suite says %v", name, w.Params, entry.params)
		}
		var ids []string
		for _, m := range w.Models {
			ids = append(ids, m.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(entry.models) {
			t.Errorf("%s: models %v, suite says %v", name, ids, entry.models)
		}
	}
	if len(workloads) != len(cat) {
		t.Errorf("%d workloads, suite/ has %d with Go models", len(workloads), len(cat))
	}
}

// binaryRun is what one run of the binary did.
type binaryRun struct {
	status         int
	stdout, stderr string
}

func runBinary(t *testing.T, args ...string) binaryRun {
	t.Helper()
	return runBinaryEnv(t, nil, args...)
}

func runBinaryEnv(t *testing.T, env []string, args ...string) binaryRun {
	t.Helper()
	// Every run here is tiny or refused at once: one that runs on has taken bad input.
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binaryPath, args...)
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%v: still running after 30 s", args)
	}
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("cannot run %s: %v", binaryPath, err)
	}
	return binaryRun{cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()}
}

// runBinaryOK runs the binary, expects success, and decodes its last stdout line.
func runBinaryOK(t *testing.T, args ...string) Outcome {
	t.Helper()
	r := runBinary(t, args...)
	if r.status != 0 {
		t.Fatalf("%v: exit %d: %s", args, r.status, r.stderr)
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	return parseResultLine(t, fmt.Sprint(args), lines[len(lines)-1])
}

// parseResultLine decodes the protocol's result line, printed by the run called what,
// and checks its shape: every field, none unknown, elapsed_ns > 0.
func parseResultLine(t *testing.T, what, text string) Outcome {
	t.Helper()
	var line struct {
		Checksum  *string           `json:"checksum"`
		ElapsedNs *int64            `json:"elapsed_ns"`
		Ops       *uint64           `json:"ops"`
		Metrics   map[string]uint64 `json:"metrics"`
	}
	dec := json.NewDecoder(strings.NewReader(text))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&line); err != nil || line.Checksum == nil || line.ElapsedNs == nil ||
		line.Ops == nil || line.Metrics == nil {
		t.Fatalf("%s: result line %q is not the protocol's (%v)", what, text, err)
	}
	if *line.ElapsedNs <= 0 {
		t.Errorf("%s: elapsed_ns %d", what, *line.ElapsedNs)
	}
	return Outcome{parseU64(t, *line.Checksum), time.Duration(*line.ElapsedNs), *line.Ops, line.Metrics}
}

// expectRefused checks the protocol's answer to bad input: exit 2, nothing on stdout, one
// line on stderr that names the program.
func expectRefused(t *testing.T, r binaryRun, what string) {
	t.Helper()
	if r.status != 2 {
		t.Errorf("%s: exit %d, want 2 (stderr %q)", what, r.status, r.stderr)
	}
	if r.stdout != "" {
		t.Errorf("%s: stdout %q, want nothing", what, r.stdout)
	}
	if lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n"); len(lines) != 1 ||
		!strings.HasPrefix(lines[0], program+": ") {
		t.Errorf("%s: stderr %q, want one line %q", what, r.stderr, program+": ...")
	}
}

// tinyParams is a size at which every model of the workload runs in a moment.
var tinyParams = map[string]map[string]uint64{
	"cpu-parallel":   {"tasks": 3, "n": 1000, "workers": 2},
	"worker-pool":    {"jobs": 100, "workers": 3, "buffer": 4, "spin": 5},
	"shared-counter": {"units": 3, "increments": 200},
	"spawn-idle":     {"units": 50},
	"ping-pong":      {"rounds": 100},
	"prime-sieve":    {"primes": 30, "buffer": 1},
	"io-server":      {"delay_us": 0, "cpu": 0, "workers": 1},
	"mixed-service":  {"rate": 2000, "requests": 20, "delay_us": 100, "cpu": 50, "workers": 2},
}

// TestTheBinaryRunsEveryModel runs every model through main, as the harness does.
func TestTheBinaryRunsEveryModel(t *testing.T) {
	for _, w := range workloads {
		if w.Name == ioServer.Name {
			continue // a server runs until SIGTERM: io_server_test.go runs it
		}
		for _, m := range w.Models {
			got := runBinaryOK(t, argv(w.Name, m.ID, tinyParams[w.Name])...)
			if m.Racy {
				continue // checkModels runs it in the binary only, too
			}
			want := runInProcess(t, w.Name, m.ID, tinyParams[w.Name])
			if got.Ops != want.Ops || got.Checksum != want.Checksum {
				t.Errorf("%s %s: binary gave %+v, in-process %+v", w.Name, m.ID, got, want)
			}
		}
	}
}

// TestListNamesEveryModelOfTheSuite checks the --list line against suite/.
func TestListNamesEveryModelOfTheSuite(t *testing.T) {
	r := runBinary(t, "--list")
	if r.status != 0 || r.stderr != "" || strings.Count(r.stdout, "\n") != 1 {
		t.Fatalf("--list: exit %d, stdout %q, stderr %q", r.status, r.stdout, r.stderr)
	}
	var list struct {
		Lang    string              `json:"lang"`
		Runtime string              `json:"runtime"`
		Models  map[string][]string `json:"models"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &list); err != nil {
		t.Fatal(err)
	}
	if list.Lang != "go" || list.Runtime != runtime.Version() {
		t.Errorf("--list: lang %q, runtime %q", list.Lang, list.Runtime)
	}
	want := map[string][]string{}
	for name, entry := range goCatalogue(t) {
		want[name] = entry.models
	}
	if fmt.Sprint(list.Models) != fmt.Sprint(want) {
		t.Errorf("--list models %v, suite/ says %v", list.Models, want)
	}
	if strings.Contains(r.stdout, helperArg) {
		t.Errorf("--list shows the hidden %s mode: %s", helperArg, r.stdout)
	}
}

// TestBadInputIsRefused probes every kind of bad input, and min-1 and max+1 of every
// parameter of every model.
func TestBadInputIsRefused(t *testing.T) {
	good := []string{"shared-counter", "go-atomic", "--units=2", "--increments=3"}
	for what, args := range map[string][]string{
		"no arguments":         {},
		"unknown workload":     {"nope", "go-atomic", "--units=2", "--increments=3"},
		"missing model":        {"shared-counter"},
		"unknown model":        {"shared-counter", "rust-atomic", "--units=2", "--increments=3"},
		"unknown parameter":    append(good[:4:4], "--spin=1"),
		"repeated parameter":   append(good[:4:4], "--units=2"),
		"missing parameter":    good[:3],
		"negative":             {"shared-counter", "go-atomic", "--units=-1", "--increments=3"},
		"not an integer":       {"shared-counter", "go-atomic", "--units=2.0", "--increments=3"},
		"empty value":          {"shared-counter", "go-atomic", "--units=", "--increments=3"},
		"sign":                 {"shared-counter", "go-atomic", "--units=+2", "--increments=3"},
		"overflow":             {"shared-counter", "go-atomic", "--units=2", "--increments=99999999999999999999999"},
		"stray argument":       append(good[:4:4], "stray"),
		"separate value":       {"shared-counter", "go-atomic", "--units", "2", "--increments=3"},
		"single dash":          {"shared-counter", "go-atomic", "-units=2", "--increments=3"},
		"list with arguments":  {"--list", "x"},
		"hidden mode, by hand": {helperArg, cpuTaskHelper.Kind, "5"},
	} {
		expectRefused(t, runBinary(t, args...), what)
	}
	// The hidden mode needs its real parent's pid: another pid is no pass.
	expectRefused(t, runBinaryEnv(t, []string{helperParentEnv + "=1"}, helperArg, cpuTaskHelper.Kind, "5"),
		"hidden mode with a forged parent")

	// A load parameter is the harness's: to a server it is as unknown as any other.
	for name, entry := range goCatalogue(t) {
		for _, model := range entry.models {
			for _, load := range entry.load {
				params := map[string]uint64{load: 1}
				for k, v := range tinyParams[name] {
					params[k] = v
				}
				r := runBinary(t, argv(name, model, params)...)
				what := fmt.Sprintf("%s %s --%s=1", name, model, load)
				expectRefused(t, r, what)
				if !strings.Contains(r.stderr, "unknown parameter --"+load) {
					t.Errorf("%s: %q does not say unknown parameter", what, r.stderr)
				}
			}
		}
	}

	for _, w := range workloads {
		for _, m := range w.Models {
			for _, p := range w.Params {
				bad := []uint64{p.Max + 1}
				if p.Min > 0 {
					bad = append(bad, p.Min-1)
				}
				for _, value := range bad {
					params := map[string]uint64{}
					for k, v := range tinyParams[w.Name] {
						params[k] = v
					}
					params[p.Name] = value
					r := runBinary(t, argv(w.Name, m.ID, params)...)
					expectRefused(t, r, fmt.Sprintf("%s %s --%s=%d", w.Name, m.ID, p.Name, value))
					if !strings.Contains(r.stderr, "out of range") {
						t.Errorf("%s %s --%s=%d: %q does not say out of range", w.Name, m.ID, p.Name, value, r.stderr)
					}
				}
			}
		}
	}
}

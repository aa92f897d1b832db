package main

// The command-line protocol every concbench implementation speaks (see
// impls/README.md): `<program> <workload> <model> --<param>=<value> ...` runs one
// measurement and prints one JSON line; `<program> --list` says what is implemented. Bad
// input of any kind exits 2 with one line on stderr and nothing on stdout.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"time"
)

// program is the name that starts every error line.
const program = "concbench-go"

// helperArg is the hidden first argument that turns this binary into a worker process of
// a process model (`concbench-go __worker <kind> ...`). It is no workload: --list never
// shows it, and it only works for a process started by startHelper (see helperParentEnv).
const helperArg = "__worker"

// helperParentEnv names the variable through which startHelper tells its child the
// parent's pid. A helper refuses to serve unless the variable names its real parent, so
// typing `concbench-go __worker ...` by hand is just an unknown workload.
const helperParentEnv = "CONCBENCH_GO_HELPER_PARENT"

// Param is one integer parameter of a workload and the range that every implementation
// enforces (the min/max of suite/workloads/<workload>.toml).
type Param struct {
	Name     string // as given on the command line, without the leading "--"
	Min, Max uint64
}

// Model is one concurrency model of a workload.
type Model struct {
	// ID is the model id of the suite's catalogue, e.g. "go-goroutines".
	ID string
	// Run runs the workload under this model with validated arguments. An error is an
	// internal failure (exit 1), never bad input.
	Run func(Args) (Outcome, error)
	// Racy marks a deliberately unsynchronised model whose checksum may be wrong.
	Racy bool
}

// Workload is a workload of the suite: its parameters and the Go models that implement it.
type Workload struct {
	Name   string  // e.g. "cpu-parallel"
	Params []Param // each must be given exactly once
	Models []Model // in the order --list shows them
}

// Args holds the validated parameter values of one run, by name, each within its range.
type Args map[string]uint64

// Get returns the value of parameter name. It panics if the workload has no such
// parameter: a programming error that every model's test catches.
func (a Args) Get(name string) uint64 {
	v, ok := a[name]
	if !ok {
		panic("the workload has no parameter --" + name)
	}
	return v
}

// Int returns the value of parameter name as a count of things held in memory; the
// suite's ranges make every such count fit in an int on a 64-bit machine.
func (a Args) Int(name string) int {
	return int(a.Get(name))
}

// Outcome is what one run measured: the last stdout line of the protocol.
type Outcome struct {
	Checksum uint64            // the workload's checksum (docs/DESIGN.md, "Workloads")
	Elapsed  time.Duration     // from just before the first unit is created until the answer is known
	Ops      uint64            // units of the workload's work done
	Metrics  map[string]uint64 // further measured numbers, by name
}

// JSON is the protocol's result line:
// {"checksum": "<u64>", "elapsed_ns": .., "ops": .., "metrics": {..}}.
func (o Outcome) JSON() string {
	metrics := o.Metrics
	if metrics == nil {
		metrics = map[string]uint64{} // "metrics": {}, not null
	}
	return mustJSON(struct {
		Checksum  string            `json:"checksum"`
		ElapsedNs int64             `json:"elapsed_ns"`
		Ops       uint64            `json:"ops"`
		Metrics   map[string]uint64 `json:"metrics"`
	}{strconv.FormatUint(o.Checksum, 10), o.Elapsed.Nanoseconds(), o.Ops, metrics})
}

// mustJSON encodes values made of strings, integers, slices and maps, which cannot fail.
func mustJSON(v any) string {
	line, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(line)
}

// listJSON is the --list line: {"lang": "go", "runtime": "go1.26.8", "models": {..}}.
func listJSON(workloads []Workload) string {
	models := make(map[string][]string, len(workloads))
	for _, w := range workloads {
		for _, m := range w.Models {
			models[w.Name] = append(models[w.Name], m.ID)
		}
	}
	return mustJSON(struct {
		Lang    string              `json:"lang"`
		Runtime string              `json:"runtime"`
		Models  map[string][]string `json:"models"`
	}{"go", runtime.Version(), models})
}

// usageError is bad input: the text after "<program>: " on the one stderr line.
type usageError string

func (e usageError) Error() string { return string(e) }

// command is what the command line asks for: --list, or one model with its arguments.
type command struct {
	list  bool
	model *Model
	args  Args
}

// parse validates argv (without the program name) against workloads.
func parse(workloads []Workload, argv []string) (command, error) {
	if len(argv) == 0 {
		return command{}, usageError(fmt.Sprintf(
			"usage: %s <workload> <model> --<param>=<value> ... | %s --list", program, program))
	}
	if argv[0] == "--list" {
		if len(argv) > 1 {
			return command{}, usageError(fmt.Sprintf("--list takes no arguments, got %q", argv[1]))
		}
		return command{list: true}, nil
	}
	var workload *Workload
	var known []string
	for i := range workloads {
		known = append(known, workloads[i].Name)
		if workloads[i].Name == argv[0] {
			workload = &workloads[i]
		}
	}
	if workload == nil {
		return command{}, usageError(fmt.Sprintf(
			"unknown workload %q (known: %s)", argv[0], strings.Join(known, ", ")))
	}
	fail := func(format string, a ...any) (command, error) {
		return command{}, usageError(workload.Name + ": " + fmt.Sprintf(format, a...))
	}

	var model *Model
	var ids []string
	for i := range workload.Models {
		ids = append(ids, workload.Models[i].ID)
		if len(argv) > 1 && workload.Models[i].ID == argv[1] {
			model = &workload.Models[i]
		}
	}
	if len(argv) < 2 {
		return fail("missing the model (one of: %s)", strings.Join(ids, ", "))
	}
	if model == nil {
		return fail("unknown model %q (go models: %s)", argv[1], strings.Join(ids, ", "))
	}

	args := make(Args, len(workload.Params))
	for _, arg := range argv[2:] {
		name, text, ok := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		if !ok || !strings.HasPrefix(arg, "--") {
			return fail("unexpected argument %q (parameters are --name=value)", arg)
		}
		param, known := findParam(workload.Params, name)
		if !known {
			return fail("unknown parameter --%s (expected %s)", name, paramList(workload.Params))
		}
		if _, seen := args[name]; seen {
			return fail("--%s is given more than once", name)
		}
		if text == "" || strings.Trim(text, "0123456789") != "" {
			return fail("--%s=%s is not a non-negative integer", name, text)
		}
		// Digits that overflow uint64 are above every maximum, so they are out of range too.
		value, err := strconv.ParseUint(text, 10, 64)
		if err != nil || value < param.Min || value > param.Max {
			return fail("--%s=%s is out of range (%d..=%d)", name, text, param.Min, param.Max)
		}
		args[name] = value
	}
	var missing []string
	for _, p := range workload.Params {
		if _, ok := args[p.Name]; !ok {
			missing = append(missing, "--"+p.Name)
		}
	}
	if len(missing) > 0 {
		return fail("missing %s", strings.Join(missing, ", "))
	}
	return command{model: model, args: args}, nil
}

func findParam(params []Param, name string) (Param, bool) {
	for _, p := range params {
		if p.Name == name {
			return p, true
		}
	}
	return Param{}, false
}

// paramList is "--a, --b": the parameters of a workload, for error lines.
func paramList(params []Param) string {
	names := make([]string, len(params))
	for i, p := range params {
		names[i] = "--" + p.Name
	}
	return strings.Join(names, ", ")
}

// Main is the whole program, given its arguments without the program name: parse, run,
// print. It returns the exit status: 0 done, 1 internal failure, 2 bad input.
func Main(argv []string, workloads []Workload, helpers []Helper) (status int) {
	// A panic in this goroutine is an internal failure: one line (the harness keeps the
	// last stderr line) and status 1, since Go's own panic status 2 means bad input here.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "%s: internal error: %v\n", program, r)
			status = 1
		}
	}()
	if helper, ok := helperFor(argv, helpers); ok {
		if err := helper.Serve(argv[2:], os.Stdin, os.Stdout); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %s %s: %v\n", program, helperArg, helper.Kind, err)
			return 1
		}
		return 0
	}

	cmd, err := parse(workloads, argv)
	if err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", program, err)
		return 2
	}
	var line string
	if cmd.list {
		line = listJSON(workloads)
	} else {
		outcome, err := cmd.model.Run(cmd.args)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: internal error: %v\n", program, err)
			return 1
		}
		line = outcome.JSON()
	}
	if _, err := fmt.Println(line); err != nil {
		fmt.Fprintf(os.Stderr, "%s: cannot write the result: %v\n", program, err)
		return 1
	}
	return 0
}

// Helper is one kind of worker process that a process model starts from this binary.
type Helper struct {
	// Kind is the argument after __worker, e.g. "cpu-task".
	Kind string
	// Serve does the worker's job: it reads requests from in until EOF and answers on out.
	// args are the arguments after the kind.
	Serve func(args []string, in io.Reader, out io.Writer) error
}

// helperFor says whether argv asks for a worker process, and which; only a process that
// startHelper started gets one.
func helperFor(argv []string, helpers []Helper) (Helper, bool) {
	if len(argv) < 2 || argv[0] != helperArg ||
		os.Getenv(helperParentEnv) != strconv.Itoa(os.Getppid()) {
		return Helper{}, false
	}
	for _, h := range helpers {
		if h.Kind == argv[1] {
			return h, true
		}
	}
	return Helper{}, false
}

// HelperProcess is a running worker process and the pipes to talk to it, one line each
// way per request.
type HelperProcess struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	in    *bufio.Writer
	out   *bufio.Reader
}

// startHelper starts this binary as a worker process of the given kind:
// `concbench-go __worker <kind> <args>...`. Its stderr is this process's stderr.
func startHelper(kind string, args ...string) (*HelperProcess, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, fmt.Errorf("cannot find this program to start a worker: %w", err)
	}
	cmd := exec.Command(self, append([]string{helperArg, kind}, args...)...)
	cmd.Env = append(os.Environ(), helperParentEnv+"="+strconv.Itoa(os.Getpid()))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("cannot start a worker process: %w", err)
	}
	return &HelperProcess{cmd: cmd, stdin: stdin, in: bufio.NewWriter(stdin), out: bufio.NewReader(stdout)}, nil
}

// Ask sends one request line and returns the worker's answer line, without its newline.
func (h *HelperProcess) Ask(request string) (string, error) {
	h.in.WriteString(request)
	h.in.WriteByte('\n')
	if err := h.in.Flush(); err != nil {
		return "", fmt.Errorf("cannot write to worker %d: %w", h.cmd.Process.Pid, err)
	}
	answer, err := h.out.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("worker %d gave no answer: %w", h.cmd.Process.Pid, err)
	}
	return strings.TrimSuffix(answer, "\n"), nil
}

// Stop closes the worker's input, so that it ends, and waits for it.
func (h *HelperProcess) Stop() error {
	return errors.Join(h.stdin.Close(), h.cmd.Wait())
}

// serveLines is the loop of a worker process: it answers each line of in with
// answer(line) on a line of out, flushed at once because the parent waits for it.
func serveLines(in io.Reader, out io.Writer, answer func(string) (string, error)) error {
	requests := bufio.NewScanner(in)
	answers := bufio.NewWriter(out)
	for requests.Scan() {
		reply, err := answer(requests.Text())
		if err != nil {
			return err
		}
		answers.WriteString(reply)
		answers.WriteByte('\n')
		if err := answers.Flush(); err != nil {
			return err
		}
	}
	return requests.Err()
}

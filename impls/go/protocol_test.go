package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// toy is a workload with a parameter at each end of the u64 range.
var toy = []Workload{{
	Name:   "toy",
	Params: []Param{{Name: "a", Min: 1, Max: 10}, {Name: "b", Min: 0, Max: 1<<64 - 2}},
	Models: []Model{{ID: "go-x", Run: func(Args) (Outcome, error) { return Outcome{}, nil }}},
}}

func parseError(t *testing.T, args ...string) string {
	t.Helper()
	_, err := parse(toy, args)
	var usage usageError
	if !errors.As(err, &usage) {
		t.Fatalf("%q: want a usage error, got %v", args, err)
	}
	return err.Error()
}

func TestParseAcceptsEveryParameterOnceInAnyOrder(t *testing.T) {
	cmd, err := parse(toy, []string{"toy", "go-x", "--b=7", "--a=010"})
	if err != nil {
		t.Fatal(err)
	}
	if cmd.list || cmd.model.ID != "go-x" || cmd.args.Get("a") != 10 || cmd.args.Get("b") != 7 {
		t.Errorf("got %+v", cmd)
	}
	if cmd, err := parse(toy, []string{"--list"}); err != nil || !cmd.list {
		t.Errorf("--list: %+v, %v", cmd, err)
	}
}

func TestParseRefusesBadInputSayingWhichAndWhy(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{nil, "usage: concbench-go <workload> <model> --<param>=<value> ... | concbench-go --list"},
		{[]string{"nope"}, `unknown workload "nope" (known: toy)`},
		{[]string{"toy"}, "toy: missing the model (one of: go-x)"},
		{[]string{"toy", "rust-x", "--a=1", "--b=1"}, `toy: unknown model "rust-x" (go models: go-x)`},
		{[]string{"toy", "go-x", "--a=1", "--b=1", "--c=1"}, "toy: unknown parameter --c (expected --a, --b)"},
		{[]string{"toy", "go-x", "--a=1", "--a=2", "--b=1"}, "toy: --a is given more than once"},
		{[]string{"toy", "go-x", "--a=1"}, "toy: missing --b"},
		{[]string{"toy", "go-x"}, "toy: missing --a, --b"},
		{[]string{"toy", "go-x", "--a=1", "--b=1", "stray"}, `toy: unexpected argument "stray" (parameters are --name=value)`},
		{[]string{"toy", "go-x", "--a", "1", "--b=1"}, `toy: unexpected argument "--a" (parameters are --name=value)`},
		{[]string{"toy", "go-x", "a=1", "--b=1"}, `toy: unexpected argument "a=1" (parameters are --name=value)`},
		{[]string{"--list", "x"}, `--list takes no arguments, got "x"`},
		{[]string{"toy", "go-x", "--a=0", "--b=1"}, "toy: --a=0 is out of range (1..=10)"},
		{[]string{"toy", "go-x", "--a=11", "--b=1"}, "toy: --a=11 is out of range (1..=10)"},
		{[]string{"toy", "go-x", "--a=1", "--b=18446744073709551615"}, "toy: --b=18446744073709551615 is out of range (0..=18446744073709551614)"},
		{[]string{"toy", "go-x", "--a=1", "--b=99999999999999999999999"}, "toy: --b=99999999999999999999999 is out of range (0..=18446744073709551614)"},
	} {
		if got := parseError(t, c.args...); got != c.want {
			t.Errorf("%q:\n got %s\nwant %s", c.args, got, c.want)
		}
	}
	for _, bad := range []string{"", "-1", "+1", "1.0", "1e3", " 1", "0x1", "abc", "1_000"} {
		want := "toy: --a=" + bad + " is not a non-negative integer"
		if got := parseError(t, "toy", "go-x", "--a="+bad, "--b=1"); got != want {
			t.Errorf("%q: got %s, want %s", bad, got, want)
		}
	}
}

func TestArgsGetPanicsOnAParameterTheWorkloadLacks(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("Get of an unknown parameter did not panic")
		}
	}()
	Args{"a": 1}.Get("b")
}

func TestResultLineHasTheProtocolFields(t *testing.T) {
	line := Outcome{Checksum: 1<<64 - 1, Elapsed: 1234 * time.Nanosecond, Ops: 8,
		Metrics: map[string]uint64{"rss_kb": 5}}.JSON()
	want := `{"checksum":"18446744073709551615","elapsed_ns":1234,"ops":8,"metrics":{"rss_kb":5}}`
	if line != want {
		t.Errorf("got %s, want %s", line, want)
	}
	if line := (Outcome{}).JSON(); !strings.HasSuffix(line, `"metrics":{}}`) {
		t.Errorf("no metrics must be {}, got %s", line)
	}
}

func TestListNamesEveryModelInOrder(t *testing.T) {
	var list map[string]any
	if err := json.Unmarshal([]byte(listJSON(toy)), &list); err != nil {
		t.Fatal(err)
	}
	if list["lang"] != "go" || list["runtime"] != runtime.Version() {
		t.Errorf("got %v", list)
	}
	if models, _ := json.Marshal(list["models"]); string(models) != `{"toy":["go-x"]}` {
		t.Errorf("models %s", models)
	}
}

func TestMainExitStatus(t *testing.T) {
	failing := []Workload{{Name: "toy", Models: []Model{
		{ID: "go-fails", Run: func(Args) (Outcome, error) { return Outcome{}, errors.New("boom") }},
		{ID: "go-panics", Run: func(Args) (Outcome, error) { panic("boom") }},
	}}}
	for args, want := range map[string]int{
		"toy go-fails":  1,
		"toy go-panics": 1,
		"toy go-none":   2,
		"--list":        0,
	} {
		if got := quietly(t, func() int { return Main(strings.Fields(args), failing, nil) }); got != want {
			t.Errorf("%s: exit %d, want %d", args, got, want)
		}
	}
}

// quietly runs f with stdout and stderr sent nowhere.
func quietly(t *testing.T, f func() int) int {
	t.Helper()
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer devNull.Close()
	stdout, stderr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = devNull, devNull
	defer func() { os.Stdout, os.Stderr = stdout, stderr }()
	return f()
}

func TestHelperModeNeedsItsRealParent(t *testing.T) {
	argv := []string{helperArg, cpuTaskHelper.Kind, "5"}
	t.Setenv(helperParentEnv, "")
	if _, ok := helperFor(argv, helpers); ok {
		t.Error("helper mode without its parent's pid")
	}
	t.Setenv(helperParentEnv, strconv.Itoa(os.Getppid()))
	if h, ok := helperFor(argv, helpers); !ok || h.Kind != cpuTaskHelper.Kind {
		t.Error("helper mode refused to its real parent")
	}
	if _, ok := helperFor([]string{helperArg, "no-such-kind"}, helpers); ok {
		t.Error("helper mode for an unknown kind")
	}
}

func TestServeLinesAnswersEachLineAtOnce(t *testing.T) {
	var out bytes.Buffer
	err := serveLines(strings.NewReader("a\nbb\n"), &out, func(s string) (string, error) {
		return strconv.Itoa(len(s)), nil
	})
	if err != nil || out.String() != "1\n2\n" {
		t.Errorf("got %q, %v", out.String(), err)
	}
	err = serveLines(strings.NewReader("x\n"), io.Discard, func(string) (string, error) {
		return "", errors.New("bad request")
	})
	if err == nil {
		t.Error("a failing answer must end the loop with its error")
	}
}

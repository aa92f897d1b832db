package main

import (
	"bytes"
	"math/big"
	"strings"
	"testing"
)

// sumOfSquaresBelow is Σ_{i<m} i² mod 2^64 by the closed form (m-1)m(2m-1)/6 in exact
// arithmetic: a reference that shares nothing with the loop under test.
func sumOfSquaresBelow(m uint64) uint64 {
	if m == 0 {
		return 0
	}
	x := new(big.Int).SetUint64(m)
	s := new(big.Int).Mul(new(big.Int).Sub(x, big.NewInt(1)), x)
	s.Mul(s, new(big.Int).Sub(new(big.Int).Lsh(x, 1), big.NewInt(1)))
	s.Quo(s, big.NewInt(6))
	return s.Uint64() // the low 64 bits: wrapping, as the workload's arithmetic
}

func cpuReference(tasks, n uint64) uint64 {
	var sum uint64
	for k := range tasks {
		sum += sumOfSquaresBelow(n + k)
	}
	return sum
}

func TestTaskSumIsTheSumOfSquares(t *testing.T) {
	for _, c := range [][2]uint64{{0, 0}, {1, 0}, {10, 0}, {10, 3}, {100_000, 7}, {3_000_000, 0}} {
		if got, want := taskSum(c[0], c[1]), sumOfSquaresBelow(c[0]+c[1]); got != want {
			t.Errorf("taskSum(%d, %d) = %d, want %d", c[0], c[1], got, want)
		}
	}
}

func TestCPUParallelModels(t *testing.T) {
	for _, p := range []map[string]uint64{
		{"tasks": 3, "n": 1000, "workers": 2},
		{"tasks": 1, "n": 0, "workers": 1},
		{"tasks": 2, "n": 10, "workers": 5}, // more workers than tasks
		{"tasks": 40, "n": 3000, "workers": 3},
	} {
		checkModels(t, "cpu-parallel", p, cpuReference(p["tasks"], p["n"]), p["tasks"])
	}
}

func TestCPUTaskHelperAnswersEachTask(t *testing.T) {
	var out bytes.Buffer
	if err := cpuTaskHelper.Serve([]string{"10"}, strings.NewReader("0\n2\n"), &out); err != nil {
		t.Fatal(err)
	}
	if want := "285\n506\n"; out.String() != want {
		t.Errorf("got %q, want %q", out.String(), want)
	}
	for _, args := range [][]string{nil, {"x"}, {"1", "2"}} {
		if err := cpuTaskHelper.Serve(args, strings.NewReader(""), &out); err == nil {
			t.Errorf("%q: want an error", args)
		}
	}
	if err := cpuTaskHelper.Serve([]string{"1"}, strings.NewReader("-1\n"), &out); err == nil {
		t.Error("a bad task index must be an error")
	}
}

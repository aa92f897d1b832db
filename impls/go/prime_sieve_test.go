package main

import "testing"

// sumOfFirstPrimes finds primes by trial division: a reference with no channels.
func sumOfFirstPrimes(count uint64) uint64 {
	var sum, found uint64
	for candidate := uint64(2); found < count; candidate++ {
		prime := true
		for d := uint64(2); d*d <= candidate; d++ {
			if candidate%d == 0 {
				prime = false
				break
			}
		}
		if prime {
			sum += candidate
			found++
		}
	}
	return sum
}

// TestPrimeSieveModels also checks, through runInProcess, that the generator and every
// filter have ended when a model returns, at every buffer: unbuffered (0), the smallest
// buffer (1), and buffers that let the generator run far ahead of the chain.
func TestPrimeSieveModels(t *testing.T) {
	for _, primes := range []uint64{1, 2, 30, 300} {
		for _, buffer := range []uint64{0, 1, 7, 1000} {
			params := map[string]uint64{"primes": primes, "buffer": buffer}
			checkModels(t, "prime-sieve", params, sumOfFirstPrimes(primes), primes)
		}
	}
}

// TestPrimeSieveRefusesBadBuffers: the range is 0..=10000, and a negative or non-numeric
// buffer is bad input like any other.
func TestPrimeSieveRefusesBadBuffers(t *testing.T) {
	for _, buffer := range []string{"10001", "-1", "x", ""} {
		r := runBinary(t, "prime-sieve", "go-channels", "--primes=3", "--buffer="+buffer)
		expectRefused(t, r, "--buffer="+buffer)
	}
	for _, buffer := range []string{"0", "10000"} {
		if got := runBinaryOK(t, "prime-sieve", "go-channels", "--primes=3", "--buffer="+buffer); got.Checksum != 10 {
			t.Errorf("--buffer=%s: checksum %d, want 10", buffer, got.Checksum)
		}
	}
}

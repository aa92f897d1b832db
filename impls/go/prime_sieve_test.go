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
// filter have ended when a model returns.
func TestPrimeSieveModels(t *testing.T) {
	for _, primes := range []uint64{1, 2, 30, 300} {
		checkModels(t, "prime-sieve", map[string]uint64{"primes": primes}, sumOfFirstPrimes(primes), primes)
	}
}

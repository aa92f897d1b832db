// The plain Go daisy-chain sieve (the Go tour / playground "sieve.go"), as a yardstick for
// concbench's go-channels: one goroutine and one channel per prime, no cancellation (the
// goroutines die with the process). Its only changes: the channels' capacity is an
// argument (the playground's is 0; bench-sieve.sh compares at 0 and at 1), and it prints
// the sum of the first N primes instead of the primes.
//
//	go run sieve.go N CAPACITY
package main

import (
	"fmt"
	"os"
	"strconv"
)

// Send the sequence 2, 3, 4, ... to channel 'ch'.
func Generate(ch chan<- uint64) {
	for i := uint64(2); ; i++ {
		ch <- i // Send 'i' to channel 'ch'.
	}
}

// Copy the values from channel 'in' to channel 'out',
// removing those divisible by 'prime'.
func Filter(in <-chan uint64, out chan<- uint64, prime uint64) {
	for {
		i := <-in // Receive value from 'in'.
		if i%prime != 0 {
			out <- i // Send 'i' to 'out'.
		}
	}
}

// The prime sieve: Daisy-chain Filter processes.
func main() {
	n, err1 := strconv.Atoi(os.Args[1])
	capacity, err2 := strconv.Atoi(os.Args[2])
	if len(os.Args) != 3 || err1 != nil || err2 != nil {
		fmt.Fprintln(os.Stderr, "usage: sieve N CAPACITY")
		os.Exit(2)
	}
	ch := make(chan uint64, capacity) // Create a new channel.
	go Generate(ch)                   // Launch Generate goroutine.
	var sum uint64
	for i := 0; i < n; i++ {
		prime := <-ch
		sum += prime
		ch1 := make(chan uint64, capacity)
		go Filter(ch, ch1, prime)
		ch = ch1
	}
	fmt.Println(sum)
}

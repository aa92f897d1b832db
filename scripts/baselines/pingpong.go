// A plain Go ping-pong, as a yardstick for concbench's ping-pong go-channels: the main
// goroutine and one other hand a counter back and forth over two unbuffered channels,
// each adding 1. Prints the counter (2 x ROUNDS).
//
//	go run pingpong.go ROUNDS
package main

import (
	"fmt"
	"os"
	"strconv"
)

func main() {
	rounds, err := strconv.Atoi(os.Args[1])
	if len(os.Args) != 2 || err != nil {
		fmt.Fprintln(os.Stderr, "usage: pingpong ROUNDS")
		os.Exit(2)
	}
	ping, pong := make(chan uint64), make(chan uint64)
	go func() {
		for n := range ping {
			pong <- n + 1
		}
	}()
	var n uint64
	for i := 0; i < rounds; i++ {
		ping <- n
		n = <-pong + 1
	}
	fmt.Println(n)
}

package main

import "testing"

func TestPingPongModels(t *testing.T) {
	for _, rounds := range []uint64{1, 7, 1000} {
		checkModels(t, "ping-pong", map[string]uint64{"rounds": rounds}, 2*rounds, 2*rounds)
	}
}

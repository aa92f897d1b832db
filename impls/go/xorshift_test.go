package main

import "testing"

func TestXorshiftStepByHand(t *testing.T) {
	// 1 ^ 1<<13 = 8193; 8193 ^ 8193>>7 = 8257; 8257 ^ 8257<<17 = 1082269761.
	if got := xs(1); got != 1082269761 {
		t.Errorf("xs(1) = %d", got)
	}
	if got := xsK(12345, 0); got != 12345 {
		t.Errorf("xsK(x, 0) = %d, want x", got)
	}
}

func TestXorshiftMatchesTheTestVectors(t *testing.T) {
	for _, v := range loadTestVectors(t).Xorshift64 {
		if got, want := xsK(parseU64(t, v.X), v.K), parseU64(t, v.XsK); got != want {
			t.Errorf("xs^%d(%s) = %d, want %d", v.K, v.X, got, want)
		}
	}
}

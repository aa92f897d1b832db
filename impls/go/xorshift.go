package main

// xs is one step of xorshift64 (docs/DESIGN.md, "Workloads"), wrapping mod 2^64.
func xs(x uint64) uint64 {
	x ^= x << 13
	x ^= x >> 7
	x ^= x << 17
	return x
}

// xsK applies xs k times: xsK(x, 0) = x.
func xsK(x, k uint64) uint64 {
	for ; k > 0; k-- {
		x = xs(x)
	}
	return x
}

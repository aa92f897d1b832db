"""Checksums of the safety-kernels workload for suite/test-vectors.json, computed from the
workload's definition (docs/DESIGN.md, "Workloads") without any implementation's code:
xorshift64 by multiplication and floor division instead of shifts, the histogram with a
Counter, the sums in Python's unbounded integers reduced mod 2^64 at the end.

    python3 scripts/safety-kernels-vectors.py     # prints the cases as JSON
"""

import json
from collections import Counter

M = 2**64


def xs(x):
    x ^= (x * 2**13) % M
    x ^= x // 2**7
    x ^= (x * 2**17) % M
    return x


def data(length):
    out, x = [], 1
    for _ in range(length):
        x = xs(x)
        out.append(x)
    return out


def checksum(kernel, length, passes):
    d = data(length)
    if kernel == 1:
        counts = Counter(x // 2**52 for x in d)
        return sum(passes * n * (key + 1) for key, n in counts.items()) % M
    if kernel == 2:
        b = [xs(x) for x in d]
        total = 0
        for r in range(passes):
            for x, y in zip(d, b):
                v = ((x ^ r) * y) % M
                if v < 2**63:
                    total += v
        return total % M
    return sum(x ^ r for r in range(passes) for x in d) % M


SIZES = [(1, 0), (1, 1), (100, 3), (4096, 2), (1000, 300)]

cases = [
    {
        "workload": "safety-kernels",
        "params": {"kernel": k, "len": n, "passes": p},
        "checksum": str(checksum(k, n, p)),
    }
    for k in (1, 2, 3)
    for n, p in SIZES
]
print(json.dumps(cases, indent=1))

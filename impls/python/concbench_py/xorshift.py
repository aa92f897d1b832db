"""Unsigned 64-bit arithmetic for the workloads: the u64 mask and xorshift64
(docs/DESIGN.md, "Workloads").

Python integers do not wrap, so every value that could exceed 64 bits is reduced with
``U64_MASK``; that is exactly the wrapping (mod 2^64) arithmetic of the other languages.
"""

#: 2^64 - 1: ``value & U64_MASK`` is ``value`` mod 2^64.
U64_MASK = 0xFFFF_FFFF_FFFF_FFFF


def xs_k(x: int, k: int) -> int:
    """xorshift64 applied ``k`` times to the u64 ``x`` (``xs^0(x) = x``)."""
    # One loop, not k calls of xs(): worker-pool's spin runs this in the measured part.
    for _ in range(k):
        x ^= (x << 13) & U64_MASK
        x ^= x >> 7
        x ^= (x << 17) & U64_MASK
    return x


def xs(x: int) -> int:
    """One step of xorshift64: ``x ^= x << 13; x ^= x >> 7; x ^= x << 17`` (mod 2^64)."""
    return xs_k(x, 1)

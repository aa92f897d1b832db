"""xorshift64 against suite/test-vectors.json and an independent formulation."""

from __future__ import annotations

import pytest

from concbench_py.xorshift import U64_MASK, xs, xs_k
from support import load_test_vectors, ref_xs_k


@pytest.mark.parametrize("vector", load_test_vectors()["xorshift64"], ids=lambda v: f"xs^{v['k']}({v['x']})")
def test_xorshift_vectors(vector):
    assert xs_k(int(vector["x"]), vector["k"]) == int(vector["xs_k"])


@pytest.mark.parametrize("x", [0, 1, 2, 0xDEADBEEF, 1 << 63, U64_MASK, 0x0123_4567_89AB_CDEF])
def test_xorshift_agrees_with_the_reference_and_stays_u64(x):
    for k in range(0, 40, 7):
        assert xs_k(x, k) == ref_xs_k(x, k)
        assert 0 <= xs_k(x, k) <= U64_MASK
    assert xs(x) == xs_k(x, 1)
    assert xs_k(x, 0) == x

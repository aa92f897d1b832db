"""concbench's Python implementations: every workload of ``suite/workloads/`` under
threads, processes, asyncio and NumPy, behind the protocol of impls/README.md (io-server's as
HTTP servers). One module per workload, mirroring the Go and Rust trees file for file.
Standard library only; NumPy is imported by py-numpy (and ``--list``) alone.
"""

from concbench_py import (
    cpu_parallel,
    io_server,
    mixed_service,
    ping_pong,
    prime_sieve,
    shared_counter,
    spawn_idle,
    worker_pool,
)

#: Every workload this program implements, in the order ``--list`` shows them.
WORKLOADS = (
    cpu_parallel.WORKLOAD,
    worker_pool.WORKLOAD,
    shared_counter.WORKLOAD,
    spawn_idle.WORKLOAD,
    ping_pong.WORKLOAD,
    prime_sieve.WORKLOAD,
    io_server.WORKLOAD,
    mixed_service.WORKLOAD,
)

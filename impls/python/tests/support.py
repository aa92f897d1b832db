"""What the tests share: running the program as the harness does, the suite's own files,
the processes a run leaves behind, and reference answers computed here, independently of
the package's code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Set

#: impls/python: the PYTHONPATH and working directory of every run.
TREE = Path(__file__).resolve().parents[1]
#: The repository root.
REPO = TREE.parents[1]
#: The suite's single source of truth.
SUITE = REPO / "suite"
PROGRAM = "concbench_py"
U64 = 1 << 64

#: Seconds after which a run counts as hung.
TIMEOUT_S = 120


@dataclass
class Run:
    """One finished run of the program."""

    returncode: int
    stdout: str
    stderr: str

    def result(self) -> dict:
        """The protocol's result line, checked for shape; fails the test if the run did not
        succeed."""
        assert self.returncode == 0, f"exit {self.returncode}: {self.stderr}"
        line = self.stdout.strip().splitlines()[-1]
        result = json.loads(line)
        assert set(result) == {"checksum", "elapsed_ns", "ops", "metrics"}, line
        assert isinstance(result["checksum"], str) and result["checksum"].isdigit(), line
        assert 0 <= int(result["checksum"]) < U64, line
        assert isinstance(result["elapsed_ns"], int) and result["elapsed_ns"] >= 0, line
        assert isinstance(result["ops"], int) and result["ops"] >= 0, line
        assert all(isinstance(v, int) for v in result["metrics"].values()), line
        return result

    def assert_usage_error(self) -> str:
        """Checks the protocol's answer to bad input; returns the stderr line."""
        assert self.returncode == 2, (self.returncode, self.stdout, self.stderr)
        assert self.stdout == "", self.stdout
        lines = self.stderr.splitlines()
        assert len(lines) == 1, self.stderr
        assert lines[0].startswith(f"{PROGRAM}: "), lines[0]
        return lines[0]


def environment(extra_path: Sequence[Path] = ()) -> Dict[str, str]:
    """The environment the harness gives the program (PYTHONPATH = impls/python)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([*map(str, extra_path), str(TREE)])
    return env


def run_python(args: Sequence[str], extra_path: Sequence[Path] = (), **popen) -> Run:
    """Runs this interpreter with ``args`` in the harness's environment."""
    done = subprocess.run(
        [sys.executable, *args],
        cwd=TREE,
        env=environment(extra_path),
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        **popen,
    )
    return Run(done.returncode, done.stdout, done.stderr)


def run_program(*args: str, extra_path: Sequence[Path] = ()) -> Run:
    """``python -m concbench_py ARGS``, as the harness runs it."""
    return run_python(["-m", PROGRAM, *args], extra_path)


def under_start_method(start_method: str) -> List[str]:
    """Interpreter arguments that run the program (followed by its own arguments) with
    ``start_method`` as multiprocessing's start method. Python 3.14 made forkserver the
    default on Linux; spawn is the default elsewhere."""
    script = (
        "import multiprocessing, sys\n"
        "multiprocessing.set_start_method(sys.argv[1])\n"
        "from concbench_py import WORKLOADS\n"
        "from concbench_py.protocol import main\n"
        "sys.exit(main(WORKLOADS, sys.argv[2:]))\n"
    )
    return ["-c", script, start_method]


def flags(params: Dict[str, int]) -> List[str]:
    """``{"a": 1}`` -> ``["--a=1"]``."""
    return [f"--{name}={value}" for name, value in params.items()]


def workload_tomls() -> Dict[str, dict]:
    """suite/workloads/*.toml by workload name."""
    tomls = {}
    for path in sorted((SUITE / "workloads").glob("*.toml")):
        with path.open("rb") as file:
            data = tomllib.load(file)
        tomls[data["name"]] = data
    return tomls


def python_models(workload: dict) -> List[str]:
    """The Python model ids of a workload's TOML, in its order."""
    return [m["id"] for m in workload["models"] if m["lang"] == "python"]


def server_params(workload: dict) -> List[dict]:
    """The parameters of a workload's TOML that the program takes: all but the load
    parameters, which belong to the harness's load generator."""
    return [p for p in workload["params"] if not p.get("load", False)]


def load_test_vectors() -> dict:
    """suite/test-vectors.json."""
    return json.loads((SUITE / "test-vectors.json").read_text())


def session_members(session: int) -> Set[int]:
    """The processes of a session (field 6 of /proc/<pid>/stat)."""
    members = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # ended meanwhile
            fields = stat[stat.rindex(")") + 2 :].split()
            if int(fields[3]) == session:
                members.add(int(entry.name))
    return members


def session_left_behind(session: int) -> Set[int]:
    """The processes still in the session of a program that has exited (it was started with
    ``start_new_session=True``, so that its children, even orphaned, can be found)."""
    # Helpers such as the resource tracker end when their pipe from the program closes,
    # which may take a moment after the program's exit.
    deadline = time.monotonic() + 5
    while session_members(session) and time.monotonic() < deadline:
        time.sleep(0.05)
    return session_members(session)


# Reference answers, written independently of the package: other formulas where they
# exist, and the plainest code otherwise.


def ref_xs_k(x: int, k: int) -> int:
    """xorshift64 by multiplication and floor division instead of shifts and masks."""
    for _ in range(k):
        x ^= (x * 2**13) % U64
        x ^= x // 2**7
        x ^= (x * 2**17) % U64
    return x


def ref_checksum(workload: str, params: Dict[str, int]) -> int:
    """The checksum docs/DESIGN.md defines ("Workloads"), for a non-racy model."""
    if workload == "cpu-parallel":
        # Closed form of sum(i*i for i < m): allowed here, not in the implementations.
        sums = ((m - 1) * m * (2 * m - 1) // 6 for m in range(params["n"], params["n"] + params["tasks"]))
        return sum(sums) % U64
    if workload == "worker-pool":
        return sum(2 * ref_xs_k(j, params["spin"]) for j in range(1, params["jobs"] + 1)) % U64
    if workload == "shared-counter":
        return params["units"] * params["increments"]
    if workload == "spawn-idle":
        return params["units"]
    if workload == "ping-pong":
        return 2 * params["rounds"]
    if workload == "prime-sieve":
        primes: List[int] = []
        candidate = 2
        while len(primes) < params["primes"]:
            if all(candidate % p for p in primes if p * p <= candidate):
                primes.append(candidate)
            candidate += 1
        return sum(primes) % U64
    if workload == "mixed-service":
        return sum(ref_xs_k(i, params["cpu"]) for i in range(1, params["requests"] + 1)) % U64
    raise ValueError(workload)


def ref_ops(workload: str, params: Dict[str, int]) -> int:
    """The ops docs/DESIGN.md defines ("Workloads")."""
    return {
        "cpu-parallel": lambda p: p["tasks"],
        "worker-pool": lambda p: p["jobs"],
        "shared-counter": lambda p: p["units"] * p["increments"],
        "spawn-idle": lambda p: p["units"],
        "ping-pong": lambda p: 2 * p["rounds"],
        "prime-sieve": lambda p: p["primes"],
        "mixed-service": lambda p: p["requests"],
    }[workload](params)

"""The command-line protocol every concbench implementation speaks (see
impls/README.md).

``python -m concbench_py <workload> <model> --<param>=<value> ...`` runs one measurement
and prints one JSON line; ``python -m concbench_py --list`` says what is implemented. Bad
input of any kind exits 2 with one line on stderr and nothing on stdout.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import multiprocessing
import os
import platform
import sys
import sysconfig
import time
import traceback
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Awaitable, Callable, Iterable, Mapping, Optional, Sequence, Union

from concbench_py.xorshift import U64_MASK

#: The program name that starts every error line.
PROGRAM = "concbench_py"

#: The validated parameter values of one run, by name, each within its range.
Args = Mapping[str, int]


@dataclass(frozen=True)
class Param:
    """One integer parameter of a workload and the range that every implementation
    enforces (the ``min``/``max`` of ``suite/workloads/<workload>.toml``)."""

    #: Name as given on the command line, without the leading ``--``.
    name: str
    #: Smallest accepted value.
    min: int
    #: Largest accepted value.
    max: int


@dataclass(frozen=True)
class Outcome:
    """What one run measured: the last stdout line of the protocol."""

    #: The workload's checksum (docs/DESIGN.md, "Workloads"), a u64.
    checksum: int
    #: Time of the concurrent part only: from just before the first unit of concurrency is
    #: created until the answer is known.
    elapsed_ns: int
    #: Units of the workload's work done.
    ops: int
    #: Further measured numbers, by name.
    metrics: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # A checksum outside u64 means a mask was forgotten: fail loudly, not print it.
        if not 0 <= self.checksum <= U64_MASK:
            raise ValueError(f"checksum {self.checksum} is not a u64")

    def to_json(self) -> str:
        """The protocol's result line:
        ``{"checksum": "<u64>", "elapsed_ns": .., "ops": .., "metrics": {..}}``."""
        return json.dumps(
            {
                "checksum": str(self.checksum),
                "elapsed_ns": self.elapsed_ns,
                "ops": self.ops,
                "metrics": dict(self.metrics),
            }
        )


@dataclass(frozen=True)
class Model:
    """One concurrency model of a workload."""

    #: The model id of the suite's catalogue, e.g. ``py-processes``.
    id: str
    #: Runs the workload under this model with validated arguments.
    run: Callable[[Args], Outcome]
    #: Modules outside the standard library it imports (impls/python/requirements.txt
    #: pins their packages); ``--list`` names those that cannot be found.
    requires: Sequence[str] = ()


@dataclass(frozen=True)
class Workload:
    """A workload: its parameters and the Python models that implement it."""

    #: The workload name of the suite, e.g. ``cpu-parallel``.
    name: str
    #: Every parameter; each must be given exactly once.
    params: Sequence[Param]
    #: The models, in the order ``--list`` shows them.
    models: Sequence[Model]


class UsageError(Exception):
    """Bad input: its message is the text after ``concbench_py: `` on the one stderr line."""


@dataclass(frozen=True)
class ListRequest:
    """``--list``: print what is implemented."""


@dataclass(frozen=True)
class RunRequest:
    """Run one model of one workload with validated arguments."""

    #: The model to run.
    model: Model
    #: Its validated arguments.
    args: Args


#: What the command line asks for.
Command = Union[ListRequest, RunRequest]


class Stopwatch:
    """The monotonic clock of ``elapsed_ns``: started just before the first unit of
    concurrency is created, read as soon as the answer is known."""

    def __init__(self) -> None:
        self._start = time.perf_counter_ns()

    def elapsed_ns(self) -> int:
        """Nanoseconds since the stopwatch was started."""
        return time.perf_counter_ns() - self._start


def run_async(main: Callable[..., Awaitable[Outcome]], *inputs: Any) -> Outcome:
    """Runs ``main(*inputs, clock)`` on a new event loop. The clock starts before the loop
    is created (the runtime is part of a model's cost); ``main`` reads it once the answer
    is known, before the loop's teardown."""
    clock = Stopwatch()
    return asyncio.run(main(*inputs, clock))


def quoted(text: str) -> str:
    """``text`` in double quotes with escapes, so that an error stays on one line."""
    return json.dumps(text)


def is_decimal(text: str) -> bool:
    """Whether ``text`` is one or more ASCII decimal digits, the only spelling of a number
    that the protocol (and io-server's ``id``) accepts."""
    # isdigit() alone accepts non-ASCII digits such as "²".
    return text.isascii() and text.isdigit()


def decimal_u64(text: str) -> Optional[int]:
    """The u64 that ``text`` spells in ASCII decimal digits, or None if it spells none."""
    # More than 20 digits is beyond u64; int() of a huge string would also hit Python's
    # digit limit.
    if not is_decimal(text) or len(text) > 20:
        return None
    value = int(text)
    return value if value <= U64_MASK else None


def parse(workloads: Sequence[Workload], argv: Sequence[str]) -> Command:
    """Parses and validates the arguments (without the program name) against
    ``workloads``; raises :class:`UsageError` saying which argument is wrong and why."""
    if not argv:
        raise UsageError(
            f"usage: {PROGRAM} <workload> <model> --<param>=<value> ... | {PROGRAM} --list"
        )
    first, rest = argv[0], argv[1:]
    if first == "--list":
        if rest:
            raise UsageError(f"--list takes no arguments, got {quoted(rest[0])}")
        return ListRequest()
    workload = next((w for w in workloads if w.name == first), None)
    if workload is None:
        known = ", ".join(w.name for w in workloads)
        raise UsageError(f"unknown workload {quoted(first)} (known: {known})")

    def fail(what: str) -> UsageError:
        return UsageError(f"{workload.name}: {what}")

    model_ids = ", ".join(m.id for m in workload.models)
    if not rest:
        raise fail(f"missing the model (one of: {model_ids})")
    model = next((m for m in workload.models if m.id == rest[0]), None)
    if model is None:
        raise fail(f"unknown model {quoted(rest[0])} (python models: {model_ids})")

    by_name = {p.name: p for p in workload.params}
    values: dict[str, int] = {}
    for arg in rest[1:]:
        name, equals, text = arg[2:].partition("=")
        if not arg.startswith("--") or not equals:
            raise fail(f"unexpected argument {quoted(arg)} (parameters are --name=value)")
        param = by_name.get(name)
        if param is None:
            expected = ", ".join(f"--{p.name}" for p in workload.params)
            raise fail(f"unknown parameter --{name} (expected {expected})")
        if name in values:
            raise fail(f"--{name} is given more than once")
        if not is_decimal(text):
            raise fail(f"--{arg[2:]} is not a non-negative integer")
        value = decimal_u64(text)
        if value is None or not param.min <= value <= param.max:
            raise fail(f"--{arg[2:]} is out of range ({param.min}..={param.max})")
        values[name] = value
    missing = [f"--{p.name}" for p in workload.params if p.name not in values]
    if missing:
        raise fail(f"missing {', '.join(missing)}")
    return RunRequest(model, MappingProxyType(values))


def optional_numpy():
    """The NumPy module, or None when it cannot be imported. Imported only when asked,
    so that every model but py-numpy runs without it."""
    try:
        import numpy
    except ImportError:
        return None
    return numpy


def runtime() -> str:
    """The interpreter, as ``--list`` reports it: ``cpython3.11.7``, with
    ``-freethreaded`` on a free-threaded build."""
    name = f"{sys.implementation.name}{platform.python_version()}"
    if sysconfig.get_config_var("Py_GIL_DISABLED"):
        name += "-freethreaded"
    return name


def missing_modules(model: Model) -> list[str]:
    """The modules ``model`` requires that this interpreter cannot find."""
    return [name for name in model.requires if importlib.util.find_spec(name) is None]


def list_json(workloads: Iterable[Workload]) -> str:
    """The ``--list`` line: ``{"lang": "python", "runtime": .., "numpy": "<version>" or
    null, "models": {..}, "missing": {"<model>": ["<module>", ..]}}``, where ``missing``
    names the models whose required modules cannot be found."""
    numpy = optional_numpy()
    workloads = list(workloads)
    missing = {
        m.id: absent for w in workloads for m in w.models if (absent := missing_modules(m))
    }
    return json.dumps(
        {
            "lang": "python",
            "runtime": runtime(),
            "numpy": numpy.__version__ if numpy is not None else None,
            "models": {w.name: [m.id for m in w.models] for w in workloads},
            "missing": missing,
        }
    )


def end_processes(processes: Iterable[multiprocessing.process.BaseProcess]) -> None:
    """Makes sure no child process outlives its model: terminates those still running
    (after an error) and waits for every one."""
    for process in processes:
        # A process that was never started has no pid and nothing to end.
        if process.pid is not None:
            if process.is_alive():
                process.terminate()
            process.join()


def check_exit_codes(processes: Iterable[multiprocessing.process.BaseProcess]) -> None:
    """Raises if a joined child process failed: its result cannot be trusted."""
    failed = [p.exitcode for p in processes if p.exitcode != 0]
    if failed:
        raise RuntimeError(f"{len(failed)} worker process(es) failed, exit codes {failed[:5]}")


def main(workloads: Sequence[Workload], argv: Optional[Sequence[str]] = None) -> int:
    """The whole program: parse, run, print. Returns the exit status: 0 done, 2 bad input;
    an internal failure ends the process at once with status 1."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        command = parse(workloads, argv)
        if isinstance(command, ListRequest):
            line = list_json(workloads)
        else:
            line = command.model.run(command.args).to_json()
    except UsageError as error:
        print(f"{PROGRAM}: {error}", file=sys.stderr)
        return 2
    except BaseException as error:  # noqa: BLE001 - any failure must end the process
        # The traceback helps whoever debugs; the last line is what the harness keeps.
        traceback.print_exc()
        what = f"{type(error).__name__}: {error}".replace("\n", " ")
        print(f"{PROGRAM}: internal error: {what}", file=sys.stderr, flush=True)
        # Exit at once: a unit left blocked by the failure must not keep the process alive
        # (threads are joined at interpreter exit). Models end their child processes first.
        os._exit(1)
    print(line, flush=True)
    return 0

"""The protocol of impls/README.md: argument parsing, the one-line errors with
exit status 2, --list, and the ranges of suite/workloads/*.toml."""

from __future__ import annotations

import json
import platform
import re
import sysconfig
import textwrap
from pathlib import Path
from typing import Dict

import pytest

from concbench_py import WORKLOADS
from concbench_py.protocol import (
    ListRequest,
    Outcome,
    Param,
    RunRequest,
    UsageError,
    parse,
    runtime,
)
from support import flags, python_models, run_program, run_python, server_params, workload_tomls

TOMLS = workload_tomls()
BY_NAME = {w.name: w for w in WORKLOADS}


def valid_params(workload) -> Dict[str, int]:
    """Each parameter at its minimum (always accepted)."""
    return {p.name: p.min for p in workload.params}


def error(*argv: str) -> str:
    with pytest.raises(UsageError) as refused:
        parse(WORKLOADS, argv)
    return str(refused.value)


#: The workloads this program must implement; the suite may hold more, not yet done here.
REQUIRED = {
    "cpu-parallel",
    "worker-pool",
    "shared-counter",
    "spawn-idle",
    "ping-pong",
    "prime-sieve",
    "io-server",
}


def test_workloads_are_the_suites():
    assert REQUIRED <= set(BY_NAME) <= set(TOMLS)


@pytest.mark.parametrize("name", sorted(BY_NAME))
def test_models_and_ranges_are_the_suites(name):
    workload, toml = BY_NAME[name], TOMLS[name]
    assert [m.id for m in workload.models] == python_models(toml)
    assert list(workload.params) == [Param(p["name"], p["min"], p["max"]) for p in server_params(toml)]


def test_accepts_every_parameter_once_in_any_order():
    command = parse(WORKLOADS, ["worker-pool", "py-threads", "--spin=7", "--buffer=3", "--jobs=10", "--workers=2"])
    assert isinstance(command, RunRequest)
    assert command.model.id == "py-threads"
    assert dict(command.args) == {"spin": 7, "buffer": 3, "jobs": 10, "workers": 2}
    assert isinstance(parse(WORKLOADS, ["--list"]), ListRequest)


def test_refuses_bad_input_saying_which_and_why():
    assert error().startswith("usage: ")
    assert error("--list", "x") == '--list takes no arguments, got "x"'
    assert error("nope").startswith('unknown workload "nope" (known: cpu-parallel, ')
    assert error("ping-pong") == "ping-pong: missing the model (one of: py-threads, py-processes, py-asyncio)"
    assert error("ping-pong", "go-channels", "--rounds=1") == (
        'ping-pong: unknown model "go-channels" (python models: py-threads, py-processes, py-asyncio)'
    )
    assert error("ping-pong", "py-threads", "--rounds=1", "--spin=1") == (
        "ping-pong: unknown parameter --spin (expected --rounds)"
    )
    assert error("ping-pong", "py-threads", "--rounds=1", "--rounds=2") == "ping-pong: --rounds is given more than once"
    assert error("shared-counter", "py-asyncio", "--units=1") == "shared-counter: missing --increments"
    assert error("shared-counter", "py-asyncio") == "shared-counter: missing --units, --increments"
    assert error("ping-pong", "py-threads", "--rounds=1", "stray") == (
        'ping-pong: unexpected argument "stray" (parameters are --name=value)'
    )
    assert error("ping-pong", "py-threads", "--rounds", "1") == (
        'ping-pong: unexpected argument "--rounds" (parameters are --name=value)'
    )
    assert error("ping-pong", "py-threads", "--list") == (
        'ping-pong: unexpected argument "--list" (parameters are --name=value)'
    )


@pytest.mark.parametrize("bad", ["", "-1", "+1", "1.0", "1e3", " 1", "1 ", "0x1", "abc", "1_000", "²", "١"])
def test_values_are_ascii_decimal_digits(bad):
    assert error("ping-pong", "py-threads", f"--rounds={bad}") == (
        f"ping-pong: --rounds={bad} is not a non-negative integer"
    )


def test_values_beyond_u64_are_out_of_range_without_failing():
    for huge in ["18446744073709551616", "9" * 5000]:
        assert error("ping-pong", "py-threads", f"--rounds={huge}") == (
            f"ping-pong: --rounds={huge} is out of range (1..=1000000000)"
        )


def test_leading_zeros_are_decimal():
    assert dict(parse(WORKLOADS, ["ping-pong", "py-threads", "--rounds=010"]).args) == {"rounds": 10}


@pytest.mark.parametrize(
    "workload, model",
    [(w.name, m.id) for w in WORKLOADS for m in w.models],
)
def test_every_model_refuses_min_minus_1_and_max_plus_1(workload, model):
    params = BY_NAME[workload].params
    for param in params:
        base = {p.name: p.min for p in params}
        assert dict(parse(WORKLOADS, [workload, model, *flags({**base, param.name: param.max})]).args)[param.name] == param.max
        for bad in (param.min - 1, param.max + 1):
            message = error(workload, model, *flags({**base, param.name: bad}))
            why = "not a non-negative integer" if bad < 0 else f"out of range ({param.min}..={param.max})"
            assert message == f"{workload}: --{param.name}={bad} is {why}"


@pytest.mark.parametrize("param", [(w.name, p.name) for w in WORKLOADS for p in w.params], ids=str)
def test_program_exits_2_with_one_stderr_line_out_of_range(param):
    workload = BY_NAME[param[0]]
    spec = next(p for p in workload.params if p.name == param[1])
    model = workload.models[0].id
    for bad in (spec.min - 1, spec.max + 1):
        line = run_program(workload.name, model, *flags({**valid_params(workload), spec.name: bad})).assert_usage_error()
        assert f"--{spec.name}={bad}" in line


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["nope"],
        ["cpu-parallel"],
        ["cpu-parallel", "rust-rayon", "--tasks=1", "--n=1", "--workers=1"],
        ["cpu-parallel", "py-seq", "--tasks=1", "--n=1", "--workers=1", "--extra=1"],
        ["cpu-parallel", "py-seq", "--tasks=1", "--n=1", "--tasks=1", "--workers=1"],
        ["cpu-parallel", "py-seq", "--tasks=1", "--n=1"],
        ["cpu-parallel", "py-seq", "--tasks=1", "--n=x", "--workers=1"],
        ["cpu-parallel", "py-seq", "--tasks=1", "--n=1", "--workers=1", "stray"],
        ["--list", "extra"],
    ],
    ids=lambda argv: " ".join(argv) or "(nothing)",
)
def test_program_exits_2_on_bad_input(argv):
    run_program(*argv).assert_usage_error()


def test_list_says_what_is_implemented():
    listing = json.loads(run_program("--list").stdout.strip().splitlines()[-1])
    assert listing["lang"] == "python"
    assert listing["models"] == {name: python_models(TOMLS[name]) for name in BY_NAME}
    suffix = "-freethreaded" if sysconfig.get_config_var("Py_GIL_DISABLED") else ""
    assert listing["runtime"] == f"cpython{platform.python_version()}{suffix}" == runtime()
    assert re.fullmatch(r"cpython3\.\d+\.\d+\S*", listing["runtime"])
    try:
        import numpy
    except ImportError:
        assert listing["numpy"] is None
    else:
        assert listing["numpy"] == numpy.__version__


def test_without_numpy_list_says_null_and_py_numpy_exits_2(tmp_path: Path):
    # A numpy package that cannot be imported hides any real one.
    (tmp_path / "numpy").mkdir()
    (tmp_path / "numpy" / "__init__.py").write_text("raise ImportError('no NumPy here')\n")
    listing = json.loads(run_program("--list", extra_path=[tmp_path]).stdout)
    assert listing["numpy"] is None
    line = run_program(
        "cpu-parallel", "py-numpy", "--tasks=1", "--n=1", "--workers=1", extra_path=[tmp_path]
    ).assert_usage_error()
    assert "pip install numpy" in line
    # Everything else runs without NumPy.
    run_program("cpu-parallel", "py-threads", "--tasks=2", "--n=10", "--workers=1", extra_path=[tmp_path]).result()


def test_internal_failure_exits_1_with_a_last_line_saying_so():
    script = textwrap.dedent(
        """
        import sys
        from concbench_py.protocol import Model, Param, Workload, main

        def broken(args):
            raise RuntimeError("boom\\nsecond line")

        sys.exit(main([Workload("toy", [Param("a", 0, 1)], [Model("py-x", broken)])], ["toy", "py-x", "--a=1"]))
        """
    )
    run = run_python(["-c", script])
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr.splitlines()[-1] == "concbench_py: internal error: RuntimeError: boom second line"


def test_result_line_format():
    assert Outcome(2**64 - 1, 5, 8, {"rss_kb": 3}).to_json() == (
        '{"checksum": "18446744073709551615", "elapsed_ns": 5, "ops": 8, "metrics": {"rss_kb": 3}}'
    )
    with pytest.raises(ValueError):
        Outcome(2**64, 5, 8)
    with pytest.raises(ValueError):
        Outcome(-1, 5, 8)

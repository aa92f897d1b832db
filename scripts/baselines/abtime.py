"""Whole-process wall time of two or more commands, run alternately in the same minute.

    python3 abtime.py [--rounds N] [--elapsed] LABEL=COMMAND LABEL=COMMAND ...

Each round runs every command once, in turn (the order is reversed every other round, so
that neither side always runs first); one uncounted warm-up round comes first. A command is
split like a shell line (no shell runs it) and timed from just before its start to just
after its exit, with perf_counter_ns. Its answer is the last line of its stdout, or that
line's "checksum" when it is concbench's JSON result line; every command must exit 0 and
give the same answer in every round, or the script exits 1. Prints, for each command, the
median, min and max wall time in ms and the ratio of its median to the first command's.
With --elapsed, every command is a concbench program and its result line's elapsed_ns is
timed instead of the whole process (start-up, a JVM's or an interpreter's, left out).
"""

from __future__ import annotations

import argparse
import json
import shlex
import statistics
import subprocess
import sys
import time


def result(stdout: str) -> tuple[str, int | None]:
    """The answer (the last line, or its "checksum") and the line's elapsed_ns, if any."""
    line = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    try:
        value = json.loads(line)
    except ValueError:
        return line, None
    if isinstance(value, dict) and "checksum" in value:
        return str(value["checksum"]), value.get("elapsed_ns")
    return line, None


def run(argv: list[str], elapsed: bool) -> tuple[int, str]:
    start = time.perf_counter_ns()
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter_ns() - start
    if done.returncode != 0:
        sys.exit(f"abtime: {shlex.join(argv)} exited {done.returncode}: {done.stderr.strip()[-500:]}")
    answer, elapsed_ns = result(done.stdout)
    if elapsed:
        if elapsed_ns is None:
            sys.exit(f"abtime: {shlex.join(argv)} printed no elapsed_ns")
        return elapsed_ns, answer
    return wall, answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7, help="counted rounds (default 7)")
    parser.add_argument("--elapsed", action="store_true", help="time elapsed_ns, not the process")
    parser.add_argument("commands", nargs="+", metavar="LABEL=COMMAND")
    opts = parser.parse_args()
    commands = []
    for spec in opts.commands:
        label, equals, command = spec.partition("=")
        if not equals or not command.strip():
            parser.error(f"{spec!r} is not LABEL=COMMAND")
        commands.append((label, shlex.split(command)))
    walls: dict[str, list[int]] = {label: [] for label, _ in commands}
    answers: dict[str, set[str]] = {label: set() for label, _ in commands}
    for round_ in range(opts.rounds + 1):
        order = commands if round_ % 2 == 0 else commands[::-1]
        for label, argv in order:
            wall, value = run(argv, opts.elapsed)
            answers[label].add(value)
            if round_ > 0:  # round 0 is the warm-up
                walls[label].append(wall)
    every = set().union(*answers.values())
    base = statistics.median(walls[commands[0][0]])
    what = "elapsed_ns of the result line" if opts.elapsed else "whole-process wall time"
    print(f"{opts.rounds} rounds, alternating, {what} (ms); ratio = median / {commands[0][0]}'s")
    for label, _ in commands:
        ms = [w / 1e6 for w in walls[label]]
        print(
            f"  {label:<28} median {statistics.median(ms):9.2f}  min {min(ms):9.2f}  max {max(ms):9.2f}"
            f"  ratio {statistics.median(walls[label]) / base:5.2f}  answer {'/'.join(sorted(answers[label]))}"
        )
    if len(every) != 1:
        sys.exit(f"abtime: the answers differ: {sorted(every)}")
    print(f"  every answer is {every.pop()}")


if __name__ == "__main__":
    main()

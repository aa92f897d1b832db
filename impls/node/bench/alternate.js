// Runs two or more concbench-node commands alternately (A B A B ..., the order reversed every
// other round, one uncounted warm-up round first) and prints, for each, the median, min and
// max of its elapsed_ns and its whole-process wall time, and the ratio of its median elapsed
// to the first command's. A benchmark, not a test.
//
//   node bench/alternate.js [--rounds N] [--foreign-max PCT] [--wait-idle PCT] LABEL="ARGS" ...
//
// ARGS are the program's arguments, e.g. seq="cpu-parallel node-seq --tasks=8 --n=3000000
// --workers=2". Every run must exit 0 and every command give the same checksum in every round.
//
// On a machine shared with other work, --foreign-max also reports the medians over the
// rounds in which no run saw other processes take more than PCT% of the machine's CPUs
// (/proc/stat's busy time during the run, less the run's own CPU time from /usr/bin/time),
// after all rounds' medians: parallel speedups need the CPUs they run on. --wait-idle makes
// each round wait (up to a minute) until the CPUs were at least PCT% idle for a second.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const TREE = dirname(dirname(fileURLToPath(import.meta.url)));
/** USER_HZ: /proc/stat counts in hundredths of a second. */
const TICKS_PER_S = 100;

const argv = process.argv.slice(2);
const option = (name, fallback) => {
  const at = argv.indexOf(name);
  if (at < 0) return fallback;
  const [, value] = argv.splice(at, 2);
  return Number(value);
};
const rounds = option("--rounds", 7);
const foreignMax = option("--foreign-max", null);
const waitIdle = option("--wait-idle", null);
const commands = argv.map((spec) => {
  const equals = spec.indexOf("=");
  if (equals < 1) throw new Error(`${spec} is not LABEL=ARGS`);
  return { label: spec.slice(0, equals), args: spec.slice(equals + 1).split(/\s+/), runs: [], checksums: new Set() };
});

/** The machine's busy CPU time so far, in seconds (all CPUs, idle and iowait excluded). */
function busySeconds() {
  const [, ...ticks] = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = ticks;
  return (user + nice + system + irq + softirq + steal) / TICKS_PER_S;
}

function run(command) {
  const busy = busySeconds();
  const start = process.hrtime.bigint();
  const done = spawnSync("/usr/bin/time", ["-f", "%U %S", process.execPath, "main.js", ...command.args], {
    cwd: TREE,
    encoding: "utf8",
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  if (done.status !== 0) throw new Error(`${command.label} exited ${done.status}: ${done.stderr}`);
  const [user, system] = done.stderr.trim().split("\n").pop().split(" ").map(Number);
  const foreign = Math.max(0, busySeconds() - busy - user - system) / (wall * availableParallelism());
  const result = JSON.parse(done.stdout.trim().split("\n").pop());
  return { wall, elapsed: result.elapsed_ns / 1e6, checksum: result.checksum, foreign };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Waits (up to a minute) until the machine's CPUs were at least `pct`% idle for a second. */
function awaitIdle(pct) {
  const deadline = Date.now() + 60_000;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (Date.now() < deadline) {
    const busy = busySeconds();
    Atomics.wait(sleeper, 0, 0, 1000);
    const idle = 1 - (busySeconds() - busy) / availableParallelism();
    if (idle * 100 >= pct) return;
  }
}

for (let round = 0; round <= rounds; round++) {
  if (waitIdle !== null) awaitIdle(waitIdle);
  const order = round % 2 === 0 ? commands : [...commands].reverse();
  for (const command of order) {
    const r = run(command);
    command.checksums.add(r.checksum);
    if (round > 0) command.runs[round - 1] = r;
  }
}

function report(title, keep) {
  console.log(title);
  const first = median(commands[0].runs.filter((_, i) => keep(i)).map((r) => r.elapsed));
  for (const c of commands) {
    const runs = c.runs.filter((_, i) => keep(i));
    const elapsed = runs.map((r) => r.elapsed);
    const m = median(elapsed);
    console.log(
      `  ${c.label}: elapsed median ${m.toFixed(1)} ms (min ${Math.min(...elapsed).toFixed(1)},` +
        ` max ${Math.max(...elapsed).toFixed(1)}), wall median ${(median(runs.map((r) => r.wall)) * 1000).toFixed(1)} ms,` +
        ` ${(m / first).toFixed(3)} × ${commands[0].label} (speedup ${(first / m).toFixed(2)})`,
    );
  }
}

for (const c of commands) {
  if (c.checksums.size !== 1) throw new Error(`${c.label} gave checksums ${[...c.checksums]}`);
  const pct = (x) => (x * 100).toFixed(0);
  console.log(`${c.label}, in run order: ` + c.runs.map((r) => `${r.elapsed.toFixed(0)} ms (others ${pct(r.foreign)}%)`).join(", "));
}
report(`all ${rounds} rounds:`, () => true);
if (foreignMax !== null) {
  const quiet = (i) => commands.every((c) => c.runs[i].foreign * 100 <= foreignMax);
  const kept = Array.from({ length: rounds }, (_, i) => i).filter(quiet).length;
  if (kept > 0) report(`the ${kept} rounds in which other processes took at most ${foreignMax}% of the CPUs:`, quiet);
  else console.log(`no round in which other processes took at most ${foreignMax}% of the CPUs`);
}

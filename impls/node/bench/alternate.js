// Runs two or more concbench-node commands alternately (A B A B ..., the order reversed every
// other round, one uncounted warm-up round first) and prints, for each, the median, min and
// max of its elapsed_ns and of its whole-process wall time, and the ratio of its median
// elapsed to the first command's. A benchmark, not a test.
//
//   node bench/alternate.js [--rounds N] LABEL="ARGS" LABEL="ARGS" ...
//
// ARGS are the program's arguments, e.g. seq="cpu-parallel node-seq --tasks=8 --n=3000000
// --workers=2". Every run must exit 0 and every command give the same checksum in every round.

import { spawnSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const TREE = dirname(dirname(fileURLToPath(import.meta.url)));

const argv = process.argv.slice(2);
let rounds = 7;
if (argv[0] === "--rounds") {
  rounds = Number(argv[1]);
  argv.splice(0, 2);
}
const commands = argv.map((spec) => {
  const equals = spec.indexOf("=");
  if (equals < 1) throw new Error(`${spec} is not LABEL=ARGS`);
  return { label: spec.slice(0, equals), args: spec.slice(equals + 1).split(/\s+/), elapsed: [], wall: [], checksums: new Set() };
});

function run(command) {
  const start = process.hrtime.bigint();
  const done = spawnSync(process.execPath, ["main.js", ...command.args], { cwd: TREE, encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - start);
  if (done.status !== 0) throw new Error(`${command.label} exited ${done.status}: ${done.stderr}`);
  const result = JSON.parse(done.stdout.trim().split("\n").pop());
  return { wall, elapsed: result.elapsed_ns, checksum: result.checksum };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const ms = (ns) => (ns / 1e6).toFixed(1);

for (let round = 0; round <= rounds; round++) {
  const order = round % 2 === 0 ? commands : [...commands].reverse();
  for (const command of order) {
    const { wall, elapsed, checksum } = run(command);
    command.checksums.add(checksum);
    if (round > 0) {
      command.wall.push(wall);
      command.elapsed.push(elapsed);
    }
  }
}
const first = median(commands[0].elapsed);
for (const c of commands) {
  if (c.checksums.size !== 1) throw new Error(`${c.label} gave checksums ${[...c.checksums]}`);
  console.log(
    `${c.label}: elapsed median ${ms(median(c.elapsed))} ms (min ${ms(Math.min(...c.elapsed))}, max ${ms(Math.max(...c.elapsed))}),` +
      ` wall median ${ms(median(c.wall))} ms, ${(median(c.elapsed) / first).toFixed(3)} × ${commands[0].label}` +
      ` (${first / median(c.elapsed) >= 1 ? "speedup" : "slowdown"} ${(first / median(c.elapsed)).toFixed(2)})`,
  );
}

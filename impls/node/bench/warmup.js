// JIT warm-up, measured in one process: the CPU time of each of the first calls of the same
// work, from the first (interpreted, then compiled while it runs) to the warmed-up ones. Each
// case runs in a fresh process, as every concbench run does. A benchmark, not a test.
//
//   node bench/warmup.js [CALLS]
//
// Cases: cpu-parallel's task (taskSum: blocks of 65,536 steps) at n = 3M and 30M; the same
// loop entered once for all 30M steps (one block), which V8 can only run in on-stack-
// replacement code; io-server's CPU part at the quick suite's cpu (xs^500000).

import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";

import { squaresBetween, taskSum } from "../cpu_parallel.js";
import { xsK } from "../xorshift.js";

const CASES = {
  "taskSum n=3M": () => taskSum(3_000_000, 0),
  "taskSum n=30M": () => taskSum(30_000_000, 0),
  "the same loop, one call of 30M steps": () => squaresBetween(0, 30_000_000, Infinity),
  "xsK 500,000 steps": () => xsK(1n, 500_000),
};

function cpuMs(work) {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

const [name, calls] = [process.argv[2], Number(process.argv[3] ?? 8)];
if (CASES[name]) {
  console.log(JSON.stringify(Array.from({ length: calls }, () => cpuMs(CASES[name]))));
} else {
  const callCount = Number(process.argv[2] ?? 8);
  for (const caseName of Object.keys(CASES)) {
    const times = JSON.parse(
      execFileSync(process.execPath, [fileURLToPath(import.meta.url), caseName, String(callCount)], {
        encoding: "utf8",
      }),
    );
    const later = [...times.slice(2)].sort((a, b) => a - b)[(times.length - 2) >> 1];
    console.log(
      `${caseName}: CPU ms per call ${times.map((t) => t.toFixed(1)).join(", ")};` +
        ` first ${(times[0] / later).toFixed(2)}× the median of calls 3-${times.length}`,
    );
  }
}

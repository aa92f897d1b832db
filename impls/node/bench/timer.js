// What io-server's wait really is: the time an awaited timers/promises setTimeout takes,
// measured with process.hrtime, one at a time and 100 at once, for delay_us / 1000 ms as
// asked and for the whole milliseconds (rounded up) that io_server.js waits. A benchmark,
// not a test.
//
//   node bench/timer.js [WAITS]

import { setTimeout as sleep } from "node:timers/promises";

const waits = Number(process.argv[2] ?? 2000);

function summary(label, us) {
  us.sort((a, b) => a - b);
  const at = (q) => us[Math.min(us.length - 1, Math.floor(q * us.length))].toFixed(0);
  const mean = us.reduce((a, b) => a + b, 0) / us.length;
  console.log(
    `${label}: mean ${mean.toFixed(0)} µs, min ${at(0)}, p10 ${at(0.1)}, median ${at(0.5)},` +
      ` p90 ${at(0.9)}, p99 ${at(0.99)}, max ${at(1)} (${us.length} waits)`,
  );
}

async function timed(ms, out) {
  const start = process.hrtime.bigint();
  await sleep(ms);
  out.push(Number(process.hrtime.bigint() - start) / 1000);
}

for (const [delayUs, ms] of [
  [500, 0.5],
  [1000, 1],
  [1500, 1.5],
  [1500, 2],
  [2000, 2],
  [10_000, 10],
]) {
  const alone = [];
  for (let i = 0; i < waits; i++) await timed(ms, alone);
  summary(`delay_us=${delayUs} as setTimeout(${ms}), one at a time`, alone);
  const together = [];
  const loop = async () => {
    for (let i = 0; i < waits / 100; i++) await timed(ms, together);
  };
  await Promise.all(Array.from({ length: 100 }, loop));
  summary(`delay_us=${delayUs} as setTimeout(${ms}), 100 at once`, together);
}

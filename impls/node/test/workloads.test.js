// Every workload under every model at small sizes, against reference answers computed
// independently (support.js) and against suite/test-vectors.json.

import assert from "node:assert/strict";
import { test } from "node:test";

import { squaresBetween, taskSum } from "../cpu_parallel.js";
import { addPlain } from "../shared_counter.js";
import { Pool, intendedNs, percentileUs, sleepUntil } from "../mixed_service.js";
import { produceAndCollect } from "../worker_pool.js";
import { xsK } from "../xorshift.js";
import {
  flags,
  refChecksum,
  refOps,
  refXsK,
  result,
  runProgram,
  runProgramAsync,
  testVectors,
} from "./support.js";

const MODELS = JSON.parse(runProgram(["--list"]).stdout).models;
const VECTORS = testVectors();

/** Small parameters per workload (a pool size of 2 or 3, so that units really share work). */
const SMALL = {
  "cpu-parallel": [
    { tasks: 3, n: 1000, workers: 2 },
    { tasks: 5, n: 70_000, workers: 3 },
  ],
  "worker-pool": [
    { jobs: 1000, workers: 3, buffer: 5, spin: 5 },
    { jobs: 50, workers: 2, buffer: 1, spin: 0 },
    { jobs: 3, workers: 4, buffer: 100, spin: 1 },
  ],
  "shared-counter": [
    { units: 4, increments: 1000 },
    { units: 3, increments: 20_000 },
    { units: 1, increments: 0 },
  ],
  "spawn-idle": [{ units: 0 }, { units: 1 }, { units: 1000 }],
  "ping-pong": [{ rounds: 1 }, { rounds: 1000 }],
  "prime-sieve": [
    { primes: 1, buffer: 0 },
    { primes: 10, buffer: 1 },
    { primes: 200, buffer: 0 },
    { primes: 300, buffer: 7 },
  ],
  "mixed-service": [
    { rate: 5000, requests: 40, delay_us: 300, cpu: 200, workers: 2 },
    { rate: 100_000, requests: 1, delay_us: 0, cpu: 0, workers: 1 },
  ],
};

/** Sizes of the models whose units are worker threads, each a V8 isolate of some MB. */
const SMALL_THREADS = {
  "spawn-idle": [{ units: 0 }, { units: 1 }, { units: 5 }],
};

/** The small parameters of a workload under a model. */
function small(workload, model) {
  return (model === "node-workers" && SMALL_THREADS[workload]) || SMALL[workload];
}

/** Models whose checksum may be short by design: checked by their own tests below. */
const RACY = new Set(["node-racy"]);

/** Runs one model and checks its checksum and ops against the reference. */
async function check(workload, model, params) {
  const value = result(await runProgramAsync([workload, model, ...flags(params)]));
  const what = `${workload} ${model} ${JSON.stringify(params)}`;
  assert.equal(value.checksum, refChecksum(workload, params).toString(), what);
  assert.equal(value.ops, refOps(workload, params), what);
  return value;
}

for (const workload of Object.keys(SMALL)) {
  for (const model of MODELS[workload].filter((m) => !RACY.has(m))) {
    test(`${workload} ${model} gives the reference answers`, async () => {
      for (const params of small(workload, model)) await check(workload, model, params);
    });
  }
}

test("the test vectors' cases give their checksums under every model", async () => {
  for (const { workload, params, checksum } of VECTORS.cases) {
    if (!Object.hasOwn(SMALL, workload)) continue;
    // Skip the cases too big for a unit test (8 × 10^7 loop steps; 10^5 messages each way).
    if (workload === "cpu-parallel" && params.n > 1_000_000) continue;
    if (workload === "worker-pool" && params.jobs > 10_000) continue;
    if (workload === "prime-sieve" && params.primes > 1000) continue; // the deep test has 4,000
    for (const model of MODELS[workload].filter((m) => !RACY.has(m))) {
      if (model === "node-workers" && workload === "spawn-idle" && params.units > 10) continue;
      const full = { ...small(workload, model)[0], ...params };
      const value = result(await runProgramAsync([workload, model, ...flags(full)]));
      assert.equal(value.checksum, checksum, `${workload} ${model} ${JSON.stringify(params)}`);
    }
  }
});

test("xorshift64 gives the test vectors and the reference", () => {
  for (const { x, k, xs_k: expected } of VECTORS.xorshift64) {
    assert.equal(xsK(BigInt(x), k).toString(), expected);
  }
  for (const x of [0n, 1n, 0xffffffffn, 1n << 32n, (1n << 64n) - 1n, 0x8000000080000000n]) {
    for (const k of [0, 1, 2, 7, 100]) assert.equal(xsK(x, k), refXsK(x, k), `${x} ${k}`);
  }
});

test("a task's sum of squares wraps at 2^64 and crosses i = 2^32 right", () => {
  const U64 = 1n << 64n;
  // The closed form, in BigInt: the sum of i*i for i < m.
  const below = (m) => (m === 0n ? 0n : ((m - 1n) * m * (2n * m - 1n)) / 6n);
  const between = (from, to) => (below(BigInt(to)) - below(BigInt(from))) % U64;
  for (const m of [0, 1, 2, 3, 65_535, 65_536, 65_537, 200_003]) {
    assert.equal(taskSum(m, 0), between(0, m), `m = ${m}`);
  }
  assert.equal(taskSum(1000, 7), between(0, 1007));
  assert.equal(taskSum(4_000_000, 0), between(0, 4_000_000)); // the sum passes 2^64
  // Where the low half of i wraps into the high one, and far above.
  for (const from of [2 ** 32 - 70_000, 2 ** 33 - 5, 10_000_000_000 - 100_000]) {
    assert.equal(squaresBetween(from, from + 140_000), between(from, from + 140_000), `${from}`);
  }
});

test("worker-pool's threads and processes get at most buffer + workers jobs at a time", async () => {
  for (const [workers, buffer] of [[3, 1], [2, 10], [4, 100]]) {
    const jobs = 500;
    let out = 0;
    let most = 0;
    const sent = [];
    const links = Array.from({ length: workers }, () => {
      const link = {
        send(job) {
          sent.push(job);
          out++;
          most = Math.max(most, out);
          // Each fake worker answers later, in a macrotask, with the job itself.
          setImmediate(() => {
            out--;
            link.listener(BigInt(job));
          });
        },
        on(listener) {
          link.listener = listener;
        },
      };
      return link;
    });
    const sum = await produceAndCollect({ jobs, buffer }, links);
    assert.equal(sum, BigInt((jobs * (jobs + 1)) / 2));
    assert.deepEqual(sent, Array.from({ length: jobs }, (_, i) => i + 1), "each job once, in order");
    assert.equal(most, Math.min(jobs, buffer + workers), `workers ${workers}, buffer ${buffer}`);
  }
});

test("node-racy loses updates in at least one of five tries, and never adds any", async () => {
  const params = { units: 4, increments: 2_000_000 };
  const counts = [];
  for (let i = 0; i < 5 && !counts.some((c) => c < 8_000_000n); i++) {
    const value = result(await runProgramAsync(["shared-counter", "node-racy", ...flags(params)]));
    assert.equal(value.ops, 8_000_000);
    counts.push(BigInt(value.checksum));
  }
  for (const count of counts) assert.ok(count > 0n && count <= 8_000_000n, `${count}`);
  assert.ok(counts.some((c) => c < 8_000_000n), `nothing lost in ${counts.join(", ")}`);
});

test("node-racy's and node-seq's increment does every increment (10x take 3x the time)", () => {
  const counter = new BigUint64Array(1);
  const cpuMs = (increments) => {
    const start = process.cpuUsage();
    addPlain(counter, increments);
    const used = process.cpuUsage(start);
    return (used.user + used.system) / 1000;
  };
  for (let i = 0; i < 5; i++) cpuMs(1_000_000); // warm-up: optimised code from here on
  const best = (increments) => Math.min(...Array.from({ length: 5 }, () => cpuMs(increments)));
  const small = best(2_000_000);
  const large = best(20_000_000);
  assert.ok(large >= 3 * small, `2M: ${small} ms, 20M: ${large} ms`);
  assert.equal(counter[0], BigInt(5 * 1_000_000 + 5 * 2_000_000 + 5 * 20_000_000));
});

test("spawn-idle reports the memory and spawn time it measured while every unit was alive", async () => {
  for (const model of MODELS["spawn-idle"]) {
    const units = model === "node-workers" ? 4 : 100_000;
    const value = result(await runProgramAsync(["spawn-idle", model, `--units=${units}`]));
    const idle = result(await runProgramAsync(["spawn-idle", model, "--units=0"]));
    assert.deepEqual(Object.keys(value.metrics).sort(), ["rss_kb", "spawn_ns"]);
    assert.ok(value.metrics.spawn_ns > 0 && value.metrics.spawn_ns <= value.elapsed_ns);
    // Each unit holds something: 100,000 async functions more than 10 MB, a thread more
    // than 1 MB (measured: ~400 bytes and ~7 MB).
    const perUnitKb = (value.metrics.rss_kb - idle.metrics.rss_kb) / units;
    assert.ok(perUnitKb > (model === "node-workers" ? 1024 : 0.1), `${model}: ${perUnitKb} kB`);
  }
});

test("node-async-generators' chain runs deeper than the main thread's stack holds", async () => {
  // 4,000 stages threw RangeError on the main thread's stack (prime_sieve.js).
  await check("prime-sieve", "node-async-generators", { primes: 4000, buffer: 0 });
});

test("mixed-service's latency counts the wait and the queue, under every model", async () => {
  // 20 requests at 10,000/s all arrive within 2 ms; with one worker (node-async has one loop
  // anyway) each CPU part of 2·10^6 xorshift steps (>= 2 ms) waits for those before it, so
  // the last answer comes at least 30 ms after its arrival, and none before the 1 ms wait.
  const params = { rate: 10_000, requests: 20, delay_us: 1000, cpu: 2_000_000, workers: 1 };
  for (const model of MODELS["mixed-service"]) {
    const { metrics: m } = await check("mixed-service", model, params);
    const what = `${model}: ${JSON.stringify(m)}`;
    assert.deepEqual(Object.keys(m), ["rps", "p50_us", "p90_us", "p99_us", "p999_us", "max_us"]);
    assert.ok(m.p50_us >= 1000, `an answer came before the upstream wait: ${what}`);
    assert.ok(
      m.p50_us <= m.p90_us && m.p90_us <= m.p99_us && m.p99_us <= m.p999_us && m.p999_us <= m.max_us,
      `percentiles out of order: ${what}`,
    );
    assert.ok(m.max_us >= 30_000, `the queue is missing from the latency: ${what}`);
    assert.ok(m.rps < 1000, `the schedule should last until the last answer: ${what}`);
  }
});

test("mixed-service: nearest-rank percentiles, arrivals at the rate, waits never short", async () => {
  const ms = Float64Array.from({ length: 1000 }, (_, i) => (i + 1) * 1e6);
  assert.equal(percentileUs(ms, 500), 500_000);
  assert.equal(percentileUs(ms, 999), 999_000);
  assert.equal(percentileUs([1000, 2000, 3000], 500), 2);
  assert.equal(percentileUs([1000, 2000, 3000], 990), 3);
  assert.equal(intendedNs(7, 301, 300) - 7, 1e9);
  assert.equal(intendedNs(0, 2, 3), 333_333_333);
  // A timer counts whole ms from the loop's clock; sleepUntil re-arms it until the deadline.
  for (const us of [300, 1000, 1500]) {
    const start = process.hrtime.bigint();
    await sleepUntil(Number(start) + us * 1000);
    assert.ok(process.hrtime.bigint() - start >= BigInt(us * 1000), `${us} µs`);
  }
});

test("mixed-service's pool gives each thread one part at a time, oldest first", async () => {
  const sent = [];
  const links = Array.from({ length: 2 }, (_, w) => {
    const link = {
      busy: false,
      send(i) {
        assert.ok(!link.busy, `thread ${w} got a second part`);
        link.busy = true;
        sent.push(i);
        setImmediate(() => {
          link.busy = false;
          link.listener(BigInt(i) * 10n);
        });
      },
      on(listener) {
        link.listener = listener;
      },
    };
    return link;
  });
  const pool = new Pool(links);
  const answers = Promise.all([1, 2, 3, 4, 5].map((i) => pool.compute(i)));
  for (const link of links) link.listener("ready");
  await pool.ready;
  assert.deepEqual(await answers, [10n, 20n, 30n, 40n, 50n]);
  assert.deepEqual(sent, [1, 2, 3, 4, 5]);
});

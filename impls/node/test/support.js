// What the tests share: running the program as the harness does, the suite's own files,
// the processes a run leaves behind, and reference answers computed here, independently of
// the program's code.

import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** impls/node: the working directory of every run. */
export const TREE = dirname(dirname(fileURLToPath(import.meta.url)));
/** The suite's single source of truth. */
export const SUITE = join(TREE, "..", "..", "suite");
export const PROGRAM = "concbench-node";
const U64 = 1n << 64n;

/** Milliseconds after which a run counts as hung. */
const TIMEOUT_MS = 120_000;

/** `{a: 1}` -> `["--a=1"]`. */
export function flags(params) {
  return Object.entries(params).map(([name, value]) => `--${name}=${value}`);
}

/** `node main.js ARGS` as the harness runs it: {status, stdout, stderr}. */
export function runProgram(args, nodeOptions = []) {
  const done = spawnSync(process.execPath, [...nodeOptions, "main.js", ...args], {
    cwd: TREE,
    encoding: "utf8",
    timeout: TIMEOUT_MS,
  });
  if (done.error) throw done.error;
  return { status: done.status, stdout: done.stdout, stderr: done.stderr };
}

/** The same, without blocking the test runner's event loop (for runs that take a while). */
export function runProgramAsync(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["main.js", ...args], { cwd: TREE });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => (stdout += chunk));
    child.stderr.on("data", (chunk) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (status) => resolve({ status, stdout, stderr }));
  });
}

/** The protocol's result line of a successful run, checked for shape. */
export function result(run) {
  assert.equal(run.status, 0, `exit ${run.status}: ${run.stderr}`);
  const lines = run.stdout.trim().split("\n");
  const line = lines[lines.length - 1];
  const value = JSON.parse(line);
  assert.deepEqual(Object.keys(value).sort(), ["checksum", "elapsed_ns", "metrics", "ops"], line);
  assert.match(value.checksum, /^[0-9]+$/, line);
  assert.ok(BigInt(value.checksum) < U64, line);
  assert.ok(Number.isSafeInteger(value.elapsed_ns) && value.elapsed_ns >= 0, line);
  assert.ok(Number.isSafeInteger(value.ops) && value.ops >= 0, line);
  for (const metric of Object.values(value.metrics)) assert.ok(Number.isSafeInteger(metric), line);
  return value;
}

/** Checks the protocol's answer to bad input; returns the one stderr line. */
export function usageError(run) {
  assert.equal(run.status, 2, JSON.stringify(run));
  assert.equal(run.stdout, "");
  const lines = run.stderr.split("\n").filter((l) => l !== "");
  assert.equal(lines.length, 1, run.stderr);
  assert.ok(run.stderr.endsWith("\n"));
  assert.ok(lines[0].startsWith(`${PROGRAM}: `), lines[0]);
  return lines[0];
}

/**
 * suite/workloads/*.toml by workload name, read by a reader of just what those files use
 * (Node has no TOML parser and the project takes no dependency): the top-level `name`, and
 * each `[[params]]` table's name, min, max and load. Models and suites are not read: the
 * Node models are not in the suite's files yet.
 */
export function workloadTomls() {
  const tomls = {};
  const dir = join(SUITE, "workloads");
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".toml")).sort()) {
    let name;
    const params = [];
    let table = null;
    for (const raw of readFileSync(join(dir, file), "utf8").split("\n")) {
      const line = raw.replace(/#.*$/, "").trim();
      if (line.startsWith("[")) {
        table = line === "[[params]]" ? {} : null;
        if (table) params.push(table);
        continue;
      }
      const pair = /^(\w+)\s*=\s*(.+)$/.exec(line);
      if (!pair) continue;
      const [, key, value] = pair;
      if (table === null && key === "name" && name === undefined) name = JSON.parse(value);
      else if (table && key === "name") table.name = JSON.parse(value);
      else if (table && (key === "min" || key === "max")) table[key] = Number(value.replaceAll("_", ""));
      else if (table && key === "load") table.load = value === "true";
    }
    tomls[name] = { name, params };
  }
  return tomls;
}

/** The parameters of a workload's TOML that the program takes (all but io-server's load). */
export function serverParams(toml) {
  return toml.params.filter((p) => !p.load).map(({ name, min, max }) => ({ name, min, max }));
}

/** suite/test-vectors.json. */
export function testVectors() {
  return JSON.parse(readFileSync(join(SUITE, "test-vectors.json"), "utf8"));
}

// Reference answers, written independently of the program: other formulas where they exist,
// and the plainest BigInt code otherwise.

/** xorshift64 by multiplication and division instead of shifts. */
export function refXsK(x, k) {
  let v = BigInt(x);
  for (let i = 0; i < k; i++) {
    v ^= (v * 2n ** 13n) % U64;
    v ^= v / 2n ** 7n;
    v ^= (v * 2n ** 17n) % U64;
  }
  return v;
}

/** The checksum docs/DESIGN.md defines ("Workloads"), for a model that loses nothing. */
export function refChecksum(workload, p) {
  switch (workload) {
    case "cpu-parallel": {
      // Closed form of Σ i*i for i < m: allowed here, not in the implementations.
      let sum = 0n;
      for (let k = 0; k < p.tasks; k++) {
        const m = BigInt(p.n + k);
        sum += m === 0n ? 0n : ((m - 1n) * m * (2n * m - 1n)) / 6n;
      }
      return sum % U64;
    }
    case "worker-pool": {
      let sum = 0n;
      for (let j = 1; j <= p.jobs; j++) sum += 2n * refXsK(j, p.spin);
      return sum % U64;
    }
    case "shared-counter":
      return BigInt(p.units) * BigInt(p.increments);
    case "spawn-idle":
      return BigInt(p.units);
    case "ping-pong":
      return 2n * BigInt(p.rounds);
    case "prime-sieve": {
      const primes = [];
      for (let c = 2; primes.length < p.primes; c++) {
        if (primes.every((q) => q * q > c || c % q !== 0)) primes.push(c);
      }
      return primes.reduce((a, q) => a + BigInt(q), 0n) % U64;
    }
    case "mixed-service": {
      let sum = 0n;
      for (let i = 1; i <= p.requests; i++) sum += refXsK(i, p.cpu);
      return sum % U64;
    }
    default:
      throw new Error(`no reference for ${workload}`);
  }
}

/** The ops docs/DESIGN.md defines ("Workloads"). */
export function refOps(workload, p) {
  return {
    "cpu-parallel": () => p.tasks,
    "worker-pool": () => p.jobs,
    "shared-counter": () => p.units * p.increments,
    "spawn-idle": () => p.units,
    "ping-pong": () => 2 * p.rounds,
    "prime-sieve": () => p.primes,
    "mixed-service": () => p.requests,
  }[workload]();
}

/** The processes of a session (field 6 of /proc/<pid>/stat). */
export function sessionMembers(session) {
  const members = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // ended meanwhile
    }
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[3]) === session) members.push(Number(entry));
  }
  return members;
}

/** The processes still in the session of a program that has exited (started detached, so
 * in a session of its own), after up to five seconds for them to go. */
export async function sessionLeftBehind(session) {
  const deadline = Date.now() + 5000;
  while (sessionMembers(session).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return sessionMembers(session);
}

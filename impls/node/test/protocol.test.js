// The protocol of impls/README.md: argument parsing, the one-line errors with exit status 2,
// --list, the ranges of suite/workloads/*.toml, and the refusal of an old Node.js.

import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";

import { UsageError, parse, resultLine } from "../protocol.js";
import { TREE, flags, runProgram, serverParams, usageError, workloadTomls } from "./support.js";

/** The workloads this program must implement; the suite may hold more, not yet done here. */
const REQUIRED = [
  "cpu-parallel",
  "worker-pool",
  "shared-counter",
  "spawn-idle",
  "ping-pong",
  "prime-sieve",
  "io-server",
];

const listed = JSON.parse(runProgram(["--list"]).stdout);
/** The program's workloads, imported from the module each workload name names. */
const WORKLOADS = await Promise.all(
  Object.keys(listed.models).map(
    async (name) => (await import(`../${name.replaceAll("-", "_")}.js`)).WORKLOAD,
  ),
);
const TOMLS = workloadTomls();

function error(...argv) {
  try {
    parse(WORKLOADS, argv);
  } catch (e) {
    assert.ok(e instanceof UsageError, e);
    return e.message;
  }
  assert.fail(`accepted ${argv.join(" ")}`);
}

test("--list names the language, the runtime and every model, on one line", () => {
  const run = runProgram(["--list"]);
  assert.equal(run.status, 0);
  assert.equal(run.stderr, "");
  assert.equal(run.stdout.split("\n").length, 2, "one line");
  assert.deepEqual(Object.keys(listed), ["lang", "runtime", "models"]);
  assert.equal(listed.lang, "node");
  assert.equal(listed.runtime, `node${process.versions.node}`);
  for (const w of WORKLOADS) assert.deepEqual(listed.models[w.name], w.models.map((m) => m.id));
  for (const ids of Object.values(listed.models)) {
    for (const id of ids) assert.match(id, /^node-[a-z-]+$/);
  }
});

test("the workloads are the suite's, with its parameters and ranges", () => {
  for (const name of REQUIRED) assert.ok(Object.hasOwn(listed.models, name), name);
  for (const w of WORKLOADS) {
    assert.ok(TOMLS[w.name], `${w.name} is in suite/workloads`);
    assert.deepEqual(w.params, serverParams(TOMLS[w.name]), w.name);
  }
});

test("every parameter is accepted once, in any order, at its min and max", () => {
  for (const w of WORKLOADS) {
    for (const bound of ["min", "max"]) {
      const values = Object.fromEntries(w.params.map((p) => [p.name, p[bound]]));
      const command = parse(WORKLOADS, [w.name, w.models[0].id, ...flags(values).reverse()]);
      assert.deepEqual(command.args, values);
      assert.equal(command.model, w.models[0]);
    }
  }
  assert.deepEqual(parse(WORKLOADS, ["--list"]), { list: true });
});

test("min - 1 and max + 1 of every parameter of every model are refused", () => {
  for (const w of WORKLOADS) {
    const valid = Object.fromEntries(w.params.map((p) => [p.name, p.min]));
    for (const model of w.models) {
      for (const p of w.params) {
        const range = `(${p.min}..=${p.max})`;
        for (const bad of [p.min - 1, p.max + 1].filter((v) => v >= 0)) {
          const argv = [w.name, model.id, ...flags({ ...valid, [p.name]: bad })];
          assert.equal(error(...argv), `${w.name}: --${p.name}=${bad} is out of range ${range}`);
        }
      }
    }
  }
});

test("bad input is refused saying which argument and why", () => {
  const w = WORKLOADS.find((x) => x.name === "cpu-parallel");
  const ids = w.models.map((m) => m.id).join(", ");
  const known = WORKLOADS.map((x) => x.name).join(", ");
  assert.match(error(), /^usage: concbench-node <workload> <model> /);
  assert.equal(error("--list", "x"), '--list takes no arguments, got "x"');
  assert.equal(error("nope"), `unknown workload "nope" (known: ${known})`);
  assert.equal(error("cpu-parallel"), `cpu-parallel: missing the model (one of: ${ids})`);
  assert.equal(
    error("cpu-parallel", "go-seq", "--tasks=1"),
    `cpu-parallel: unknown model "go-seq" (node models: ${ids})`,
  );
  const ok = ["cpu-parallel", "node-seq"];
  assert.equal(
    error(...ok, "tasks=1"),
    'cpu-parallel: unexpected argument "tasks=1" (parameters are --name=value)',
  );
  assert.equal(
    error(...ok, "--tasks"),
    'cpu-parallel: unexpected argument "--tasks" (parameters are --name=value)',
  );
  assert.equal(
    error(...ok, "--x=1"),
    "cpu-parallel: unknown parameter --x (expected --tasks, --n, --workers)",
  );
  assert.equal(
    error(...ok, "--tasks=1", "--tasks=2"),
    "cpu-parallel: --tasks is given more than once",
  );
  for (const text of ["", "-1", "+1", "1.0", "0x10", "1e3", " 1", "١"]) {
    assert.equal(
      error(...ok, `--tasks=${text}`),
      `cpu-parallel: --tasks=${text} is not a non-negative integer`,
    );
  }
  // Past u64 is simply out of range, as in the other languages.
  assert.equal(
    error(...ok, "--n=99999999999999999999999"),
    "cpu-parallel: --n=99999999999999999999999 is out of range (0..=10000000000)",
  );
  assert.equal(error(...ok, "--n=1"), "cpu-parallel: missing --tasks, --workers");
});

test("bad input exits 2 with one stderr line and nothing on stdout", () => {
  for (const argv of [
    [],
    ["--list", "x"],
    ["nope"],
    ["cpu-parallel", "node-seq"],
    ["cpu-parallel", "node-seq", "--tasks=0", "--n=1", "--workers=1"],
    ["cpu-parallel", "node-workers", "--tasks=1", "--n=1", "--workers=1025"],
    ["__unit", "cpu_parallel", "serve", "{}"], // a unit's hidden argument, typed by hand
  ]) {
    usageError(runProgram(argv));
  }
});

test("an older Node.js is refused with one line, exit 2", () => {
  // A preload that makes this Node.js say it is 18.
  const old = join(TREE, "test", "fixtures", "node18.cjs");
  const run = runProgram(["--list"], ["--require", old]);
  assert.equal(
    usageError(run),
    `concbench-node: needs Node.js 20 or newer, this is ${process.version}`,
  );
});

test("the result line has the protocol's shape and refuses a checksum beyond u64", () => {
  const line = resultLine({ checksum: (1n << 64n) - 1n, elapsedNs: 5, ops: 2, metrics: { a: 1 } });
  assert.equal(
    line,
    '{"checksum":"18446744073709551615","elapsed_ns":5,"ops":2,"metrics":{"a":1}}',
  );
  assert.equal(
    resultLine({ checksum: 0n, elapsedNs: 0, ops: 0 }),
    '{"checksum":"0","elapsed_ns":0,"ops":0,"metrics":{}}',
  );
  assert.throws(() => resultLine({ checksum: 1n << 64n, elapsedNs: 0, ops: 0 }), /not a u64/);
  assert.throws(() => resultLine({ checksum: -1n, elapsedNs: 0, ops: 0 }), /not a u64/);
  assert.throws(() => resultLine({ checksum: 1n, elapsedNs: 0.5, ops: 0 }), /elapsedNs/);
});

// The command-line protocol every concbench implementation speaks (see impls/README.md):
// `node main.js <workload> <model> --<param>=<value> ...` runs one measurement and prints
// one JSON line; `node main.js --list` says what is implemented. Bad input of any kind exits
// 2 with one line on stderr and nothing on stdout.
//
// It also starts the units of the worker-thread and process models ("Units" below): both
// start main.js again, which hands them here (serveUnit) instead of parsing a command line.

import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

/** The name that starts every error line. */
export const PROGRAM = "concbench-node";

/** The file every unit starts from: main.js, which checks the version and comes back here. */
const MAIN_URL = new URL("./main.js", import.meta.url);

/**
 * The hidden first argument of a child process started by Units.process
 * (`node main.js __unit <module> <unit> <data>`). No workload has this name: --list never
 * shows it, and it works only in a process whose parent set UNIT_PARENT_ENV to its own pid,
 * so typing it by hand is just an unknown workload.
 */
const UNIT_ARG = "__unit";
const UNIT_PARENT_ENV = "CONCBENCH_NODE_UNIT_PARENT";

/** Bad input: its message is the text after "concbench-node: " on the one stderr line. */
export class UsageError extends Error {}

/**
 * One integer parameter of a workload and the range every implementation enforces (the
 * min/max of suite/workloads/<workload>.toml). Every maximum is at most 10^10, far below
 * 2^53, so a validated value is an exact JS number.
 * @typedef {{name: string, min: number, max: number}} Param
 */

/**
 * One concurrency model: `run(args)` returns the Outcome (or a promise of it).
 * @typedef {{id: string, run: (args: Record<string, number>) => Outcome | Promise<Outcome>}} Model
 */

/**
 * A workload: its parameters, its Node.js models in --list order, and the units its worker
 * threads and child processes run, by name (see Units).
 * @typedef {{name: string, params: Param[], models: Model[], units?: Record<string, Function>}} Workload
 */

/**
 * What one run measured: the last stdout line of the protocol.
 * @typedef {{checksum: bigint, elapsedNs: number, ops: number, metrics?: Record<string, number>}} Outcome
 */

/**
 * The protocol's result line:
 * {"checksum": "<u64>", "elapsed_ns": .., "ops": .., "metrics": {..}}.
 * @param {Outcome} outcome
 */
export function resultLine(outcome) {
  const { checksum, elapsedNs, ops, metrics = {} } = outcome;
  // A checksum outside u64 means a wrap was forgotten: fail loudly rather than print it.
  if (typeof checksum !== "bigint" || BigInt.asUintN(64, checksum) !== checksum) {
    throw new Error(`checksum ${checksum} is not a u64`);
  }
  for (const [name, value] of Object.entries({ elapsedNs, ops, ...metrics })) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new Error(`${name} = ${value} is not a non-negative integer`);
    }
  }
  return JSON.stringify({ checksum: checksum.toString(), elapsed_ns: elapsedNs, ops, metrics });
}

/**
 * The monotonic clock of elapsed_ns (process.hrtime.bigint, in nanoseconds): started just
 * before the first unit of concurrency is created, read as soon as the answer is known.
 */
export class Stopwatch {
  constructor() {
    this.start = process.hrtime.bigint();
  }

  /** Nanoseconds since the stopwatch was started. */
  elapsedNs() {
    return Number(process.hrtime.bigint() - this.start);
  }
}

/** `text` in double quotes with escapes, so that an error stays on one line. */
function quoted(text) {
  return JSON.stringify(text);
}

/**
 * Parses and validates the arguments (without the program name) against `workloads`:
 * `{list: true}` or `{workload, model, args}`; throws UsageError saying which argument is
 * wrong and why.
 * @param {Workload[]} workloads
 * @param {string[]} argv
 */
export function parse(workloads, argv) {
  if (argv.length === 0) {
    throw new UsageError(
      `usage: ${PROGRAM} <workload> <model> --<param>=<value> ... | ${PROGRAM} --list`,
    );
  }
  const [first, ...rest] = argv;
  if (first === "--list") {
    if (rest.length > 0) throw new UsageError(`--list takes no arguments, got ${quoted(rest[0])}`);
    return { list: true };
  }
  const workload = workloads.find((w) => w.name === first);
  if (workload === undefined) {
    const known = workloads.map((w) => w.name).join(", ");
    throw new UsageError(`unknown workload ${quoted(first)} (known: ${known})`);
  }
  const fail = (what) => new UsageError(`${workload.name}: ${what}`);

  const modelIds = workload.models.map((m) => m.id).join(", ");
  if (rest.length === 0) throw fail(`missing the model (one of: ${modelIds})`);
  const model = workload.models.find((m) => m.id === rest[0]);
  if (model === undefined) throw fail(`unknown model ${quoted(rest[0])} (node models: ${modelIds})`);

  const args = {};
  for (const arg of rest.slice(1)) {
    const equals = arg.indexOf("=");
    if (!arg.startsWith("--") || equals < 0) {
      throw fail(`unexpected argument ${quoted(arg)} (parameters are --name=value)`);
    }
    const name = arg.slice(2, equals);
    const text = arg.slice(equals + 1);
    const param = workload.params.find((p) => p.name === name);
    if (param === undefined) {
      const expected = workload.params.map((p) => `--${p.name}`).join(", ");
      throw fail(`unknown parameter --${name} (expected ${expected})`);
    }
    if (Object.hasOwn(args, name)) throw fail(`--${name} is given more than once`);
    if (!/^[0-9]+$/.test(text)) throw fail(`--${name}=${text} is not a non-negative integer`);
    // Compared as BigInt: digits beyond any u64 are simply above every maximum.
    const value = BigInt(text);
    if (value < BigInt(param.min) || value > BigInt(param.max)) {
      throw fail(`--${name}=${text} is out of range (${param.min}..=${param.max})`);
    }
    args[name] = Number(value);
  }
  const missing = workload.params.filter((p) => !Object.hasOwn(args, p.name));
  if (missing.length > 0) throw fail(`missing ${missing.map((p) => `--${p.name}`).join(", ")}`);
  return { workload, model, args };
}

/** The runtime as --list reports it: `node20.20.2`. */
export function runtime() {
  return `node${process.versions.node}`;
}

/**
 * The --list line: {"lang": "node", "runtime": "node20.x.y", "models": {..}}.
 * @param {Workload[]} workloads
 */
export function listLine(workloads) {
  const models = Object.fromEntries(workloads.map((w) => [w.name, w.models.map((m) => m.id)]));
  return JSON.stringify({ lang: "node", runtime: runtime(), models });
}

/** Loads the workload modules named in main.js, in its order. */
async function loadWorkloads(moduleNames) {
  const modules = await Promise.all(
    moduleNames.map((name) => import(new URL(`./${name}.js`, import.meta.url))),
  );
  return modules.map((m) => m.WORKLOAD);
}

/** Writes one line to stdout. A pipe or file is written synchronously on Linux, so the line
 * is out before any process.exit that follows. */
export function printLine(line) {
  process.stdout.write(`${line}\n`);
}

/** One line on stderr for an internal failure (after its stack, for whoever debugs): the
 * harness keeps the last line. */
function internalError(error) {
  if (error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
  const what = String(error instanceof Error ? error.message : error).replace(/\n/g, " ");
  process.stderr.write(`${PROGRAM}: internal error: ${what}\n`);
}

/**
 * The whole program, given the workload module names: a unit of a worker-thread or process
 * model, or parse, run, print. Exits 0 when done, 1 on an internal failure, 2 on bad input;
 * the exit is explicit, so nothing a model left behind (a parked chain, a timer) keeps the
 * process alive.
 * @param {string[]} moduleNames
 */
export async function main(moduleNames) {
  if (!isMainThread || process.argv[2] === UNIT_ARG) {
    await serveUnit(moduleNames);
    return;
  }
  let line;
  try {
    const workloads = await loadWorkloads(moduleNames);
    const command = parse(workloads, process.argv.slice(2));
    line = command.list ? listLine(workloads) : resultLine(await command.model.run(command.args));
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${PROGRAM}: ${error.message}\n`);
      process.exit(2);
    }
    internalError(error);
    process.exit(1);
  }
  printLine(line);
  process.exit(0);
}

// Units: the worker threads and child processes of a model.
//
// A unit is a function `async (data, link)` exported in a workload's `units`, run in a
// worker thread (Units.worker) or a child process (Units.process) that starts main.js, which
// imports only protocol.js and that one workload's module. `link` talks to the parent:
// link.send(message), link.on(listener). A worker-thread unit ends when its function returns
// (its port is closed after every message it sent has been delivered); a process unit runs
// until its parent disconnects it (Units.disconnect), since a child that disconnected itself
// could drop messages still queued in its pipe.

/** Messages between a parent and one unit: a worker thread's port or a child's IPC pipe. */
class Link {
  /** @param {{postMessage?: Function, send?: Function, on: Function}} endpoint */
  constructor(endpoint) {
    this.endpoint = endpoint;
    // A child's pipe takes only an object (or string, number, boolean) at the top, so each
    // message travels there in an array of one: a BigInt alone would be refused.
    this.boxed = !endpoint.postMessage;
    this.send = this.boxed
      ? (message) => endpoint.send([message])
      : (message) => endpoint.postMessage(message);
  }

  /** Calls `listener(message)` for every message from the other side. */
  on(listener) {
    this.endpoint.on("message", this.boxed ? (box) => listener(box[0]) : listener);
  }

  /**
   * Sends a request and returns a promise of the next message from the other side: the
   * answer, for a unit that answers each request with one message, in order.
   */
  ask(message) {
    if (this.waiting === undefined) {
      this.waiting = [];
      this.on((answer) => this.waiting.shift()(answer));
    }
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.send(message);
    });
  }
}

/** Runs the unit this thread or process was started for (see Units). */
async function serveUnit(moduleNames) {
  let spec;
  let link;
  if (!isMainThread) {
    spec = workerData;
    link = new Link(parentPort);
  } else {
    // Refused unless started by Units.process: then it is just an unknown workload.
    if (process.env[UNIT_PARENT_ENV] !== String(process.ppid) || !process.send) {
      process.stderr.write(`${PROGRAM}: unknown workload ${quoted(UNIT_ARG)}\n`);
      process.exit(2);
    }
    const [module, unit, data] = process.argv.slice(3);
    spec = { module, unit, data: JSON.parse(data) };
    link = new Link(process);
  }
  try {
    if (!moduleNames.includes(spec.module)) throw new Error(`no workload module ${spec.module}`);
    const { WORKLOAD } = await import(new URL(`./${spec.module}.js`, import.meta.url));
    const unit = WORKLOAD.units?.[spec.unit];
    if (unit === undefined) throw new Error(`${WORKLOAD.name} has no unit ${spec.unit}`);
    await unit(spec.data, link);
  } catch (error) {
    internalError(error);
    process.exit(1);
  }
  // A thread's port is closed after the messages already posted (Node delivers them); a
  // process waits for its parent to disconnect it.
  if (!isMainThread) parentPort.close();
}

/**
 * The units a model starts, watched: `failed` rejects at the first unit that fails (an
 * error, or an exit other than 0), so that a model never waits forever for an answer that
 * will not come; `ended()` waits until every unit has exited.
 */
export class Units {
  /** @param {string} module the workload's module name (e.g. "cpu_parallel") */
  constructor(module) {
    this.module = module;
    this.exits = [];
    this.children = [];
    this.failed = new Promise((_, reject) => {
      this.fail = reject;
    });
    this.failed.catch(() => {}); // observed only by the models that race it
  }

  /**
   * Starts a worker thread running `unit(data, link)`; returns the parent's Link to it.
   * @param {string} unit
   * @param {unknown} data structured-cloneable (a SharedArrayBuffer is shared, not copied)
   * @param {{transferList?: Transferable[], resourceLimits?: object}} [options] the Worker's
   *   own: what `data` hands over (a MessagePort), a bigger stack
   */
  worker(unit, data, options = {}) {
    const workerData = { module: this.module, unit, data };
    const worker = new Worker(MAIN_URL, { ...options, workerData });
    this.watch(worker, `worker thread ${unit}`);
    return new Link(worker);
  }

  /**
   * Starts a child process (fork) running `unit(data, link)`, talking over its IPC pipe
   * with the structured-clone serialisation (so that BigInts pass); returns the parent's
   * Link to it. `data` is sent as JSON on its command line.
   * @param {string} unit
   * @param {unknown} data
   */
  process(unit, data) {
    const child = fork(
      fileURLToPath(MAIN_URL),
      [UNIT_ARG, this.module, unit, JSON.stringify(data)],
      {
        env: { ...process.env, [UNIT_PARENT_ENV]: String(process.pid) },
        // stdout is the result line's: a unit never writes there.
        stdio: ["ignore", "ignore", "inherit", "ipc"],
        serialization: "advanced",
      },
    );
    this.children.push(child);
    this.watch(child, `child process ${unit}`);
    return new Link(child);
  }

  /** Disconnects every child process: each unit ends when its pipe closes. */
  disconnect() {
    for (const child of this.children) if (child.connected) child.disconnect();
  }

  /** Waits until every unit has exited (after disconnect(), for process units). */
  async ended() {
    await Promise.all(this.exits);
  }

  /** Ends every child process still running (after a failure) and waits for them. */
  async kill() {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
    await Promise.allSettled(this.exits);
  }

  watch(unit, what) {
    unit.on("error", (error) => this.fail(new Error(`${what}: ${error.message}`)));
    this.exits.push(
      new Promise((resolve) => {
        unit.on("exit", (code, signal) => {
          if (code !== 0) this.fail(new Error(`${what} exited with ${signal ?? `status ${code}`}`));
          resolve();
        });
      }),
    );
  }
}

/**
 * Runs `work(units)` with a new Units of `module`, failing as soon as a unit fails; after a
 * failure, every child process still running is killed, so that none outlives the model.
 * @template T
 * @param {string} module
 * @param {(units: Units) => Promise<T>} work
 * @returns {Promise<T>}
 */
export async function withUnits(module, work) {
  const units = new Units(module);
  try {
    return await Promise.race([work(units), units.failed]);
  } catch (error) {
    await units.kill();
    throw error;
  }
}

// concbench-node: runs one concbench workload under one Node.js concurrency model and prints
// one JSON line (the protocol of impls/README.md):
//
//   node main.js <workload> <model> --<param>=<value> ...
//   node main.js --list
//
// Worker threads and child processes of the models start from this file too (protocol.js,
// "units"), and so do the cluster's workers of io-server.
//
// Thin on purpose: it checks the Node.js version before anything else is loaded (the other
// files use syntax and APIs an old Node.js may not have), then hands over to protocol.js.

const PROGRAM = "concbench-node";
const OLDEST_MAJOR = 20;

// The workloads, in the order --list shows them: each is a module of this directory.
const WORKLOADS = [
  "cpu_parallel",
  "worker_pool",
  "shared_counter",
  "spawn_idle",
  "ping_pong",
  "prime_sieve",
  "io_server",
  "mixed_service",
];

const major = Number(process.versions.node.split(".")[0]);
if (!(major >= OLDEST_MAJOR)) {
  process.stderr.write(
    `${PROGRAM}: needs Node.js ${OLDEST_MAJOR} or newer, this is ${process.version}\n`,
  );
  process.exit(2);
}

// Dynamic, so that the check above runs before any of them is parsed.
import("./protocol.js").then((protocol) => protocol.main(WORKLOADS));

// N concurrent tasks in Node.js, the way Piotr Kołaczkowski's "How much memory do you need to
// run 1 million concurrent tasks?" measures them: each task a promise that a 10-second timer
// resolves, all awaited together with Promise.all; peak memory is read from outside
// (/usr/bin/time -v). A plain version written for concbench, to compare spawn-idle's
// node-async with on the same machine in the same minute (impls/README.md, "Node.js").
//
//   /usr/bin/time -v node scripts/baselines/million_tasks.js 1000000

import { setTimeout as sleep } from "node:timers/promises";

const count = Number(process.argv[2] ?? 100_000);
const tasks = [];
for (let i = 0; i < count; i++) tasks.push(sleep(10_000));
await Promise.all(tasks);
console.log(count);

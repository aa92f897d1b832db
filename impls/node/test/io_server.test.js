// io-server: every server model started as the harness starts it, spoken to over raw TCP
// sockets (keep-alive requests on several connections, refusals, Connection: close), then
// stopped with SIGTERM; plus its routing.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { connect } from "node:net";
import { test } from "node:test";

import { route } from "../io_server.js";
import { TREE, flags, refXsK, runProgram, sessionLeftBehind } from "./support.js";

const MODELS = JSON.parse(runProgram(["--list"]).stdout).models["io-server"];
/** Milliseconds a server may take to say it listens (a cluster starts processes). */
const START_TIMEOUT_MS = 30_000;
/** Milliseconds a server may take to exit after SIGTERM (the contract says about one second). */
const STOP_WITHIN_MS = 1500;

/** One keep-alive connection that sends a request and reads its whole response. */
class Client {
  static open(port) {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: "127.0.0.1", port }, () => resolve(new Client(socket)));
      socket.once("error", reject);
    });
  }

  constructor(socket) {
    this.socket = socket;
    this.buffer = Buffer.alloc(0);
    this.ended = false;
    this.wake = () => {};
    socket.on("data", (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this.wake();
    });
    socket.on("end", () => {
      this.ended = true;
      this.wake();
    });
  }

  /** Waits until `ready()` says the buffer holds what is needed, or the server closed. */
  async until(ready) {
    while (!ready() && !this.ended) await new Promise((resolve) => (this.wake = resolve));
  }

  /** One request and its response: {status, headers (lower-case names), body}. */
  async get(target, headers = [], method = "GET") {
    const lines = [`${method} ${target} HTTP/1.1`, "Host: 127.0.0.1", ...headers, "", ""];
    this.socket.write(lines.join("\r\n"));
    await this.until(() => this.buffer.includes("\r\n\r\n"));
    const end = this.buffer.indexOf("\r\n\r\n");
    const [statusLine, ...fields] = this.buffer.subarray(0, end).toString("latin1").split("\r\n");
    const parsed = {};
    for (const field of fields) {
      const colon = field.indexOf(":");
      parsed[field.slice(0, colon).toLowerCase()] = field.slice(colon + 1).trim();
    }
    const length = Number(parsed["content-length"]);
    await this.until(() => this.buffer.length >= end + 4 + length);
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString("latin1");
    this.buffer = this.buffer.subarray(end + 4 + length);
    assert.match(statusLine, /^HTTP\/1\.1 [0-9]{3} /);
    return { status: Number(statusLine.split(" ")[1]), headers: parsed, body };
  }

  /** Whether the server closed the connection, having sent nothing more. */
  async closedByServer() {
    await this.until(() => false);
    return this.buffer.length === 0;
  }

  close() {
    this.socket.destroy();
  }
}

/** A server model running as the harness runs it, in a session of its own (detached), so
 * that its children, even orphaned, can be found. */
class Server {
  static start(model, params) {
    const server = new Server(model, params);
    return server.listening;
  }

  constructor(model, { delay_us: delayUs = 0, cpu = 0, workers = 2, alloc = 4096 }) {
    this.process = spawn(
      process.execPath,
      ["main.js", "io-server", model, ...flags({ delay_us: delayUs, cpu, workers, alloc })],
      { cwd: TREE, detached: true, stdio: ["ignore", "pipe", "pipe"] },
    );
    this.stdout = "";
    this.stderr = "";
    this.process.stderr.on("data", (chunk) => (this.stderr += chunk));
    this.exit = new Promise((resolve) => this.process.on("exit", (code) => resolve(code)));
    this.closed = new Promise((resolve) => this.process.on("close", resolve));
    this.listening = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no listening line")), START_TIMEOUT_MS);
      this.process.stdout.on("data", (chunk) => {
        this.stdout += chunk;
        const lines = this.stdout.split("\n");
        if (lines.length > 1 && this.port === undefined) {
          clearTimeout(timer);
          const [host, port] = JSON.parse(lines[0]).listening.split(":");
          assert.equal(host, "127.0.0.1");
          this.port = Number(port);
          resolve(this);
        }
      });
      this.process.on("exit", (code) => reject(new Error(`exited ${code}: ${this.stderr}`)));
    });
  }

  connect() {
    return Client.open(this.port);
  }

  /** Sends SIGTERM; returns the result line and the milliseconds the server took to exit.
   * Checks that it exited 0, quietly, and left no process behind. */
  async stop() {
    const sent = Date.now();
    this.process.kill("SIGTERM");
    const code = await this.exit;
    const took = Date.now() - sent;
    await this.closed;
    assert.equal(code, 0, this.stderr);
    assert.equal(this.stderr, "");
    assert.deepEqual(await sessionLeftBehind(this.process.pid), []);
    const lines = this.stdout.trim().split("\n");
    assert.equal(lines.length, 2, this.stdout);
    return { result: JSON.parse(lines[1]), took };
  }

  /** Ends a server that a failed test left running, with its process group. */
  kill() {
    try {
      process.kill(-this.process.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }
}

/** Starts a server for the test and makes sure it is gone afterwards. */
async function started(t, model, params) {
  const server = await Server.start(model, params);
  t.after(() => server.kill());
  return server;
}

test("route: GET /work?id=I, else 404, 405 or 400", () => {
  assert.deepEqual(route("GET", "/work?id=7"), { status: 200, id: 7n });
  assert.deepEqual(route("GET", "/work?x=1&id=18446744073709551615"), {
    status: 200,
    id: 18446744073709551615n,
  });
  assert.deepEqual(route("GET", "/work?id=1&id=2"), { status: 200, id: 1n });
  assert.deepEqual(route("GET", "/other?id=1"), { status: 404 });
  assert.deepEqual(route("GET", "/work/?id=1"), { status: 404 });
  assert.deepEqual(route("POST", "/work?id=1"), { status: 405 });
  assert.deepEqual(route("POST", "/other"), { status: 404 });
  for (const target of ["/work", "/work?", "/work?id=", "/work?id=-1", "/work?id=1.5",
    "/work?id=%31", "/work?id=18446744073709551616", "/work?ID=1", "/work?id=１"]) {
    assert.deepEqual(route("GET", target), { status: 400 }, target);
  }
});

for (const model of MODELS) {
  test(`${model} answers keep-alive requests, refuses others, and stops on SIGTERM`, async (t) => {
    const cpu = 1000;
    const server = await started(t, model, { delay_us: 2000, cpu, workers: 2 });
    const clients = await Promise.all([1, 2, 3].map(() => server.connect()));
    let answered = 0;
    for (let round = 0; round < 3; round++) {
      const responses = await Promise.all(
        clients.map((client, i) => client.get(`/work?id=${round * 10 + i}`)),
      );
      responses.forEach(({ status, headers, body }, i) => {
        assert.equal(status, 200);
        assert.equal(headers["content-type"], "text/plain");
        assert.equal(body, refXsK(round * 10 + i, cpu).toString());
      });
      answered += responses.length;
    }
    const [client] = clients;
    for (const [target, method, status] of [
      ["/nope", "GET", 404],
      ["/work?id=1", "POST", 405],
      ["/work?id=bad", "GET", 400],
      ["/work", "GET", 400],
    ]) {
      assert.equal((await client.get(target, [], method)).status, status, `${method} ${target}`);
    }
    // Still the same connection after the refusals: keep-alive.
    assert.equal((await client.get("/work?id=18446744073709551615")).body,
      refXsK(18446744073709551615n, cpu).toString());
    answered += 1;
    // Connection: close is honoured.
    const closing = clients[1];
    const last = await closing.get("/work?id=3", ["Connection: close"]);
    assert.equal(last.status, 200);
    assert.equal(last.headers.connection, "close");
    assert.ok(await closing.closedByServer());
    answered += 1;
    const { result, took } = await server.stop();
    assert.equal(result.checksum, String(answered));
    assert.equal(result.ops, answered);
    assert.deepEqual(result.metrics, {});
    assert.ok(result.elapsed_ns > 0);
    assert.ok(took < STOP_WITHIN_MS, `took ${took} ms to exit`);
    assert.ok(await clients[2].closedByServer(), "an idle keep-alive connection is dropped");
  });

  test(`${model} waits delay_us before answering, without holding the loop`, async (t) => {
    const server = await started(t, model, { delay_us: 200_000, cpu: 0, workers: 1 });
    const clients = await Promise.all([1, 2, 3, 4].map(() => server.connect()));
    const start = Date.now();
    const responses = await Promise.all(clients.map((client, i) => client.get(`/work?id=${i}`)));
    const took = Date.now() - start;
    assert.deepEqual(responses.map((r) => r.body), ["0", "1", "2", "3"]); // xs^0(id) = id
    // Four waits of 200 ms at once: each waited, and they overlapped.
    assert.ok(took >= 200 && took < 700, `${took} ms`);
    const { result } = await server.stop();
    assert.equal(result.checksum, "4");
  });
}

test("node-cluster's workers share one port and the answers are summed", async (t) => {
  const server = await started(t, "node-cluster", { delay_us: 0, cpu: 10, workers: 3 });
  // Round-robin hands each new connection to the next worker: 6 connections reach all 3.
  const clients = await Promise.all([1, 2, 3, 4, 5, 6].map(() => server.connect()));
  for (const client of clients) {
    for (let i = 0; i < 5; i++) assert.equal((await client.get(`/work?id=${i}`)).status, 200);
  }
  const { result } = await server.stop();
  assert.equal(result.checksum, "30");
});

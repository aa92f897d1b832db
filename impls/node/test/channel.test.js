// channel.js: capacity, the rendezvous of capacity 0, order, and close.

import assert from "node:assert/strict";
import { test } from "node:test";

import { CLOSED, Channel } from "../channel.js";

/** Whether `promise` has settled after the microtask queue has run dry. */
async function settled(promise) {
  let done = false;
  promise.then(() => (done = true));
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

test("sends go through at once while there is room, then wait for a receive", async () => {
  const channel = new Channel(2);
  assert.equal(channel.send(1), undefined);
  assert.equal(channel.send(2), undefined);
  const third = channel.send(3);
  assert.ok(third instanceof Promise);
  assert.equal(await settled(third), false, "a full channel holds the sender");
  assert.equal(channel.receive(), 1);
  assert.equal(await settled(third), true, "the receive made room");
  assert.equal(channel.receive(), 2);
  assert.equal(channel.receive(), 3);
});

test("capacity 0 is a rendezvous: a send returns only once received", async () => {
  const channel = new Channel(0);
  const sent = channel.send("a");
  assert.equal(await settled(sent), false, "nobody has received yet");
  assert.equal(channel.receive(), "a");
  assert.equal(await settled(sent), true);
  // A receiver that waits first gets the value straight from the send, which returns at once.
  const received = channel.receive();
  assert.equal(channel.send("b"), undefined);
  assert.equal(await received, "b");
});

test("values come out in order, past the ring's first growth", async () => {
  const channel = new Channel(100);
  for (let i = 0; i < 40; i++) channel.send(i);
  for (let i = 0; i < 30; i++) assert.equal(channel.receive(), i);
  for (let i = 40; i < 100; i++) channel.send(i);
  const waiting = channel.send(100); // the 101st value waits
  for (let i = 30; i <= 100; i++) assert.equal(await channel.receive(), i);
  await waiting;
});

test("close: buffered values first, then CLOSED, also to waiting receivers", async () => {
  const channel = new Channel(1);
  channel.send(7);
  channel.close();
  assert.equal(channel.receive(), 7);
  assert.equal(channel.receive(), CLOSED);
  const other = new Channel(0);
  const waiting = other.receive();
  other.close();
  assert.equal(await waiting, CLOSED);
  assert.throws(() => other.send(1), /closed/);
});

// A bounded channel for async functions on one event loop, as Go's channels and asyncio's
// Queue are: Node.js has none of its own. worker-pool's and prime-sieve's node-async models
// pass values through it, and ping-pong's hands its counter over one.
//
// `await channel.send(v)` waits while the channel holds `capacity` values; capacity 0 is a
// rendezvous: a send returns once a receiver has taken the value, as Go's unbuffered send
// does. `await channel.receive()` waits for a value, or returns CLOSED once the channel is
// closed and empty. Both return a plain value, not a promise, when they need not wait (an
// await of a plain value still yields to the microtask queue once, but allocates no promise):
// a value meets a parked receiver directly, and a parked sender is resumed by the receive
// that makes room for its value. Every wait is a promise that the other side resolves.

/** What receive() returns once the channel is closed and empty. */
export const CLOSED = Symbol("closed");

/** A first-in, first-out queue on a growing ring buffer: push and shift in O(1). */
class Fifo {
  constructor() {
    this.items = new Array(16);
    this.head = 0;
    this.length = 0;
  }

  push(item) {
    if (this.length === this.items.length) {
      // Unrolled into a ring twice the size, oldest first.
      this.items = [
        ...this.items.slice(this.head),
        ...this.items.slice(0, this.head),
        ...new Array(this.items.length),
      ];
      this.head = 0;
    }
    this.items[(this.head + this.length) % this.items.length] = item;
    this.length++;
  }

  shift() {
    const item = this.items[this.head];
    this.items[this.head] = undefined; // no reference kept to a value handed out
    this.head = (this.head + 1) % this.items.length;
    this.length--;
    return item;
  }
}

/** A channel of `capacity` values (0: a rendezvous). */
export class Channel {
  /** @param {number} capacity */
  constructor(capacity) {
    this.capacity = capacity;
    this.buffered = new Fifo();
    /** Receivers waiting for a value: their promises' resolve functions. */
    this.receivers = new Fifo();
    /** Senders waiting for room: {value, resolve}. */
    this.senders = new Fifo();
    this.closed = false;
  }

  /**
   * Sends `value`: undefined at once if a receiver was waiting or there is room, else a
   * promise that resolves once the value is in the channel (capacity 0: once received).
   */
  send(value) {
    if (this.closed) throw new Error("send on a closed channel");
    if (this.receivers.length > 0) {
      this.receivers.shift()(value);
      return undefined;
    }
    if (this.buffered.length < this.capacity) {
      this.buffered.push(value);
      return undefined;
    }
    return new Promise((resolve) => this.senders.push({ value, resolve }));
  }

  /**
   * The next value: at once if one is buffered or a sender is waiting, else a promise of
   * it; CLOSED once the channel is closed and empty.
   */
  receive() {
    if (this.buffered.length > 0) {
      const value = this.buffered.shift();
      if (this.senders.length > 0) {
        const sender = this.senders.shift();
        this.buffered.push(sender.value);
        sender.resolve();
      }
      return value;
    }
    if (this.senders.length > 0) {
      // Capacity 0: the value passes from the waiting sender straight to this receiver.
      const sender = this.senders.shift();
      sender.resolve();
      return sender.value;
    }
    if (this.closed) return CLOSED;
    return new Promise((resolve) => this.receivers.push(resolve));
  }

  /** No more sends: receivers get what is buffered, then CLOSED. */
  close() {
    this.closed = true;
    while (this.receivers.length > 0) this.receivers.shift()(CLOSED);
  }
}

// Publishing on a TracingChannel the way `traceSync`/`tracePromise` do (start → end, then
// asyncStart → asyncEnd, `error` on failure) except that the operation's result is never put on
// the message: a grant's result holds a token signature, and messages are a public contract.
// Only called when the channel has subscribers; arguments are passed through `runStores` rather
// than captured in closures, so a traced call allocates no functions of its own.

import type { TracingChannel } from "node:diagnostics_channel";

type Ch<M extends object> = TracingChannel<unknown, M>;

function fail(channel: Ch<object>, msg: object, err: unknown): void {
  (msg as { error?: unknown }).error = err;
  channel.error.publish(msg);
}

function callSync<M extends object, A extends unknown[], T>(
  channel: Ch<M>,
  msg: M,
  fn: (...args: A) => T,
  self: unknown,
  args: A,
): T {
  try {
    return fn.apply(self, args);
  } catch (err) {
    fail(channel, msg, err);
    throw err;
  } finally {
    channel.end.publish(msg);
  }
}

/** `fn.apply(self, args)` between start and end (start's bound stores wrap it). */
export function traceSync<M extends object, A extends unknown[], T>(
  channel: Ch<M>,
  msg: M,
  fn: (...args: A) => T,
  self?: unknown,
  ...args: A
): T {
  return channel.start.runStores(msg, callSync<M, A, T>, undefined, channel, msg, fn, self, args);
}

/** Waits for the operation inside one async frame: cheaper than `.then` with two closures. */
async function settle<M extends object, T>(channel: Ch<M>, msg: M, promise: Promise<T>): Promise<T> {
  try {
    const result = await promise;
    channel.asyncStart.publish(msg);
    channel.asyncEnd.publish(msg);
    return result;
  } catch (err) {
    fail(channel, msg, err);
    channel.asyncStart.publish(msg);
    channel.asyncEnd.publish(msg);
    throw err;
  }
}

function callAsync<M extends object, A extends unknown[], T>(
  channel: Ch<M>,
  msg: M,
  fn: (...args: A) => Promise<T>,
  self: unknown,
  args: A,
): Promise<T> {
  let promise: Promise<T>;
  try {
    promise = fn.apply(self, args);
  } catch (err) {
    fail(channel, msg, err);
    channel.end.publish(msg);
    throw err;
  }
  channel.end.publish(msg);
  return settle(channel, msg, promise);
}

/** `fn.apply(self, args)` between start and end, then asyncStart/asyncEnd once it settled. */
export function tracePromise<M extends object, A extends unknown[], T>(
  channel: Ch<M>,
  msg: M,
  fn: (...args: A) => Promise<T>,
  self?: unknown,
  ...args: A
): Promise<T> {
  return channel.start.runStores(msg, callAsync<M, A, T>, undefined, channel, msg, fn, self, args);
}

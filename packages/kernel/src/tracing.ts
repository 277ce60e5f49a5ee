// Publishing on a TracingChannel the way `traceSync`/`tracePromise` do (start → end, then
// asyncStart → asyncEnd, `error` on failure) except that the operation's result is never put on
// the message: a grant's result holds a token signature, and messages are a public contract.

import type { TracingChannel } from "node:diagnostics_channel";

type Ch<M extends object> = TracingChannel<unknown, M>;

export function traceSync<M extends object, T>(channel: Ch<M>, msg: M, fn: () => T): T {
  return channel.start.runStores(msg, () => {
    try {
      return fn();
    } catch (err) {
      (msg as { error?: unknown }).error = err;
      channel.error.publish(msg);
      throw err;
    } finally {
      channel.end.publish(msg);
    }
  });
}

export function tracePromise<M extends object, T>(channel: Ch<M>, msg: M, fn: () => Promise<T>): Promise<T> {
  return channel.start.runStores(msg, () => {
    let promise: Promise<T>;
    try {
      promise = fn();
    } catch (err) {
      (msg as { error?: unknown }).error = err;
      channel.error.publish(msg);
      channel.end.publish(msg);
      throw err;
    }
    channel.end.publish(msg);
    return promise.then(
      (result) => {
        channel.asyncStart.publish(msg);
        channel.asyncEnd.publish(msg);
        return result;
      },
      (err: unknown) => {
        (msg as { error?: unknown }).error = err;
        channel.error.publish(msg);
        channel.asyncStart.publish(msg);
        channel.asyncEnd.publish(msg);
        throw err;
      },
    );
  });
}

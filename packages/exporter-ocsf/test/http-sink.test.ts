// HTTP sink against a real node:http server on loopback: NDJSON batches arrive intact and in
// order; 429/5xx/timeouts/network errors are retried with backoff and Retry-After; other 4xx are
// not; failure is reported as a typed error, and close/abort never hang.
import { createServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { HttpSink, OcsfConfigError, OcsfExporterClosedError, OcsfSinkError } from "../src/index.js";
import { parseRetryAfter } from "../src/sinks/http.js";
import { respond, startServer } from "./helpers/server.js";

const events = (n: number, tag = "e") =>
  Array.from({ length: n }, (_, i) => JSON.stringify({ tag, i, who: "agent-été ✓ 😀", text: 'a\n"b"' }));

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanup.length > 0) await cleanup.pop()!();
});

async function server(reply: Parameters<typeof startServer>[0]) {
  const s = await startServer(reply);
  cleanup.push(() => s.close());
  return s;
}

const fast = { initialBackoffMs: 1, maxBackoffMs: 20 };

describe("HttpSink", () => {
  it("POSTs NDJSON batches intact and in order", async () => {
    const s = await server((_n, res) => respond(res, 200));
    const sink = new HttpSink({ url: s.url, maxBatchEvents: 3, headers: { authorization: "Bearer t" } });
    const first = events(7, "a");
    const second = events(4, "b");
    // Two overlapping writes: the second must still arrive after the first.
    await Promise.all([sink.write(first), sink.write(second)]);
    await sink.close();
    expect(s.received.map((r) => r.body.split("\n").filter(Boolean).length)).toEqual([3, 3, 1, 3, 1]);
    for (const r of s.received) {
      expect(r.body.endsWith("\n")).toBe(true);
      expect(r.headers["content-type"]).toBe("application/x-ndjson");
      expect(r.headers.authorization).toBe("Bearer t");
    }
    const arrived = s.received.flatMap((r) => r.body.split("\n").filter(Boolean));
    expect(arrived).toEqual([...first, ...second]);
    expect(sink.stats()).toMatchObject({ eventsSent: 11, batchesSent: 5, requests: 5, retries: 0 });
  });

  it("splits by body size too", async () => {
    const s = await server((_n, res) => respond(res, 204));
    const batch = events(6);
    const sink = new HttpSink({ url: s.url, maxBatchBytes: Buffer.byteLength(batch[0]!) * 2 + 2 });
    await sink.write(batch);
    expect(s.received.map((r) => r.body.split("\n").filter(Boolean).length)).toEqual([2, 2, 2]);
  });

  it("retries 503 twice then 200: every event accepted exactly once", async () => {
    const s = await server((n, res) => respond(res, n < 2 ? 503 : 200));
    const sink = new HttpSink({ url: s.url, ...fast });
    const batch = events(5);
    await sink.write(batch);
    expect(s.received).toHaveLength(3);
    const accepted = s.received.slice(2).flatMap((r) => r.body.split("\n").filter(Boolean));
    expect(accepted).toEqual(batch);
    expect(sink.stats()).toMatchObject({ eventsSent: 5, batchesSent: 1, requests: 3, retries: 2 });
  });

  it("retries 429 and honours Retry-After", async () => {
    const s = await server((n, res) =>
      n === 0 ? respond(res, 429, { "retry-after": "1" }) : respond(res, 200),
    );
    const sink = new HttpSink({ url: s.url, initialBackoffMs: 1, maxBackoffMs: 5000 });
    await sink.write(events(1));
    expect(s.received).toHaveLength(2);
    // A lower bound the sink guarantees (it waited at least what the server asked), not a speed check.
    expect(s.received[1]!.at - s.received[0]!.at).toBeGreaterThanOrEqual(900);
  });

  it("does not retry a 400 and fails with the status", async () => {
    const s = await server((_n, res) => respond(res, 400));
    const sink = new HttpSink({ url: s.url, ...fast });
    const error = await sink.write(events(2)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OcsfSinkError);
    expect(error).toMatchObject({ code: "OCSF_SINK_FAILED", status: 400, attempts: 1 });
    expect(s.received).toHaveLength(1);
    expect(sink.stats().failedBatches).toBe(1);
  });

  it("gives up after maxRetries of 500s", async () => {
    const s = await server((_n, res) => respond(res, 500));
    const sink = new HttpSink({ url: s.url, maxRetries: 2, ...fast });
    await expect(sink.write(events(1))).rejects.toMatchObject({ status: 500, attempts: 3 });
    expect(s.received).toHaveLength(3);
  });

  it("times out on a server that never answers, retries, then fails", async () => {
    const s = await server(() => {}); // never responds
    const sink = new HttpSink({ url: s.url, timeoutMs: 100, maxRetries: 1, ...fast });
    const error = await sink.write(events(1)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OcsfSinkError);
    expect((error as OcsfSinkError).attempts).toBe(2);
    expect((error as OcsfSinkError).message).toContain("no response");
    expect(s.received).toHaveLength(2);
    await sink.close();
  });

  it("retries network errors (connection refused)", async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((r) => probe.close(() => r()));
    const sink = new HttpSink({ url: `http://127.0.0.1:${port}/`, maxRetries: 2, ...fast });
    await expect(sink.write(events(1))).rejects.toMatchObject({ code: "OCSF_SINK_FAILED", attempts: 3 });
  });

  it("abort() cancels a hanging request at once; later writes are refused", async () => {
    const s = await server(() => {});
    const sink = new HttpSink({ url: s.url, timeoutMs: 600_000 });
    const pending = sink.write(events(1)).catch((e: unknown) => e);
    while (s.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    sink.abort();
    expect(await pending).toBeInstanceOf(OcsfSinkError);
    await sink.close();
    await expect(sink.write(events(1))).rejects.toBeInstanceOf(OcsfExporterClosedError);
  });

  it("validates its options", () => {
    expect(() => new HttpSink({ url: "not a url" })).toThrow(OcsfConfigError);
    expect(() => new HttpSink({ url: "ftp://x/" })).toThrow(OcsfConfigError);
    expect(() => new HttpSink({ url: "http://x/", maxBatchEvents: 0 })).toThrow(OcsfConfigError);
  });

  it("parses Retry-After seconds and dates", () => {
    const now = Date.UTC(2026, 0, 1);
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

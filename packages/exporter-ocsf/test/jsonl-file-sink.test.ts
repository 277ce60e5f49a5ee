// JSONL file sink: appends in order, rotates by size without splitting or losing events, keeps
// maxFiles rotated files, and fsyncs on flush (not on every write unless asked).
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { JsonlFileSink, OcsfConfigError, OcsfExporterClosedError } from "../src/index.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "weft-ocsf-jsonl-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

// Fixed width (i padded) so "4 events per file" is exact.
const line = (i: number) =>
  JSON.stringify({ i: String(i).padStart(3, "0"), pad: "x".repeat(40), name: "é✓😀" });
const lines = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(from + k));
const readLines = (path: string) =>
  existsSync(path)
    ? readFileSync(path, "utf8")
        .split("\n")
        .filter((l) => l !== "")
    : [];

describe("JsonlFileSink", () => {
  it("appends to an existing file, one event per line, in order", async () => {
    const path = join(dir, "events.jsonl");
    writeFileSync(path, `${line(-1)}\n`);
    const sink = new JsonlFileSink({ path });
    await sink.write(lines(0, 3));
    await sink.write(lines(3, 5));
    await sink.close();
    expect(readLines(path)).toEqual([line(-1), ...lines(0, 5)]);
  });

  it("rotates by size without splitting a line, keeping the newest maxFiles files", async () => {
    const path = join(dir, "events.jsonl");
    const bytes = Buffer.byteLength(`${line(0)}\n`);
    const sink = new JsonlFileSink({ path, maxBytes: bytes * 4, maxFiles: 2 });
    for (let i = 0; i < 20; i += 3) await sink.write(lines(i, Math.min(i + 3, 20)));
    await sink.close();
    const files = [`${path}.2`, `${path}.1`, path];
    for (const f of files) expect(statSync(f).size).toBeLessThanOrEqual(bytes * 4);
    expect(existsSync(`${path}.3`)).toBe(false);
    // 20 events, 4 per file: files hold 8..11, 12..15, 16..19; older ones were rotated away.
    expect(files.flatMap(readLines)).toEqual(lines(8, 20));
    expect(sink.stats().rotations).toBe(4);
    expect(sink.stats().eventsWritten).toBe(20);
  });

  it("writes an event larger than maxBytes alone rather than dropping it", async () => {
    const path = join(dir, "big.jsonl");
    const sink = new JsonlFileSink({ path, maxBytes: 10 });
    await sink.write([line(0), line(1)]);
    await sink.close();
    expect([...readLines(`${path}.1`), ...readLines(path)]).toEqual([line(0), line(1)]);
  });

  it("fsyncs on flush, not per write (default)", async () => {
    const path = join(dir, "sync.jsonl");
    const sink = new JsonlFileSink({ path });
    await sink.write(lines(0, 2));
    await sink.write(lines(2, 4));
    expect(sink.stats().fsyncs).toBe(0);
    await sink.flush();
    expect(sink.stats().fsyncs).toBe(1);
    await sink.flush(); // nothing new written: no second fsync
    expect(sink.stats().fsyncs).toBe(1);
    expect(readLines(path)).toEqual(lines(0, 4));
    await sink.close();
  });

  it("fsyncs every write with fsync: 'write', never with 'never'", async () => {
    const always = new JsonlFileSink({ path: join(dir, "a.jsonl"), fsync: "write" });
    await always.write(lines(0, 1));
    await always.write(lines(1, 2));
    expect(always.stats().fsyncs).toBe(2);
    await always.close();
    const never = new JsonlFileSink({ path: join(dir, "n.jsonl"), fsync: "never" });
    await never.write(lines(0, 1));
    await never.close();
    expect(never.stats().fsyncs).toBe(0);
  });

  it("rejects writes after close and bad options with typed errors", async () => {
    const sink = new JsonlFileSink({ path: join(dir, "c.jsonl") });
    await sink.close();
    await sink.close(); // idempotent
    await expect(sink.write(lines(0, 1))).rejects.toBeInstanceOf(OcsfExporterClosedError);
    expect(() => new JsonlFileSink({ path: join(dir, "x.jsonl"), maxFiles: 0 })).toThrow(OcsfConfigError);
    expect(() => new JsonlFileSink({ path: join(dir, "no-such-dir", "x.jsonl") })).toThrow(/cannot open/);
  });
});

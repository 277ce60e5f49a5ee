// Checkpoint copies off the host: a real SQLite store publishes signed checkpoints on its
// diagnostics channel; shipCheckpointCopies turns each into an OCSF 1.8.0 API Activity event
// (validated against the committed, generated class 6003 schema) and an OTel log record through
// the real SDK LoggerProvider (in-memory exporter). The copies carry a note that still verifies
// under the log's public key, and never the store's secret.
import { channel } from "node:diagnostics_channel";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import {
  CHECKPOINT_CHANNEL,
  type CheckpointEvent,
  generateNoteKey,
  openNote,
  openStore,
  parseCheckpoint,
  parseVerifierKey,
} from "@weft/chained-store";
import type { ActionTrace } from "@weft/kernel";
import { CHANNEL_WEFT_STORE_CHECKPOINT, EVENT_WEFT_CHECKPOINT_PUBLISHED } from "@weft/semconv";
import { afterAll, describe, expect, it } from "vitest";
import { checkpointToOcsf, type OcsfApiActivity, shipCheckpointCopies } from "../src/index.js";
import { describeErrors, ocsfErrors } from "./helpers/validator.js";

const dir = mkdtempSync(join(tmpdir(), "weft-ocsf-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SECRET = "checkpoint-copies-secret-canary";
const keys = generateNoteKey("weft.test/ocsf-log");

function trace(i: number): ActionTrace {
  return {
    actionId: `a-${i}`,
    capabilityId: "crm.read",
    principalId: "agent-1",
    tokenId: `tok-${i}`,
    invokedAt: "2026-03-01T10:00:00+00:00",
    args: { id: i },
    responseMode: "summary",
    driverId: "memory",
    handleId: null,
    error: null,
    resultSummary: null,
    sensitivity: "NONE",
    eventType: "invoke",
    reasonCode: null,
  } as ActionTrace;
}

function setup() {
  const exporter = new InMemoryLogRecordExporter();
  const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
  const events: OcsfApiActivity[] = [];
  const errors: unknown[] = [];
  const copies = shipCheckpointCopies({
    loggerProvider: provider,
    onOcsfEvent: (e) => events.push(e),
    onError: (e) => errors.push(e),
    serviceName: "checkpoint-test",
  });
  return { exporter, provider, events, errors, copies };
}

describe("checkpoint copies (OCSF + OTel logs)", () => {
  it("the store's channel is the one semconv names", () => {
    expect(CHECKPOINT_CHANNEL).toBe(CHANNEL_WEFT_STORE_CHECKPOINT);
  });

  it("copies every published checkpoint of a real store as a valid OCSF event and an OTel log record", async () => {
    const { exporter, provider, events, errors, copies } = setup();
    const store = openStore({
      path: join(dir, "copies.sqlite"),
      secret: SECRET,
      signingKey: keys.skey,
      checkpoint: { everyRecords: 10, intervalMs: 0, origin: "weft.test/ocsf" },
    });
    try {
      for (let i = 0; i < 25; i++) store.actions.append(trace(i));
      store.transparency!.publish();
      const stored = store.transparency!.checkpoints("actions");
      expect(stored.map((c) => c.size)).toEqual([10, 20, 25]);
      expect(errors).toEqual([]);
      expect(events.map((e) => e.unmapped.tree_size)).toEqual([10, 20, 25]);
      const vkey = parseVerifierKey(keys.vkey);
      for (const [i, event] of events.entries()) {
        expect(ocsfErrors(event), describeErrors(ocsfErrors(event))).toEqual([]);
        expect(event.activity_id).toBe(1);
        expect(event.type_uid).toBe(600301);
        const cp = stored[i]!;
        expect(event.unmapped.root_hash).toBe(cp.root.toString("base64"));
        expect(event.metadata.uid).toBe(`weft.test/ocsf/actions/${cp.size}`);
        // Someone holding only the copy and the public key can check it.
        const opened = openNote(event.unmapped.note as string, [vkey]);
        const body = parseCheckpoint(opened.text);
        expect(body.size).toBe(cp.size);
        expect(Buffer.from(body.root).equals(cp.root)).toBe(true);
      }
      await provider.forceFlush();
      const records = exporter.getFinishedLogRecords();
      expect(records).toHaveLength(3);
      for (const [i, r] of records.entries()) {
        expect(r.eventName).toBe(EVENT_WEFT_CHECKPOINT_PUBLISHED);
        expect(r.instrumentationScope.name).toBe("@weft/exporter-ocsf");
        expect(r.attributes["weft.checkpoint.size"]).toBe(stored[i]!.size);
        expect(r.attributes["weft.checkpoint.origin"]).toBe("weft.test/ocsf/actions");
        expect(r.attributes["weft.chain"]).toBe("actions");
        expect(r.attributes["weft.checkpoint.root"]).toBe(stored[i]!.root.toString("base64"));
        expect(r.body).toBe(stored[i]!.note);
      }
      const everything = JSON.stringify({ events, records: records.map((r) => [r.body, r.attributes]) });
      expect(everything).not.toContain(SECRET);
      // The key material is everything after `PRIVATE+KEY+<name>+<id>+` (base64 may itself hold '+').
      const material = keys.skey.split("+").slice(4).join("+");
      expect(material.length).toBeGreaterThanOrEqual(44);
      expect(everything).not.toContain(material);
      expect(copies.stats()).toEqual({ received: 3, ocsfEvents: 3, logRecords: 3, failures: 0 });
      // After close nothing more is copied.
      copies.close();
      copies.close();
      for (let i = 25; i < 30; i++) store.actions.append(trace(i));
      store.transparency!.publish();
      expect(events).toHaveLength(3);
    } finally {
      copies.close();
      store.close();
      await provider.shutdown();
    }
  });

  it("a failing copy is counted and reported, never thrown into the store", () => {
    const errors: unknown[] = [];
    const copies = shipCheckpointCopies({
      onOcsfEvent: () => {
        throw new Error("sink down");
      },
      onError: (e) => errors.push(e),
    });
    const store = openStore({
      path: join(dir, "failing.sqlite"),
      secret: SECRET,
      signingKey: keys.skey,
      checkpoint: { everyRecords: 5, intervalMs: 0 },
    });
    try {
      for (let i = 0; i < 5; i++) store.actions.append(trace(i));
      expect(store.transparency!.checkpoints("actions").map((c) => c.size)).toEqual([5]);
      expect(copies.stats()).toMatchObject({ received: 1, ocsfEvents: 0, failures: 1 });
      expect((errors[0] as Error).message).toBe("sink down");
    } finally {
      copies.close();
      store.close();
    }
  });

  it("hostile channel messages are refused with a typed error, not copied", () => {
    const errors: unknown[] = [];
    const events: OcsfApiActivity[] = [];
    const copies = shipCheckpointCopies({
      onOcsfEvent: (e) => events.push(e),
      onError: (e) => errors.push(e),
    });
    const good: CheckpointEvent = {
      chain: "actions",
      origin: "o/actions",
      size: 3,
      rootBase64: "AAAA",
      note: "o/actions\n3\nAAAA\n\n\u2014 k x\n",
      keyName: "k",
      createdAt: "2026-03-01T10:00:00Z",
    };
    const ch = channel(CHANNEL_WEFT_STORE_CHECKPOINT);
    try {
      for (const bad of [
        null,
        7,
        "x",
        { ...good, size: -1 },
        { ...good, size: 1.5 },
        { ...good, origin: "" },
        { ...good, createdAt: "yesterday" },
        { ...good, note: 5 },
      ]) {
        ch.publish(bad);
      }
      expect(events).toEqual([]);
      expect(errors).toHaveLength(8);
      for (const e of errors) expect((e as { code?: string }).code).toBe("OCSF_INVALID_INPUT");
      ch.publish(good);
      expect(events).toHaveLength(1);
      expect(events[0]).toEqual(checkpointToOcsf(good, {}));
      expect(ocsfErrors(events[0])).toEqual([]);
    } finally {
      copies.close();
    }
  });
});

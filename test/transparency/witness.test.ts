// A real C2SP witness: litewitness (filippo.io/torchwood v0.6.1) on 127.0.0.1, signing through a
// dedicated ssh-agent holding an ed25519 key, cosigns Weft's checkpoints; receipts carrying its
// cosignature verify under a tlog-policy quorum; a 409 is answered with a proof from the witness's
// size; a split view (another tree under the same origin and key) is refused and raised.

import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  cosignerVerifierKey,
  generateNoteKey,
  openStore,
  parseTlogPolicy,
  verifyReceipt,
  WitnessClient,
} from "@weft/chained-store";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureAptTools } from "../e2e/support/apt.js";
import { freePort, waitFor } from "../e2e/support/ports.js";
import { LoggedProcess } from "../e2e/support/process.js";
import { buildWitness } from "./go-tools.js";

const tools = buildWitness();
// ssh-agent/ssh-add/ssh-keygen come from Debian openssh-client, installed here when missing.
const ssh = tools.ok ? ensureAptTools("openssh-client", ["ssh-agent", "ssh-add", "ssh-keygen"]) : null;
const skip = !tools.ok ? tools.reason : ssh && !ssh.ok ? ssh.reason : null;
if (skip) console.warn(`SKIPPED: litewitness tests: ${skip}`);

const dir = mkdtempSync(join(tmpdir(), "weft-witness-"));
const ORIGIN_PREFIX = "weft.test/witnessed";
const ORIGIN = `${ORIGIN_PREFIX}/actions`;
const WITNESS = "weft.test/witness1";
const logKeys = generateNoteKey("weft.test/log");
let agent: LoggedProcess | undefined;
let witness: LoggedProcess | undefined;
let url = "";
let witnessVkey = "";

function trace(i: number, tag = "a") {
  return {
    actionId: `${tag}-${i}`,
    capabilityId: "crm.read",
    principalId: "agent-1",
    tokenId: `tok-${i}`,
    invokedAt: `2026-03-01T10:00:${String(i % 60).padStart(2, "0")}+00:00`,
    args: { id: i },
    responseMode: "summary" as const,
    driverId: "memory",
    handleId: null,
    error: null,
    resultSummary: null,
    sensitivity: "NONE" as const,
    eventType: "invoke" as const,
    reasonCode: null,
  };
}

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): string {
  const r = spawnSync(cmd, args, { encoding: "utf8", env: { ...process.env, ...env } });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")}: ${r.stderr}`);
  return r.stdout;
}

beforeAll(async () => {
  if (skip || !tools.ok) return;
  const key = join(dir, "witness_ed25519");
  sh("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", key]);
  const fp = /SHA256:[A-Za-z0-9+/]+/.exec(sh("ssh-keygen", ["-l", "-E", "sha256", "-f", `${key}.pub`]))?.[0];
  const blob = Buffer.from(readFileSync(`${key}.pub`, "utf8").split(" ")[1] as string, "base64");
  witnessVkey = cosignerVerifierKey(WITNESS, blob.subarray(blob.length - 32));
  const sock = join(dir, "agent.sock");
  agent = new LoggedProcess("ssh-agent", ["-D", "-a", sock]);
  await waitFor("ssh-agent socket", () => (existsSync(sock) ? true : undefined));
  sh("ssh-add", [key], { SSH_AUTH_SOCK: sock });
  const db = join(dir, "lw.db");
  sh(tools.witnessctl, ["add-log", "-db", db, "-origin", ORIGIN]);
  sh(tools.witnessctl, ["add-key", "-db", db, "-origin", ORIGIN, "-key", logKeys.vkey]);
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  witness = new LoggedProcess(tools.litewitness, [
    "-db",
    db,
    "-name",
    WITNESS,
    "-key",
    fp as string,
    "-ssh-agent",
    sock,
    "-listen",
    `127.0.0.1:${port}`,
  ]);
  await waitFor("litewitness listening", async () => {
    const r = await fetch(`${url}/add-checkpoint`, { method: "POST", body: "" }).catch(() => undefined);
    return r ? true : undefined;
  });
}, 600_000);

afterAll(async () => {
  await witness?.stop("SIGTERM");
  await agent?.stop("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(skip !== null)("litewitness cosigns Weft checkpoints", () => {
  it("cosigns each published checkpoint; receipts meet a tlog-policy quorum", async () => {
    const path = join(dir, "log.sqlite");
    const store = openStore({
      path,
      secret: "witness-secret",
      signingKey: logKeys.skey,
      checkpoint: {
        everyRecords: 50,
        intervalMs: 0,
        origin: ORIGIN_PREFIX,
        witnesses: [{ url, vkey: witnessVkey }],
      },
    });
    for (let i = 0; i < 120; i++) store.actions.append(trace(i) as never);
    store.transparency!.publish();
    await store.transparency!.witnessed();
    const t = store.transparency!;
    expect(t.witnessStats()).toMatchObject({ failures: 0, splitViews: 0 });
    const cps = t.checkpoints("actions");
    expect(cps.map((c) => c.size)).toEqual([50, 100, 120]);
    // Witnesses are sent the latest checkpoint (as Tessera does): appends outran the queue here.
    expect(cps.at(-1)!.note.match(/^\u2014 weft\.test\/witness1 /gm)).toHaveLength(1);
    const policy = parseTlogPolicy(`log ${logKeys.vkey}\nwitness W1 ${witnessVkey} ${url}\nquorum W1\n`);
    const r = verifyReceipt(t.receipt("actions", 77), { policy, origin: ORIGIN });
    expect(r.cosignatures.get("W1")?.timestamp).toBeGreaterThan(1_700_000_000n);
    // Without the cosignature the same quorum fails.
    const bare = t.receipt("actions", 77).replace(/^\u2014 weft\.test\/witness1 .*\n/m, "");
    expect(() => verifyReceipt(bare, { policy })).toThrow(/quorum/);
    // 409: a fresh client believes the witness is at 0; it learns 120 and resends from there.
    for (let i = 120; i < 130; i++) store.actions.append(trace(i) as never);
    t.publish();
    await t.witnessed();
    store.close();
    // A second writer without automatic witnessing, and a client that knows nothing of the witness.
    const manual = openStore({
      path,
      secret: "witness-secret",
      signingKey: logKeys.skey,
      checkpoint: { intervalMs: 0, origin: ORIGIN_PREFIX },
    });
    const m = manual.transparency!;
    const fresh = new WitnessClient([{ url, vkey: witnessVkey }]);
    for (let i = 130; i < 140; i++) manual.actions.append(trace(i) as never);
    const cp = m.publish()[0]!;
    const outcomes = await fresh.submit(m, "actions");
    expect(outcomes, JSON.stringify(outcomes)).toEqual([
      { witness: WITNESS, ok: true, status: 200, detail: "cosigned" },
    ]);
    expect(fresh.stats().submissions).toBe(2);
    expect(m.checkpointAt("actions", cp.size)!.note.match(/^\u2014 weft\.test\/witness1 /gm)).toHaveLength(1);
    manual.close();
  });

  it("refuses a split view: another tree under the same origin and key", async () => {
    const path = join(dir, "fork.sqlite");
    const fork = openStore({
      path,
      secret: "witness-secret",
      signingKey: logKeys.skey,
      checkpoint: { everyRecords: 1_000_000, intervalMs: 0, origin: ORIGIN_PREFIX },
    });
    for (let i = 0; i < 200; i++) fork.actions.append(trace(i, "forked") as never);
    fork.transparency!.publish();
    const alarms: string[] = [];
    const client = new WitnessClient([{ url, vkey: witnessVkey }], { onAlarm: (m) => alarms.push(m) });
    const [o] = await client.submit(fork.transparency!, "actions");
    expect(o?.ok).toBe(false);
    expect(o?.status).toBe(422);
    expect(client.stats().splitViews).toBe(1);
    expect(alarms[0]).toMatch(/split view/);
    fork.close();
  });
});

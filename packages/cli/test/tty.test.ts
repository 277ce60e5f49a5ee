// Output on a real terminal (a pseudo-terminal from util-linux `script`) versus a pipe: colours and
// the wider table only on a TTY, none with NO_COLOR, and a progress bar while verifying a large store.
import { join } from "node:path";
import { openStore } from "@weft/chained-store";
import type { ActionTrace } from "@weft/kernel";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, FIXTURES, SECRET, tempDir, weft, weftTty } from "./helpers.js";

const ESC = "\u001b[";
const CHAIN = join(FIXTURES, "chain.jsonl");
let big: string;

function trace(i: number): ActionTrace {
  return {
    actionId: `bulk-${i}`,
    capabilityId: i % 3 === 0 ? "crm.write" : "crm.read",
    principalId: `agent-${i % 7}`,
    tokenId: `tok-${i}`,
    invokedAt: new Date(Date.UTC(2026, 2, 1) + i * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00"),
    args: { i },
    responseMode: "summary",
    driverId: "memory",
    handleId: null,
    error: null,
    resultSummary: null,
    sensitivity: "NONE",
    eventType: "invoke",
    reasonCode: null,
  };
}

beforeAll(() => {
  ensureBuilt();
  big = join(tempDir("weft-cli-tty-"), "big.db");
  const store = openStore({ path: big, secret: SECRET, synchronous: "NORMAL" });
  try {
    const all = Array.from({ length: 30_000 }, (_, i) => trace(i));
    for (let i = 0; i < all.length; i += 5000) store.actions.appendBatch(all.slice(i, i + 5000));
  } finally {
    store.close();
  }
});

describe("terminal vs pipe", () => {
  it("list on a TTY: coloured, with SEQ/EVENT/REASON columns; piped: plain reference table", () => {
    const tty = weftTty(["audit", "list", "--store", CHAIN]);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain(ESC);
    expect(tty.stdout).toMatch(/SEQ ACTION_ID/);
    expect(tty.stdout).toMatch(/EVENT\s+REASON/);
    expect(tty.stdout).toContain("missing_role");
    const piped = weft(["audit", "list", "--store", CHAIN]);
    expect(piped.stdout).not.toContain(ESC);
    expect(piped.stdout.split("\n")[0]).toMatch(/^ACTION_ID\s+CAPABILITY\s+PRINCIPAL\s+STATUS\s+INVOKED_AT$/);
  });

  it("NO_COLOR turns colour off on a TTY but keeps the terminal layout", () => {
    const r = weftTty(["audit", "list", "--store", CHAIN], { NO_COLOR: "1" });
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain(ESC);
    expect(r.stdout).toMatch(/SEQ ACTION_ID/);
  });

  it("verify on a TTY colours the verdict; the exit code is unchanged", () => {
    const ok = weftTty(["audit", "verify", "--store", CHAIN, "--secret", "test-secret-for-vectors"]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toContain(`${ESC}32mOK: ${ESC}39mVerified 12 record(s).`);
    const bad = weftTty([
      "audit",
      "verify",
      "--store",
      join(FIXTURES, "tamper-mutate.jsonl"),
      "--secret",
      "test-secret-for-vectors",
    ]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toContain("TAMPER DETECTED: ");
  });

  it("verify draws a progress bar on a TTY for a large store, and never when piped", () => {
    const tty = weftTty(["audit", "verify", "--store", big, "--secret", SECRET]);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/verifying actions [█░]+ +\d+% \d+\/30000/);
    expect(tty.stdout).toContain("Verified 30000 record(s).");
    const piped = weft(["audit", "verify", "--store", big, "--secret", SECRET]);
    expect(piped.stdout).toBe("OK: Verified 30000 record(s).\n");
    expect(piped.stderr).toBe("");
  });

  it("trace and doctor render on a TTY", () => {
    const d = weftTty(["doctor"]);
    expect(d.code).toBe(0);
    expect(d.stdout).toMatch(/✓.*node/);
    expect(d.stdout).toContain(ESC);
  });

  it("--help for every command has an example and exits 0", () => {
    const cmds = [
      ["audit", "list"],
      ["audit", "show"],
      ["audit", "trace"],
      ["audit", "verify"],
      ["audit", "export"],
      ["audit", "stats"],
      ["audit", "diff-otlp"],
      ["doctor"],
    ];
    for (const c of cmds) {
      const r = weft([...c, "--help"]);
      expect(r.code, c.join(" ")).toBe(0);
      expect(r.stdout, c.join(" ")).toMatch(/^Usage: weft /);
      expect(r.stdout, c.join(" ")).toMatch(/Examples?:\n {2}.*weft /);
    }
    expect(weft(["--help"]).code).toBe(0);
    expect(weft(["audit", "--help"]).code).toBe(0);
    expect(weft(["--version"]).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});

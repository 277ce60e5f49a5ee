// Agreement with the real Python `weaver-kernel` CLI (0.12.0 from PyPI, in the cached venv of
// test/interop/python-env.ts) on stores the reference itself wrote: `weft audit verify|list|show|
// export` print byte-for-byte what `weaver-kernel audit ...` prints, untampered and tampered.
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensurePythonEnv, type PythonEnv, run } from "../../../test/interop/python-env.js";
import { flipMarkerByte, pythonWriteStore, SECRET } from "../../../test/interop/support.js";
import { ensureBuilt, tempDir, weft } from "./helpers.js";

let env: PythonEnv;
let dir: string;

beforeAll(async () => {
  ensureBuilt();
  env = await ensurePythonEnv();
  dir = tempDir("weft-cli-ref-");
}, 600_000);

async function reference(args: readonly string[]): Promise<{ code: number | null; stdout: string }> {
  const r = await run(env.cli, args, {
    env: { ...process.env, WEAVER_KERNEL_SECRET: SECRET, PYTHONIOENCODING: "utf-8" },
  });
  return { code: r.code, stdout: r.stdout };
}

async function agree(args: readonly string[]): Promise<string> {
  const ref = await reference(args);
  const ours = weft(args, { WEAVER_KERNEL_SECRET: SECRET });
  expect(ours.stdout, `weft ${args.join(" ")}`).toBe(ref.stdout);
  expect(ours.code, `exit code of ${args.join(" ")}`).toBe(ref.code);
  return ours.stdout;
}

for (const format of ["sqlite", "jsonl"] as const) {
  describe(`a ${format} store written by weaver-kernel ${"0.12.0"}`, () => {
    let store: string;
    beforeAll(async () => {
      store = join(dir, `py-store.${format === "sqlite" ? "db" : "jsonl"}`);
      await pythonWriteStore(env, format, store, 16);
    }, 120_000);

    it("verify, list, show and export print exactly what the reference prints", async () => {
      const S = ["--store", store, "--format", format];
      expect(await agree(["audit", "verify", ...S])).toBe("OK: Verified 16 record(s).\n");
      await agree(["audit", "verify", ...S, "--json"]);
      await agree(["audit", "list", ...S]);
      await agree(["audit", "list", ...S, "--json"]);
      await agree(["audit", "list", ...S, "--principal", "agent-7", "--status", "failed"]);
      await agree([
        "audit",
        "list",
        ...S,
        "--since",
        "2026-03-01T12:00:05",
        "--until",
        "2026-03-01T12:00:11+00:00",
      ]);
      await agree(["audit", "list", ...S, "--limit", "3", "--json"]);
      // The one intended difference: Weft says "action records" where the reference says
      // "traces" (in Weft a trace is an OpenTelemetry trace).
      const noneArgs = ["audit", "list", ...S, "--principal", "nobody"];
      expect((await reference(noneArgs)).stdout).toBe("No traces matched.\n");
      expect(weft(noneArgs, { WEAVER_KERNEL_SECRET: SECRET }).stdout).toBe("No action records matched.\n");
      await agree(["audit", "show", "py-0001", ...S]);
      await agree(["audit", "export", ...S]);
      await agree(["audit", "export", ...S, "--capability", "fs.delete"]);
    });

    it("after one byte is changed, both report the same TAMPER DETECTED and exit 1", async () => {
      flipMarkerByte(store, "marker-0009", format);
      const S = ["--store", store, "--format", format];
      const text = await agree(["audit", "verify", ...S]);
      expect(text).toMatch(/^TAMPER DETECTED: Tampered record at seq 9:/);
      await agree(["audit", "verify", ...S, "--json"]);
    });
  });
}

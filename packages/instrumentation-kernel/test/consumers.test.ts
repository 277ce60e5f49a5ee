// ESM and CommonJS consumers of the BUILT packages, each in its own Node child process: proves
// the published dist works with import and with require() of ESM, and that enabling after the
// kernel was imported and constructed is enough (no import-order rule).

import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..", "..");

interface ChildSpan {
  name: string;
  spanId?: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
}

async function runFixture(file: string): Promise<Record<string, unknown>> {
  const { stdout } = await run(process.execPath, [join(here, "fixtures", file)], {
    cwd: join(here, "fixtures"),
    env: {
      ...process.env,
      WEFT_SECRET: "consumer-fixture-secret-0123456789abcdef",
      // NodeSDK would otherwise configure OTLP exporters from the environment.
      OTEL_TRACES_EXPORTER: "none",
      OTEL_METRICS_EXPORTER: "none",
      OTEL_LOGS_EXPORTER: "none",
      OTEL_SDK_DISABLED: "false",
    },
    timeout: 60_000,
  });
  const line = stdout.trim().split("\n").at(-1) ?? "";
  return JSON.parse(line) as Record<string, unknown>;
}

describe("consumers of the built dist (child processes)", () => {
  beforeAll(async () => {
    // Build this package and the kernel it references, exactly as `pnpm run build` does.
    await run(
      process.execPath,
      [join(root, "node_modules", "typescript", "bin", "tsc"), "-b", "packages/instrumentation-kernel"],
      {
        cwd: root,
        timeout: 300_000,
      },
    );
  });

  it("ESM: NodeSDK enables it after the kernel is in use; spans and metrics arrive", async () => {
    const out = await runFixture("consumer.mjs");
    const spans = out.spans as ChildSpan[];
    const tool = spans.filter((s) => s.name === "execute_tool esm.echo");
    expect(tool).toHaveLength(1);
    const parent = spans.find((s) => s.name === "invoke_agent esm");
    expect(tool[0]?.parentSpanId).toBe(parent?.spanId);
    expect(tool[0]?.attributes["weft.kernel.id"]).toBe("esm-kernel");
    // Two invokes in total: the counter reads kernel.stats, which saw the untraced one too.
    expect(out.invocations).toEqual([2]);
  });

  it("CommonJS: require() of the ESM packages, registerInstrumentations, unregister disables", async () => {
    const out = await runFixture("consumer.cjs");
    const spans = out.spans as ChildSpan[];
    expect(spans.map((s) => s.name)).toEqual(["grant_capability cjs.echo", "execute_tool cjs.echo"]);
    expect(spans.map((s) => s.attributes["weft.kernel.id"])).toEqual(["cjs-kernel", "cjs-kernel"]);
    expect(out.enabledAfterUnregister).toBe(false);
  });
});

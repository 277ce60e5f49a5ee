// The names module is the only place a wire name is spelled: its constants follow the
// @opentelemetry/semantic-conventions naming scheme, metric names follow OTel's metric naming
// rules, and no other package source restates a `gen_ai.*` / `weft.*` name as a string literal.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as semconv from "../src/index.js";

const exported = Object.entries(semconv as Record<string, unknown>);
const strings = exported.filter((e): e is [string, string] => typeof e[1] === "string");
const upperSnake = (key: string) => key.toUpperCase().replace(/[.-]/g, "_");

describe("constant names", () => {
  it("ATTR_* is `ATTR_` plus the key in upper snake case", () => {
    const attrs = strings.filter(([k]) => k.startsWith("ATTR_"));
    expect(attrs.length).toBeGreaterThan(30);
    for (const [k, v] of attrs) expect([k, `ATTR_${upperSnake(v)}`]).toEqual([k, k]);
  });

  it("METRIC_* is `METRIC_` plus the metric name in upper snake case, and each has a definition", () => {
    const metrics = strings.filter(([k]) => k.startsWith("METRIC_"));
    expect(metrics.length).toBeGreaterThan(15);
    for (const [k, v] of metrics) {
      expect([k, `METRIC_${upperSnake(v)}`]).toEqual([k, k]);
      expect(semconv.METRIC_DEFINITIONS[v]?.name).toBe(v);
    }
    // And no definition without its constant.
    expect(Object.keys(semconv.METRIC_DEFINITIONS).sort()).toEqual(metrics.map(([, v]) => v).sort());
  });

  it("no two attribute constants spell the same key (the old ATTR_ACTION_ID ambiguity)", () => {
    const values = strings.filter(([k]) => k.startsWith("ATTR_")).map(([, v]) => v);
    expect(new Set(values).size).toBe(values.length);
    expect(semconv.ATTR_WEFT_ACTION_ID).toBe("weft.action.id");
    expect(semconv.ATTR_GEN_AI_TOOL_CALL_ID).toBe("gen_ai.tool.call.id");
  });
});

describe("metric definitions follow OpenTelemetry metric naming", () => {
  for (const d of Object.values(semconv.METRIC_DEFINITIONS)) {
    it(d.name, () => {
      // Lower-case dot namespaces, no `_total`, the unit in `unit` rather than in the name.
      expect(d.name).toMatch(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/);
      expect(d.name).not.toMatch(/_total$|_seconds$|_bytes$|\.seconds$/);
      expect(d.unit).toMatch(/^(s|By|1|\{[a-z_]+\})$/);
      if (d.instrument === "histogram") expect(d.unit).toBe("s");
      expect(d.description.length).toBeGreaterThan(10);
    });
  }
});

// --- no second spelling anywhere else ----------------------------------------------------------

const packagesDir = join(dirname(fileURLToPath(import.meta.url)), "..", "..");

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sources(path));
    else if (name.endsWith(".ts")) out.push(path);
  }
  return out;
}

// Files that own non-telemetry `weft.*` strings: the store's meta-table keys and the OCSF values
// the exporter writes (its vocabulary, not span attributes).
const OWNERS_OF_OTHER_WEFT_STRINGS = new Set([
  "chained-store/src/meta.ts",
  "exporter-ocsf/src/vocabulary.ts",
]);

describe("names once", () => {
  it("no package source outside @weft/semconv spells a gen_ai.* / weft.* / error.type name", () => {
    const offenders: string[] = [];
    for (const pkg of readdirSync(packagesDir)) {
      if (pkg === "semconv") continue;
      const src = join(packagesDir, pkg, "src");
      let files: string[];
      try {
        files = sources(src);
      } catch {
        continue;
      }
      for (const file of files) {
        const rel = relative(packagesDir, file);
        if (OWNERS_OF_OTHER_WEFT_STRINGS.has(rel)) continue;
        readFileSync(file, "utf8")
          .split("\n")
          .forEach((line, i) => {
            const code = line
              .replace(/\/\*.*?\*\//g, "")
              .replace(/\/\/.*$/, "")
              .replace(/^\s*(\/\*|\*).*$/, "");
            // Symbol.for keys are process-global registry keys, not names on the wire.
            if (/Symbol\.for\(/.test(code)) return;
            if (
              /["'`](gen_ai|weft|error|openinference|traceloop|langfuse|mcp|jsonrpc|network|server|service|host)\.[a-z_]+(\.[a-z_]+)*["'`]/.test(
                code,
              )
            ) {
              offenders.push(`${rel}:${i + 1}: ${line.trim()}`);
            }
          });
      }
    }
    expect(offenders).toEqual([]);
  });

  it("no package keeps an attributes module of its own", () => {
    const stray = readdirSync(packagesDir)
      .filter((pkg) => pkg !== "semconv")
      .filter((pkg) => {
        try {
          return statSync(join(packagesDir, pkg, "src", "attributes.ts")).isFile();
        } catch {
          return false;
        }
      });
    expect(stray).toEqual([]);
  });
});

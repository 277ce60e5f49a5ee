// Cross-check with independent PyPI tooling (see test/python/ocsf_crosscheck.py): the same events
// validate against ocsf-json-schema's schema for OCSF 1.8.0 class 6003 (built from the OCSF
// server's compiled export, not from our generator), parse with py-ocsf-models' pydantic models,
// and our generated schema matches theirs object by object. A broken event proves neither
// validator is vacuous. The venv lives in ${WEFT_CACHE_DIR:-~/.cache/weft}/venv-ocsf and is created on first run.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { actionTraceToOcsf, spanToOcsf } from "../src/index.js";
import { recordSpans } from "./helpers/spans.js";
import { safetyClassOf, TRACES } from "./helpers/traces.js";
import { SCHEMA_PATH } from "./helpers/validator.js";
import { vectorTraces } from "./helpers/vectors.js";

const here = dirname(fileURLToPath(import.meta.url));
const VENV = join(process.env["WEFT_CACHE_DIR"] ?? join(homedir(), ".cache", "weft"), "venv-ocsf");
const PYTHON = join(VENV, "bin", "python");
const REQUIREMENTS = join(here, "python", "requirements.txt");

function python3Available(): boolean {
  try {
    execFileSync("python3", ["--version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** Creates the venv and installs the pinned packages unless they already import. */
function ensureVenv(): void {
  const probe = () => {
    try {
      execFileSync(PYTHON, ["-c", "import ocsf_json_schema, py_ocsf_models, jsonschema"], {
        stdio: "ignore",
      });
      return true;
    } catch {
      return false;
    }
  };
  if (existsSync(PYTHON) && probe()) return;
  if (!existsSync(PYTHON)) execFileSync("python3", ["-m", "venv", VENV], { stdio: "inherit" });
  execFileSync(PYTHON, ["-m", "pip", "install", "--quiet", "-r", REQUIREMENTS], { stdio: "inherit" });
  if (!probe()) throw new Error(`PyPI packages did not install into ${VENV}`);
}

interface Report {
  ocsf_json_schema: { checked: number; errors: { index: number; path: unknown[]; message: string }[] };
  schema_diff: Record<string, unknown>[];
  py_ocsf_models: {
    checked: number;
    errors: { index: number; message: string }[];
    not_checked: string[];
    models_ocsf_version: string;
  };
}

const hasPython = python3Available();
if (!hasPython) console.warn("SKIPPED: python3 is not installed; the PyPI OCSF cross-check cannot run");

describe.skipIf(!hasPython)("PyPI cross-check (ocsf-json-schema 1.2.0, py-ocsf-models 0.10.0)", () => {
  let dir: string;
  let report: Report;
  let count: number;

  beforeAll(async () => {
    ensureVenv();
    const events: unknown[] = [
      ...Object.values(TRACES).flatMap((t) => [
        actionTraceToOcsf(t),
        actionTraceToOcsf(t, {
          safetyClassOf,
          serviceName: "svc",
          hostname: "h.example",
          kernelId: "k",
          tenantUid: "tenant-1",
          traceContext: {
            traceId: "4bf92f3577b34da6a3ce929d0e0e4736",
            spanId: "00f067aa0ba902b7",
            startTimeMs: 1,
            endTimeMs: 2,
          },
        }),
      ]),
      ...vectorTraces().map((t) => actionTraceToOcsf(t)),
      ...(await recordSpans()).map((s) => spanToOcsf(s, { includeNonKernelSpans: true })),
    ];
    count = events.length;
    // Last: a deliberately broken event (neither validator may accept it).
    const broken = structuredClone(actionTraceToOcsf(TRACES.invokeOk!)) as unknown as Record<string, unknown>;
    broken.severity_id = "high";
    (broken.metadata as Record<string, unknown>).version = undefined;
    delete (broken.metadata as Record<string, unknown>).version;
    events.push(broken);
    dir = mkdtempSync(join(tmpdir(), "weft-ocsf-py-"));
    const file = join(dir, "events.json");
    writeFileSync(file, JSON.stringify(events));
    const out = execFileSync(PYTHON, [join(here, "python", "ocsf_crosscheck.py"), SCHEMA_PATH, file], {
      encoding: "utf8",
    });
    report = JSON.parse(out) as Report;
  }, 600_000);

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("every Weft event validates against ocsf-json-schema's 6003 schema (jsonschema 2020-12)", () => {
    expect(report.ocsf_json_schema.checked).toBe(count + 1);
    expect(report.ocsf_json_schema.errors.filter((e) => e.index !== count)).toEqual([]);
  });

  it("every Weft event parses with py-ocsf-models (base event, metadata, api, policy, resources)", () => {
    expect(report.py_ocsf_models.errors.filter((e) => e.index !== count)).toEqual([]);
    expect(report.py_ocsf_models.checked).toBe(count);
    // What that package cannot check (its models are OCSF 1.5.0 and stricter than 1.8.0 there).
    expect(report.py_ocsf_models.not_checked).toEqual(["actor.user", "api.service"]);
    expect(report.py_ocsf_models.models_ocsf_version).toBe("1.5.0");
  });

  it("both reject the broken event", () => {
    expect(report.ocsf_json_schema.errors.some((e) => e.index === count)).toBe(true);
    expect(report.py_ocsf_models.errors.some((e) => e.index === count)).toBe(true);
  });

  it("our generated schema matches theirs except for what OCSF extensions add", () => {
    // Their bundle includes the core extensions (Windows: process.hosted_services, observable
    // types 28/29/43/46); ours compiles the core schema only. `object` refs vs inline free-form
    // objects are the same constraint written two ways.
    const unexpected = report.schema_diff.filter((d) => {
      const theirs = d.theirs as { object?: string; enum?: number[] } | undefined;
      const ours = d.ours as { object?: string | null; enum?: number[] } | undefined;
      if (d.property === "hosted_services" && theirs?.object === "win_win_service") return false;
      if (theirs?.object === "object" && ours?.object === null) return false;
      if (d.object === "observable" && d.property === "type_id") {
        const extra = (theirs?.enum ?? []).filter((v) => !(ours?.enum ?? []).includes(v));
        const missing = (ours?.enum ?? []).filter((v) => !(theirs?.enum ?? []).includes(v));
        return !(missing.length === 0 && JSON.stringify(extra) === JSON.stringify([28, 29, 43, 46]));
      }
      return true;
    });
    expect(unexpected).toEqual([]);
  });
});

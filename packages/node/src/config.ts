// Reads @weft/node's settings: explicit options first, then the environment (the standard OTEL_*
// variables and Weft's WEFT_* ones), then defaults. Every bad value becomes one reported problem
// and a safe fallback; nothing here throws. docs/configuration.md is the table of these variables.

import type { Instrumentation } from "@opentelemetry/instrumentation";
import type { SpanProcessor } from "@opentelemetry/sdk-trace";
import type { Reporter } from "./report.js";

export const DEFAULT_STORE_PATH = "weft-audit.db";
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;

export type OtlpProtocol = "http/protobuf" | "http/json" | "grpc";
export type TraceExporterName = "otlp" | "console";
export type MetricExporterName = "otlp" | "console";

/** Options of `startWeft()`. Each overrides its environment variable; see docs/configuration.md. */
export interface WeftNodeOptions {
  /** `service.name` (default: `OTEL_SERVICE_NAME`, else the SDK's default). */
  serviceName?: string;
  /** Audit store file (`WEFT_STORE`, default `weft-audit.db`); `.jsonl` = JSONL, `":memory:"` = in memory only. */
  store?: string;
  /** HMAC secret of the store's chains (`WEFT_SECRET`, then `WEAVER_KERNEL_SECRET`). */
  secret?: string;
  /** SQLite fsync policy (`WEFT_STORE_SYNC`): `"FULL"` (default, durable on return) or `"NORMAL"`. */
  storeSync?: "FULL" | "NORMAL";
  /** OCSF 1.8.0 events of every span to a JSONL file path or an http(s) URL (`WEFT_OCSF`; default off). */
  ocsf?: string;
  /** Spans carry `weft.args.digest` when `"digest"` (`WEFT_CAPTURE_ARGS`; default `"none"`). */
  captureArgs?: "none" | "digest";
  /** Key of the args digest, >= 16 bytes (`WEFT_ARGS_DIGEST_KEY`; default a random per-process key). */
  argsDigestKey?: string;
  /** Kernel spans only under an active parent span (`WEFT_REQUIRE_PARENT_SPAN`; default false). */
  requireParentSpan?: boolean;
  /** Give every Kernel built without a `traceStore` the store's actions chain (`WEFT_ATTACH_KERNELS`; default true). */
  attachKernels?: boolean;
  /** Trace exporters (`OTEL_TRACES_EXPORTER`); default `["otlp"]` when an OTLP endpoint is set, else none. */
  tracesExporters?: TraceExporterName[];
  /** Metric exporters (`OTEL_METRICS_EXPORTER`); same default as traces. */
  metricsExporters?: MetricExporterName[];
  /** OTLP base URL (`OTEL_EXPORTER_OTLP_ENDPOINT`), e.g. `http://127.0.0.1:4318`. */
  otlpEndpoint?: string;
  /** OTLP protocol (`OTEL_EXPORTER_OTLP_PROTOCOL`; default `http/protobuf`). */
  otlpProtocol?: OtlpProtocol;
  /** More instrumentations for the SDK (HTTP, undici, your framework's). */
  instrumentations?: Instrumentation[];
  /** More span processors, after Weft's. */
  spanProcessors?: SpanProcessor[];
  /** Flush and close on exit, SIGTERM and SIGINT (default true). */
  handleExit?: boolean;
  /** Upper bound on shutdown's flush (`WEFT_SHUTDOWN_TIMEOUT_MS`; default 5000). */
  shutdownTimeoutMs?: number;
  /** Where problem lines go (default: stderr). */
  onProblem?: (line: string) => void;
}

export interface ResolvedConfig {
  serviceName: string | undefined;
  store: string;
  secret: string | undefined;
  storeSync: "FULL" | "NORMAL";
  ocsf: { kind: "file"; path: string } | { kind: "http"; url: string } | undefined;
  captureArgs: "none" | "digest";
  argsDigestKey: string | undefined;
  requireParentSpan: boolean;
  attachKernels: boolean;
  tracesExporters: TraceExporterName[];
  metricsExporters: MetricExporterName[];
  /** Explicit OTLP base URL from options; undefined = exporters read OTEL_* themselves. */
  otlpEndpoint: string | undefined;
  tracesProtocol: OtlpProtocol;
  metricsProtocol: OtlpProtocol;
  metricIntervalMs: number;
  shutdownTimeoutMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

function envValue(env: Env, name: string): string | undefined {
  const v = env[name]?.trim();
  return v === undefined || v === "" ? undefined : v;
}

const PROTOCOLS: readonly OtlpProtocol[] = ["http/protobuf", "http/json", "grpc"];

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

function parseBool(env: Env, name: string, fallback: boolean, reporter: Reporter): boolean {
  const v = envValue(env, name)?.toLowerCase();
  if (v === undefined) return fallback;
  if (v === "true" || v === "1" || v === "yes" || v === "on") return true;
  if (v === "false" || v === "0" || v === "no" || v === "off") return false;
  reporter.report({
    setting: "capture",
    fallback: "default",
    message: `${name} must be true or false; using ${fallback}.`,
  });
  return fallback;
}

function parseExporters<T extends string>(
  raw: string | undefined,
  name: string,
  known: readonly T[],
  otlpConfigured: boolean,
  reporter: Reporter,
): T[] {
  if (raw === undefined) return otlpConfigured ? (["otlp"] as T[]) : [];
  const out: T[] = [];
  for (const item of raw.split(",").map((s) => s.trim().toLowerCase())) {
    if (item === "" || item === "none") continue;
    if ((known as readonly string[]).includes(item)) {
      if (!out.includes(item as T)) out.push(item as T);
    } else {
      reporter.report({
        setting: "otlp",
        fallback: "disabled",
        message: `${name}: exporter "${item.slice(0, 40)}" is not supported by @weft/node (use ${known.join(", ")} or none); ignoring it.`,
      });
    }
  }
  return raw.split(",").some((s) => s.trim().toLowerCase() === "none") ? [] : out;
}

function protocolOf(env: Env, names: string[], fallback: OtlpProtocol, reporter: Reporter): OtlpProtocol {
  for (const name of names) {
    const v = envValue(env, name);
    if (v === undefined) continue;
    if ((PROTOCOLS as readonly string[]).includes(v)) return v as OtlpProtocol;
    reporter.report({
      setting: "otlp",
      fallback: "default",
      message: `${name} must be one of ${PROTOCOLS.join(", ")}; using ${fallback}.`,
    });
    return fallback;
  }
  return fallback;
}

/**
 * The OTLP endpoint variables must be http(s) URLs. A bad one disables OTLP export of the signals
 * it applies to (the exporter would otherwise throw at construction or post to a wrong place);
 * the value itself is never printed, because endpoints can carry credentials.
 */
function badEndpoints(env: Env, reporter: Reporter): { traces: boolean; metrics: boolean } {
  const bad = (name: string): boolean => {
    const v = envValue(env, name);
    return v !== undefined && !isHttpUrl(v);
  };
  const say = (name: string, what: string): void =>
    reporter.report({
      setting: "otlp",
      fallback: "disabled",
      message: `${name} is not an http(s) URL; OTLP ${what} export is off (spans still go to the audit store).`,
    });
  if (bad("OTEL_EXPORTER_OTLP_ENDPOINT")) {
    say("OTEL_EXPORTER_OTLP_ENDPOINT", "trace and metric");
    return { traces: true, metrics: true };
  }
  const traces = bad("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  if (traces) say("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "trace");
  const metrics = bad("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
  if (metrics) say("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "metric");
  return { traces, metrics };
}

export function resolveConfig(options: WeftNodeOptions, env: Env, reporter: Reporter): ResolvedConfig {
  let otlpEndpoint = options.otlpEndpoint;
  if (otlpEndpoint !== undefined && !isHttpUrl(otlpEndpoint)) {
    reporter.report({
      setting: "otlp",
      fallback: "disabled",
      message:
        "the otlpEndpoint option is not an http(s) URL; OTLP export is off (spans still go to the audit store).",
    });
    otlpEndpoint = undefined;
  }
  const explicitOk = options.otlpEndpoint === undefined || otlpEndpoint !== undefined;
  const envBad =
    otlpEndpoint === undefined && explicitOk
      ? badEndpoints(env, reporter)
      : { traces: false, metrics: false };
  const tracesOk = explicitOk && !envBad.traces;
  const metricsOk = explicitOk && !envBad.metrics;
  const anyEndpoint =
    otlpEndpoint !== undefined || envValue(env, "OTEL_EXPORTER_OTLP_ENDPOINT") !== undefined;
  const tracesConfigured = anyEndpoint || envValue(env, "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") !== undefined;
  const metricsConfigured = anyEndpoint || envValue(env, "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT") !== undefined;

  let tracesExporters =
    options.tracesExporters ??
    parseExporters<TraceExporterName>(
      envValue(env, "OTEL_TRACES_EXPORTER"),
      "OTEL_TRACES_EXPORTER",
      ["otlp", "console"],
      tracesConfigured,
      reporter,
    );
  let metricsExporters =
    options.metricsExporters ??
    parseExporters<MetricExporterName>(
      envValue(env, "OTEL_METRICS_EXPORTER"),
      "OTEL_METRICS_EXPORTER",
      ["otlp", "console"],
      metricsConfigured,
      reporter,
    );
  if (!tracesOk) tracesExporters = tracesExporters.filter((e) => e !== "otlp");
  if (!metricsOk) metricsExporters = metricsExporters.filter((e) => e !== "otlp");

  const base = protocolOf(env, ["OTEL_EXPORTER_OTLP_PROTOCOL"], "http/protobuf", reporter);
  const tracesProtocol =
    options.otlpProtocol ?? protocolOf(env, ["OTEL_EXPORTER_OTLP_TRACES_PROTOCOL"], base, reporter);
  const metricsProtocol =
    options.otlpProtocol ?? protocolOf(env, ["OTEL_EXPORTER_OTLP_METRICS_PROTOCOL"], base, reporter);

  let captureArgs = options.captureArgs ?? "none";
  const rawCapture = options.captureArgs === undefined ? envValue(env, "WEFT_CAPTURE_ARGS") : undefined;
  if (rawCapture !== undefined) {
    if (rawCapture === "none" || rawCapture === "digest") captureArgs = rawCapture;
    else
      reporter.report({
        setting: "capture",
        fallback: "default",
        message:
          'WEFT_CAPTURE_ARGS must be "none" or "digest"; using "none" (no trace of arguments on spans).',
      });
  }

  let storeSync = options.storeSync ?? "FULL";
  const rawSync =
    options.storeSync === undefined ? envValue(env, "WEFT_STORE_SYNC")?.toUpperCase() : undefined;
  if (rawSync !== undefined) {
    if (rawSync === "FULL" || rawSync === "NORMAL") storeSync = rawSync;
    else
      reporter.report({
        setting: "store",
        fallback: "default",
        message: 'WEFT_STORE_SYNC must be "FULL" or "NORMAL"; using "FULL".',
      });
  }

  let ocsf: ResolvedConfig["ocsf"];
  const rawOcsf = options.ocsf ?? envValue(env, "WEFT_OCSF");
  if (rawOcsf !== undefined && rawOcsf !== "") {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(rawOcsf)) {
      if (isHttpUrl(rawOcsf)) ocsf = { kind: "http", url: rawOcsf };
      else
        reporter.report({
          setting: "ocsf",
          fallback: "disabled",
          message: "WEFT_OCSF is a URL but not http(s); OCSF export is off.",
        });
    } else ocsf = { kind: "file", path: rawOcsf };
  }

  let shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const rawTimeout =
    options.shutdownTimeoutMs === undefined ? envValue(env, "WEFT_SHUTDOWN_TIMEOUT_MS") : undefined;
  if (rawTimeout !== undefined) {
    const n = Number(rawTimeout);
    if (Number.isInteger(n) && n >= 0 && n <= 600_000) shutdownTimeoutMs = n;
    else
      reporter.report({
        setting: "start",
        fallback: "default",
        message: `WEFT_SHUTDOWN_TIMEOUT_MS must be an integer from 0 to 600000; using ${DEFAULT_SHUTDOWN_TIMEOUT_MS}.`,
      });
  }

  const interval = Number(envValue(env, "OTEL_METRIC_EXPORT_INTERVAL"));
  return {
    serviceName: options.serviceName ?? envValue(env, "OTEL_SERVICE_NAME"),
    store: options.store ?? envValue(env, "WEFT_STORE") ?? DEFAULT_STORE_PATH,
    secret: options.secret ?? envValue(env, "WEFT_SECRET") ?? envValue(env, "WEAVER_KERNEL_SECRET"),
    storeSync,
    ocsf,
    captureArgs,
    argsDigestKey: options.argsDigestKey ?? envValue(env, "WEFT_ARGS_DIGEST_KEY"),
    requireParentSpan:
      options.requireParentSpan ?? parseBool(env, "WEFT_REQUIRE_PARENT_SPAN", false, reporter),
    attachKernels: options.attachKernels ?? parseBool(env, "WEFT_ATTACH_KERNELS", true, reporter),
    tracesExporters,
    metricsExporters,
    otlpEndpoint,
    tracesProtocol,
    metricsProtocol,
    metricIntervalMs: Number.isInteger(interval) && interval > 0 ? interval : 60_000,
    shutdownTimeoutMs,
  };
}

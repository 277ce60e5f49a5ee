// The real OpenTelemetry Collector for end-to-end tests: built from Go modules by
// scripts/build-collector (cached by manifest hash), started as a child process on free loopback
// ports, stopped with SIGTERM or killed with SIGKILL.

import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, waitFor } from "./ports.js";
import { LoggedProcess } from "./process.js";

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
export const COLLECTOR_CONFIG = join(REPO_ROOT, "collector-config/otelcol.yaml");
export const GATEWAY_CONFIG = join(REPO_ROOT, "collector-config/gateway.yaml");

export type CollectorBuild = { ok: true; binary: string } | { ok: false; reason: string };

/**
 * Builds (or finds) the collector. Returns a reason instead of throwing when the machine cannot
 * build it (no Go), so the suite can print a loud SKIPPED line; any other failure is an error.
 */
export function buildCollector(): CollectorBuild {
  const go = spawnSync("go", ["version"], { encoding: "utf8" });
  if (go.error || go.status !== 0) {
    return { ok: false, reason: `Go is not available (${go.error?.message ?? go.stderr.trim()})` };
  }
  const result = spawnSync(join(REPO_ROOT, "scripts/build-collector"), [], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    timeout: 590_000,
  });
  const binary = result.stdout.trim().split("\n").pop() ?? "";
  if (result.status !== 0 || !existsSync(binary)) {
    throw new Error(`scripts/build-collector failed (status ${result.status}): ${result.stdout}`);
  }
  return { ok: true, binary };
}

export interface CollectorPorts {
  grpc: number;
  http: number;
  telemetry: number;
}

export async function allocateCollectorPorts(): Promise<CollectorPorts> {
  return { grpc: await freePort(), http: await freePort(), telemetry: await freePort() };
}

export class CollectorProcess {
  readonly binary: string;
  readonly ports: CollectorPorts;
  readonly outDir: string;
  readonly config: string;
  readonly extraEnv: Record<string, string>;
  private process: LoggedProcess | undefined;
  /** Output of every run so far (a restarted collector appends to it). */
  private previousLog = "";

  /** `config` defaults to collector-config/otelcol.yaml; `extraEnv` adds variables (e.g. the gateway's upstream). */
  constructor(
    binary: string,
    ports: CollectorPorts,
    outDir: string,
    options: { config?: string; env?: Record<string, string> } = {},
  ) {
    this.binary = binary;
    this.ports = ports;
    this.outDir = outDir;
    this.config = options.config ?? COLLECTOR_CONFIG;
    this.extraEnv = options.env ?? {};
  }

  get endpoint(): string {
    return `http://127.0.0.1:${this.ports.http}`;
  }

  get output(): string {
    return this.previousLog + (this.process?.log ?? "");
  }

  /** Starts the collector and waits until its OTLP receivers accept data. */
  async start(): Promise<void> {
    mkdirSync(this.outDir, { recursive: true });
    if (this.process !== undefined) this.previousLog += this.process.log;
    const proc = new LoggedProcess(this.binary, ["--config", this.config], {
      env: {
        ...process.env,
        WEFT_OTLP_GRPC_ENDPOINT: `127.0.0.1:${this.ports.grpc}`,
        WEFT_OTLP_HTTP_ENDPOINT: `127.0.0.1:${this.ports.http}`,
        WEFT_OTELCOL_OUT_DIR: this.outDir,
        WEFT_OTELCOL_TELEMETRY_PORT: String(this.ports.telemetry),
        ...this.extraEnv,
      },
    });
    this.process = proc;
    await waitFor(
      "the collector to be ready",
      () => {
        if (proc.exited) throw new Error(`collector exited during start:\n${proc.log}`);
        return proc.log.includes("Everything is ready") ? true : undefined;
      },
      { attempts: 600, intervalMs: 50 },
    );
  }

  /** SIGKILL: no flush, no goodbye — a crashed collector. */
  async kill(): Promise<void> {
    await this.signal("SIGKILL");
  }

  /** SIGTERM: graceful shutdown, flushes the file exporter. */
  async stop(): Promise<void> {
    await this.signal("SIGTERM");
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    await this.process?.stop(signal);
  }

  tracesText(): string {
    const path = join(this.outDir, "traces.jsonl");
    return existsSync(path) ? readFileSync(path, "utf8") : "";
  }

  metricsText(): string {
    const path = join(this.outDir, "metrics.jsonl");
    return existsSync(path) ? readFileSync(path, "utf8") : "";
  }
}

/** Runs `otelcol validate`; returns its exit status and output. */
export function validateConfig(
  binary: string,
  config: string,
  env: Record<string, string> = {},
): { status: number | null; output: string } {
  const result = spawnSync(binary, ["validate", "--config", config], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

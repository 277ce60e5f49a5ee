// A real Prometheus server (Debian package) for end-to-end tests: installed with apt-get when
// missing (CI runs as root), started on a free loopback port with a scrape config for one target,
// queried through its HTTP API.

import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, waitFor } from "./ports.js";
import { LoggedProcess } from "./process.js";

export type PrometheusInstall = { ok: true; binary: string } | { ok: false; reason: string };

function which(name: string): string | undefined {
  const result = spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" });
  const path = result.stdout.trim();
  return result.status === 0 && path ? path : undefined;
}

/** Finds prometheus, or installs the Debian package. Returns a reason when neither is possible. */
export function ensurePrometheus(): PrometheusInstall {
  const found = which("prometheus");
  if (found) return { ok: true, binary: found };
  if (!which("apt-get"))
    return { ok: false, reason: "prometheus is not installed and apt-get is unavailable" };
  if (typeof process.getuid === "function" && process.getuid() !== 0) {
    return { ok: false, reason: "prometheus is not installed and installing it needs root (apt-get)" };
  }
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const update = spawnSync("apt-get", ["update"], { encoding: "utf8", env, timeout: 300_000 });
  if (update.status !== 0)
    return { ok: false, reason: `apt-get update failed: ${update.stderr.slice(-500)}` };
  const install = spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "prometheus"], {
    encoding: "utf8",
    env,
    timeout: 400_000,
  });
  if (install.status !== 0) {
    return { ok: false, reason: `apt-get install prometheus failed: ${install.stderr.slice(-500)}` };
  }
  const binary = which("prometheus");
  return binary ? { ok: true, binary } : { ok: false, reason: "prometheus installed but not on PATH" };
}

export class PrometheusProcess {
  private process: LoggedProcess | undefined;
  port = 0;

  constructor(
    private readonly binary: string,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get output(): string {
    return this.process?.log ?? "";
  }

  /** Starts Prometheus scraping `target` (host:port, path /metrics) every second. */
  async start(target: string, job: string): Promise<void> {
    this.port = await freePort();
    mkdirSync(join(this.dir, "data"), { recursive: true });
    const config = join(this.dir, "prometheus.yml");
    writeFileSync(
      config,
      [
        "global:",
        "  scrape_interval: 1s",
        "  scrape_timeout: 900ms",
        "scrape_configs:",
        `  - job_name: ${job}`,
        "    static_configs:",
        `      - targets: ["${target}"]`,
        "",
      ].join("\n"),
    );
    const proc = new LoggedProcess(this.binary, [
      `--config.file=${config}`,
      `--storage.tsdb.path=${join(this.dir, "data")}`,
      `--web.listen-address=127.0.0.1:${this.port}`,
      "--web.enable-lifecycle",
    ]);
    this.process = proc;
    await waitFor("prometheus to be ready", async () => {
      if (proc.exited) throw new Error(`prometheus exited during start:\n${proc.log}`);
      const response = await fetch(`${this.url}/-/ready`);
      return response.ok ? true : undefined;
    });
  }

  /** Instant query; returns `metric labels + value` per series. */
  async query(expr: string): Promise<Array<{ metric: Record<string, string>; value: number }>> {
    const response = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await response.json()) as {
      status: string;
      data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
    };
    if (body.status !== "success" || !body.data)
      throw new Error(`query ${expr} failed: ${JSON.stringify(body)}`);
    return body.data.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  }

  /** Health of the scrape target as Prometheus sees it ("up", "down", "unknown"). */
  async targetHealth(): Promise<string | undefined> {
    const response = await fetch(`${this.url}/api/v1/targets`);
    const body = (await response.json()) as { data?: { activeTargets?: Array<{ health: string }> } };
    return body.data?.activeTargets?.[0]?.health;
  }

  async stop(): Promise<void> {
    await this.process?.stop("SIGTERM");
  }
}

// `weft audit serve` as a user runs it: the built CLI in a child process, its URL (with the token)
// read from stdout, stopped with SIGTERM (or SIGKILLed if a test fails before that).

import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { WEFT_BIN } from "./demo.js";

export interface ServeProcess {
  child: ChildProcess;
  /** The printed URL, `http://127.0.0.1:PORT/?token=…`. */
  url: string;
  origin: string;
  token: string;
  port: number;
  output: () => string;
  stop: () => Promise<void>;
}

const live = new Set<ChildProcess>();

export function killServers(): void {
  for (const c of live) c.kill("SIGKILL");
  live.clear();
}

export async function startServe(args: string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [WEFT_BIN, "audit", "serve", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(child);
  let out = "";
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    out += c.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve printed no URL in 30 s:\n${out}`)), 30_000);
    const check = () => {
      const m = /weft audit serve: (http:\/\/\S+)/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout.on("data", check);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before printing its URL:\n${out}`));
    });
  });
  const u = new URL(url);
  return {
    child,
    url,
    origin: u.origin,
    token: u.searchParams.get("token") ?? "",
    port: Number(u.port),
    output: () => out,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGTERM");
      await exited;
      live.delete(child);
    },
  };
}

/** Runs the built CLI once and returns stdout (throws with stderr on a non-zero exit). */
export function weft(
  args: string[],
  env: Record<string, string> = {},
): { stdout: string; status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [WEFT_BIN, ...args], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  });
  return { stdout: r.stdout, status: r.status, stderr: r.stderr };
}

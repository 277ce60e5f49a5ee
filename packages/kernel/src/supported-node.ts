// Refuses to load on a Node.js older than Weft supports. Every Weft library imports @weft/kernel,
// and any module of the graph that throws while it is evaluated fails the whole import, so an old
// Node gets this one clear error at import instead of a segfault later (better-sqlite3 built for
// Node 22 crashes Node 20 outright, and only when the first database opens).

import { WeftError } from "./errors.js";

/** The oldest Node.js release Weft runs on (the `engines` field of every package says the same). */
export const MIN_NODE_VERSION = "22.15.0";

/** Thrown at import on a Node.js older than {@link MIN_NODE_VERSION}. */
export class UnsupportedNodeError extends WeftError {
  readonly nodeVersion: string;
  constructor(nodeVersion: string) {
    super(
      "UNSUPPORTED_NODE",
      `Weft needs Node.js >= ${MIN_NODE_VERSION} (22 or 24 LTS); this is Node.js ${nodeVersion}. ` +
        "Upgrade Node.js, or see docs/troubleshooting.md#node-too-old.",
    );
    this.nodeVersion = nodeVersion;
  }
}

/** True when `version` ("22.15.0", "v24.1.0") is at least {@link MIN_NODE_VERSION}. */
export function isSupportedNode(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
  const [minMajor = 0, minMinor = 0] = MIN_NODE_VERSION.split(".").map(Number);
  return major > minMajor || (major === minMajor && minor >= minMinor);
}

// Bun and Deno report a Node-compatible version here too; a missing one means a non-Node runtime
// we cannot judge, so it is let through.
const running = globalThis.process?.versions?.node;
if (typeof running === "string" && !isSupportedNode(running)) throw new UnsupportedNodeError(running);

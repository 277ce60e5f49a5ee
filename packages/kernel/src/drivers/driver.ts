// The driver port: something that executes a capability and returns raw data for the firewall.

import type { RawResult } from "../models.js";

export interface ExecutionContext {
  capabilityId: string;
  principalId: string;
  /** The caller's args, unredacted — drivers need them; the kernel never traces them raw. */
  args: Record<string, unknown>;
  /** The token's signed constraints. */
  constraints: Record<string, unknown>;
  actionId: string;
  /** Aborted when the invoke's deadline (`invoke_timeout_s` constraint) passes. */
  signal?: AbortSignal;
  /** The invoke's deadline in milliseconds, when the token sets one (for a driver's own request timeout). */
  timeoutMs?: number;
  /**
   * Telemetry attributes about this execution (e.g. an MCP session id, `error.type`) that the kernel
   * hands to instrumentation on its invoke message. Never argument or result values. Present only
   * while someone listens; calling it is always optional.
   */
  annotate?: (attributes: Readonly<Record<string, string | number | boolean>>) => void;
}

export interface Driver {
  readonly driverId: string;
  execute(ctx: ExecutionContext): Promise<RawResult>;
  /** Whether this driver can serve the capability; used by the default router. Absent = yes. */
  handles?(capabilityId: string): boolean;
}

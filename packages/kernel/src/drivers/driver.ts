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
}

export interface Driver {
  readonly driverId: string;
  execute(ctx: ExecutionContext): Promise<RawResult>;
  /** Whether this driver can serve the capability; used by the default router. Absent = yes. */
  handles?(capabilityId: string): boolean;
}

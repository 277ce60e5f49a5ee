// The exporter's view of @weft/wire's time grammar: a malformed stamp is an OcsfMappingError.
import { time } from "@weft/wire";
import { OcsfMappingError } from "./errors.js";

export type HrTime = time.HrTime;
export const hrTimeToMillis = time.hrTimeToMillis;

function malformed(iso: string): never {
  throw new OcsfMappingError(
    `invokedAt is not an ISO-8601 timestamp: ${JSON.stringify(String(iso).slice(0, 64))}`,
  );
}

/** Epoch milliseconds, truncated (exact integer arithmetic); no offset means UTC. */
export function isoToEpochMillis(iso: string): number {
  return time.isoToEpochMillis(iso) ?? malformed(iso);
}

/** weaver-kernel's `int(invoked_at.timestamp() * 1000)`, rounded exactly as Python rounds it. */
export function pythonTimestampMillis(iso: string): number {
  return time.pythonTimestampMillis(iso) ?? malformed(iso);
}

// How an operation's outcome is written onto its channel message: one place per kind of outcome,
// so every operation reports failures (and driver results) the same way.

import { createHmac } from "node:crypto";
import type { InvokeMessage } from "./channels.js";
import { ReasonedWeftError, WeftError } from "./errors.js";
import { canonicalJson } from "./pyjson.js";

/** The stable code a failure is reported under; anything not a WeftError is "UNEXPECTED". */
export function errorCode(err: unknown): string {
  return err instanceof WeftError ? err.code : "UNEXPECTED";
}

/** The message text of any thrown value. */
export function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Records a failure: its code, and its reason code when it carries one. */
export function noteFailure(
  msg: { errorCode?: string; reasonCode?: string } | undefined,
  err: unknown,
): void {
  if (msg === undefined) return;
  msg.errorCode = errorCode(err);
  if (err instanceof ReasonedWeftError && err.reasonCode !== null) msg.reasonCode = err.reasonCode;
}

/** What the driver loop did: the drivers tried, the one that answered (or failed last), fallback. */
export interface DriverOutcomeNote {
  driverId: string;
  tried: string[];
  fellBack: boolean;
}

/** Records an invoke's outcome after the drivers ran, whether it then succeeded or failed. */
export function noteOutcome(
  msg: InvokeMessage | undefined,
  responseMode: string,
  outcome: DriverOutcomeNote | undefined,
): void {
  if (msg === undefined) return;
  msg.responseMode = responseMode;
  if (outcome === undefined) {
    msg.driversTried = [];
    msg.fallback = false;
    return;
  }
  if (outcome.driverId !== "") msg.driverId = outcome.driverId;
  msg.driversTried = outcome.tried;
  msg.fallback = outcome.fellBack;
}

/** Collects a driver's telemetry attributes onto the invoke message (built only while listened to). */
export function annotator(
  msg: InvokeMessage,
): (attributes: Readonly<Record<string, string | number | boolean>>) => void {
  return (attributes) => {
    msg.driverAttributes = { ...msg.driverAttributes, ...attributes };
  };
}

/**
 * The message's `digestArgs`: a small closure over the args (an own property, so it survives a
 * subscriber copying the message and works unbound); the canonical JSON and HMAC are computed
 * only when a subscriber asks.
 */
export function argsDigester(
  args: Record<string, unknown> | undefined,
): (key: string | Uint8Array) => string {
  return (key) =>
    createHmac("sha256", key)
      .update(canonicalJson(args ?? {}), "utf8")
      .digest("hex");
}

// ActionTrace <-> persisted payload: the kernel's codec (the reference's `_trace_codec`: the
// 16-key export dict with `correction: null`), plus the checks the store needs at its boundary.

import { type ActionTrace, decodeTrace, exportActionTrace } from "@weft/kernel";
import { time } from "@weft/wire";
import { InvalidArgumentError } from "./errors.js";
import type { JsonValue } from "./types.js";

/** The payload hashed and stored for one ActionTrace. */
export function encodeActionTrace(t: ActionTrace): unknown {
  if (typeof t.actionId !== "string" || t.actionId === "") {
    throw new InvalidArgumentError("ActionTrace.actionId must be a non-empty string");
  }
  // Range queries compare stored stamps as text, which is only time order in this one layout.
  if (!time.PY_ISO_UTC.test(t.invokedAt) || time.parseIso(t.invokedAt) === null) {
    throw new InvalidArgumentError(
      `ActionTrace.invokedAt must be UTC in isoformat layout (YYYY-MM-DDTHH:MM:SS[.ffffff]+00:00), got ${JSON.stringify(t.invokedAt)}`,
    );
  }
  return exportActionTrace(t);
}

/** Decodes a stored payload; `fail(reason)` builds the error (it knows the file and seq). */
export function decodeActionPayload(payload: JsonValue, fail: (reason: string) => Error): ActionTrace {
  try {
    return decodeTrace(payload);
  } catch (e) {
    throw fail(e instanceof Error ? e.message : "undecodable trace payload");
  }
}

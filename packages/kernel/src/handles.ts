// HandleStore: full results kept behind an opaque handle for a TTL, expanded later under the
// grant's caps (principal binding, max_rows, allowed_fields, scope). Reference `handles.py` +
// `handle_query.py`.

import { randomUUID } from "node:crypto";
import { repr, time } from "@weft/wire";
import {
  HandleConstraintViolationError,
  HandleExpiredError,
  HandleNotFoundError,
  InvalidArgumentError,
} from "./errors.js";
import { pyRepr } from "./firewall/pyrepr.js";
import { isPlainObject, redact } from "./firewall/redact.js";
import type { Frame, Handle } from "./models.js";
import { DenialReason } from "./reasons.js";

export interface ExpandQuery {
  offset?: number;
  limit?: number;
  fields?: string[];
  /** Equality filter, AND-combined. */
  filter?: Record<string, unknown>;
}

export interface HandleStoreOptions {
  /** Default 3600. */
  defaultTtlS?: number;
  /** Default 10 000; oldest handles are dropped beyond it. */
  maxEntries?: number;
  /** Clock in epoch microseconds (tests). */
  clock?: () => number;
}

interface Entry {
  handle: Handle;
  data: unknown;
  expiresUs: number;
}

const EVICT_INTERVAL = 128;

export class HandleStore {
  readonly #entries = new Map<string, Entry>();
  readonly #ttlS: number;
  readonly #maxEntries: number;
  readonly #clock: () => number;
  #stores = 0;
  // Insertion-order queue for eviction: re-finding a Map's first key after many deletions walks
  // V8's tombstones, which made each store O(n) once the store was full.
  #order: string[] = [];
  #head = 0;

  constructor(options: HandleStoreOptions = {}) {
    this.#ttlS = options.defaultTtlS ?? 3600;
    this.#maxEntries = options.maxEntries ?? 10_000;
    if (!(this.#ttlS > 0)) throw new InvalidArgumentError(`defaultTtlS must be positive, got ${this.#ttlS}.`);
    if (!(this.#maxEntries > 0))
      throw new InvalidArgumentError(`maxEntries must be positive, got ${this.#maxEntries}.`);
    this.#clock = options.clock ?? time.nowMicros;
  }

  store(
    capabilityId: string,
    data: unknown,
    options: { ttlS?: number; principalId?: string; constraints?: Record<string, unknown> } = {},
  ): Handle {
    const now = this.#clock();
    const ttlUs = Math.round((options.ttlS ?? this.#ttlS) * 1_000_000);
    const handle: Handle = {
      handleId: randomUUID(),
      capabilityId,
      createdAt: time.formatMicros(now),
      expiresAt: time.formatMicros(now + ttlUs),
      totalRows: Array.isArray(data) ? data.length : 1,
      principalId: options.principalId ?? "",
      constraints: Object.freeze({ ...options.constraints }),
    };
    // Frozen: `expand` enforces the caps of this stored object, so callers must not be able to edit it.
    Object.freeze(handle);
    this.#entries.set(handle.handleId, { handle, data, expiresUs: now + ttlUs });
    if (++this.#stores % EVICT_INTERVAL === 0) this.evictExpired();
    this.#order.push(handle.handleId);
    while (this.#entries.size > this.#maxEntries) {
      // Oldest first; ids already dropped (expired, evicted) are skipped.
      const oldest = this.#order[this.#head++];
      if (oldest === undefined) break;
      this.#entries.delete(oldest);
    }
    if (this.#head > 4096 && this.#head * 2 > this.#order.length) {
      this.#order = this.#order.slice(this.#head);
      this.#head = 0;
    }
    return handle;
  }

  /** The stored data; HandleNotFoundError / HandleExpiredError otherwise. */
  get(handleId: string): unknown {
    const e = this.#entries.get(handleId);
    if (e === undefined)
      throw new HandleNotFoundError(`Handle ${repr.quoted(handleId)} not found. It may have been evicted.`);
    if (e.expiresUs <= this.#clock()) {
      this.#entries.delete(handleId);
      throw new HandleExpiredError(`Handle ${repr.quoted(handleId)} expired at ${e.handle.expiresAt}.`);
    }
    return e.data;
  }

  getMeta(handleId: string): Handle {
    const e = this.#entries.get(handleId);
    if (e === undefined) throw new HandleNotFoundError(`Handle ${repr.quoted(handleId)} not found.`);
    return e.handle;
  }

  evictExpired(): number {
    const now = this.#clock();
    let n = 0;
    for (const [id, e] of this.#entries) {
      if (e.expiresUs <= now) {
        this.#entries.delete(id);
        n++;
      }
    }
    // Ids of expired handles stay in the eviction queue; rebuild it so it cannot grow without bound.
    if (this.#order.length - this.#head > 2 * this.#entries.size + 1024) {
      this.#order = [...this.#entries.keys()];
      this.#head = 0;
    }
    return n;
  }

  size(): number {
    return this.#entries.size;
  }

  /**
   * Pages through a handle's rows under the constraints the handle was stored with (those of the
   * grant, not of the caller's handle object, so a caller cannot widen its own caps).
   */
  expand(
    handle: Handle,
    query: ExpandQuery,
    options: { actionId?: string; principalId?: string; maxDepth?: number } = {},
  ): Frame {
    const principalId = options.principalId ?? "";
    const stored = this.#entries.get(handle?.handleId)?.handle ?? handle;
    const hid = repr.quoted(stored.handleId);
    const violation = (msg: string, code: DenialReason) => new HandleConstraintViolationError(msg, code);
    if (stored.principalId && stored.principalId !== principalId)
      throw violation(
        `Handle ${hid} was granted to principal ${repr.quoted(stored.principalId)} and cannot be expanded by ${repr.quoted(principalId || "<unspecified>")}.`,
        DenialReason.HANDLE_PRINCIPAL_MISMATCH,
      );
    if (typeof query !== "object" || query === null || Array.isArray(query))
      throw violation("Handle expand query must be an object.", DenialReason.INVALID_CONSTRAINT);
    const rawFilter = query.filter;
    if (rawFilter !== undefined && rawFilter !== null && !isPlainObject(rawFilter))
      throw violation(
        `Handle expand 'filter' must be a dict, got ${typeName(rawFilter)}.`,
        DenialReason.INVALID_CONSTRAINT,
      );
    const rawFields = query.fields;
    if (rawFields !== undefined && rawFields !== null && !Array.isArray(rawFields))
      throw violation(
        `Handle expand 'fields' must be a list, got ${typeName(rawFields)}.`,
        DenialReason.INVALID_CONSTRAINT,
      );

    const grantedMaxRows = stored.constraints.max_rows;
    const grantedFields = Array.isArray(stored.constraints.allowed_fields)
      ? (stored.constraints.allowed_fields as string[])
      : [];
    const grantedScope = isPlainObject(stored.constraints.scope) ? stored.constraints.scope : {};
    const requestedFields = [...(rawFields ?? [])] as string[];
    if (grantedFields.length > 0 && requestedFields.length > 0) {
      const disallowed = requestedFields.filter((f) => !grantedFields.includes(f));
      if (disallowed.length > 0)
        throw violation(
          `Handle ${hid} grant restricts fields to ${repr.strList([...grantedFields].sort())}; request asked for ${repr.strList(disallowed.sort())}.`,
          DenialReason.HANDLE_CONSTRAINT_VIOLATION,
        );
    }
    const filterIn: Record<string, unknown> = rawFilter ?? {};
    for (const [sk, sv] of Object.entries(grantedScope)) {
      if (Object.hasOwn(filterIn, sk) && !jsonEqual(filterIn[sk], sv))
        throw violation(
          `Handle ${hid} is scoped to ${sk}=${pyRepr(sv)}; request filter ${sk}=${pyRepr(filterIn[sk])} is outside that scope.`,
          DenialReason.HANDLE_CONSTRAINT_VIOLATION,
        );
    }
    const offset = toInt(query.offset ?? 0);
    if (offset === undefined)
      throw violation(
        `Handle expand 'offset' must be an integer, got ${pyRepr(query.offset)}.`,
        DenialReason.INVALID_CONSTRAINT,
      );
    if (offset < 0)
      throw violation(
        `Handle expand 'offset' must be non-negative, got ${offset}.`,
        DenialReason.INVALID_CONSTRAINT,
      );
    let requestedLimit: number | undefined;
    if (query.limit !== undefined && query.limit !== null) {
      requestedLimit = toInt(query.limit);
      if (requestedLimit === undefined)
        throw violation(
          `Handle expand 'limit' must be an integer, got ${pyRepr(query.limit)}.`,
          DenialReason.INVALID_CONSTRAINT,
        );
      if (requestedLimit < 0)
        throw violation(
          `Handle expand 'limit' must be non-negative, got ${requestedLimit}.`,
          DenialReason.INVALID_CONSTRAINT,
        );
    }
    if (typeof grantedMaxRows === "number" && Number.isInteger(grantedMaxRows) && grantedMaxRows >= 0) {
      if (requestedLimit !== undefined && requestedLimit > grantedMaxRows)
        throw violation(
          `Handle ${hid} grant caps rows at ${grantedMaxRows}; request asked for limit=${requestedLimit}.`,
          DenialReason.HANDLE_CONSTRAINT_VIOLATION,
        );
    }

    const data = this.get(stored.handleId);
    let rows: unknown[] = Array.isArray(data) ? data : [data];
    const filterSpec: Record<string, unknown> = { ...filterIn };
    for (const [sk, sv] of Object.entries(grantedScope))
      if (!Object.hasOwn(filterSpec, sk)) filterSpec[sk] = sv;
    const filterEntries = Object.entries(filterSpec);
    if (filterEntries.length > 0)
      rows = rows.filter((r) => isPlainObject(r) && filterEntries.every(([k, v]) => jsonEqual(r[k], v)));
    let limit = requestedLimit ?? rows.length;
    if (typeof grantedMaxRows === "number" && Number.isInteger(grantedMaxRows) && grantedMaxRows >= 0)
      limit = Math.min(limit, grantedMaxRows);
    rows = rows.slice(offset, offset + limit);
    const effectiveFields = requestedFields.length > 0 ? requestedFields : grantedFields;
    if (effectiveFields.length > 0)
      rows = rows.map((r) =>
        isPlainObject(r)
          ? Object.fromEntries(Object.entries(r).filter(([k]) => effectiveFields.includes(k)))
          : r,
      );
    const preview: Record<string, unknown>[] =
      rows.length === 0
        ? []
        : isPlainObject(rows[0])
          ? (rows as Record<string, unknown>[])
          : rows.map((r) => ({ value: r }));
    const { value, warnings } = redact(
      preview,
      options.maxDepth === undefined ? {} : { maxDepth: options.maxDepth },
    );
    const actionId = options.actionId ?? "";
    return {
      actionId,
      capabilityId: stored.capabilityId,
      responseMode: "table",
      facts: [],
      tablePreview: value,
      handle: stored,
      warnings,
      provenance: {
        capabilityId: stored.capabilityId,
        principalId,
        invokedAt: time.formatMicros(this.#clock()),
        actionId,
      },
      rawData: null,
      isFinal: false,
    };
  }
}

function typeName(v: unknown): string {
  if (Array.isArray(v)) return "list";
  if (typeof v === "string") return "str";
  if (typeof v === "number") return Number.isInteger(v) ? "int" : "float";
  if (typeof v === "boolean") return "bool";
  return typeof v === "object" ? "dict" : typeof v;
}

/** Python `int(x)` for offset/limit values; undefined where Python raises. */
function toInt(v: unknown): number | undefined {
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return Number.isFinite(v) ? Math.trunc(v) : undefined;
  if (typeof v === "string" && /^\s*[+-]?\d+\s*$/.test(v)) return Number.parseInt(v, 10);
  return undefined;
}

function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

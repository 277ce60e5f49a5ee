// The Firewall turns a driver's raw result into a bounded, redacted Frame in the effective
// response mode. Every tool output passes through it; `raw` is reserved for role `admin`.

import { time } from "@weft/wire";
import type { Frame, Handle, RawResult } from "../models.js";
import type { ResponseMode } from "../trace.js";
import { redact } from "./redact.js";
import { summarize } from "./summarize.js";

export interface Budgets {
  /** Rows in a `table` preview when the grant sets no max_rows. */
  maxRows: number;
  /** Fields kept per table row. */
  maxFields: number;
  /** Character budget for summary facts (and the raw-size warning). */
  maxChars: number;
  /** Nesting depth scanned by redaction; deeper containers are elided. */
  maxDepth: number;
}

export const DEFAULT_BUDGETS: Readonly<Budgets> = { maxRows: 50, maxFields: 20, maxChars: 4000, maxDepth: 3 };

export interface TransformOptions {
  actionId: string;
  principalId: string;
  principalRoles: readonly string[];
  responseMode: ResponseMode;
  constraints?: Record<string, unknown>;
  handle?: Handle | null;
}

export class Firewall {
  readonly budgets: Readonly<Budgets>;

  constructor(budgets: Partial<Budgets> = {}) {
    this.budgets = Object.freeze({ ...DEFAULT_BUDGETS, ...budgets });
  }

  transform(raw: RawResult, options: TransformOptions): Frame {
    const constraints = options.constraints ?? {};
    const maxRows =
      typeof constraints.max_rows === "number" ? Math.trunc(constraints.max_rows) : this.budgets.maxRows;
    const allowedFields = Array.isArray(constraints.allowed_fields)
      ? constraints.allowed_fields.filter((f): f is string => typeof f === "string")
      : [];
    const { value: data, warnings } = redact(raw.data, {
      allowedFields: allowedFields.length > 0 ? allowedFields : null,
      maxDepth: this.budgets.maxDepth,
    });
    const handle = options.handle ?? null;
    const frame: Frame = {
      actionId: options.actionId,
      capabilityId: raw.capabilityId,
      responseMode: "summary",
      facts: [],
      tablePreview: [],
      handle,
      warnings,
      provenance: {
        capabilityId: raw.capabilityId,
        principalId: options.principalId,
        invokedAt: time.nowIso(),
        actionId: options.actionId,
      },
      rawData: null,
      isFinal: false,
    };
    let mode = options.responseMode;
    if (mode === "raw") {
      if (!options.principalRoles.includes("admin")) {
        warnings.push("raw mode requires admin role; falling back to summary.");
        mode = "summary";
      } else {
        const size = estimatedSize(data);
        if (size > this.budgets.maxChars)
          warnings.push(
            `raw output (${size} chars) exceeds budget (${this.budgets.maxChars} chars); data returned untruncated.`,
          );
        frame.responseMode = "raw";
        frame.rawData = data;
        return frame;
      }
    }
    if (mode === "handle_only") {
      frame.responseMode = "handle_only";
      return frame;
    }
    if (mode === "table") {
      frame.responseMode = "table";
      frame.tablePreview = this.#table(data, maxRows);
      return frame;
    }
    let total = 0;
    for (const fact of summarize(data, 20)) {
      total += fact.length;
      if (total > this.budgets.maxChars) break;
      frame.facts.push(fact);
    }
    return frame;
  }

  #table(data: unknown, maxRows: number): Record<string, unknown>[] {
    const rows = Array.isArray(data) ? data.slice(0, Math.max(maxRows, 0)) : [data];
    return rows.map((row) => {
      if (typeof row === "object" && row !== null && !Array.isArray(row)) {
        return Object.fromEntries(Object.entries(row).slice(0, this.budgets.maxFields));
      }
      return { value: row };
    });
  }
}

/** Approximate serialized size in characters (only compared against budgets). */
export function estimatedSize(value: unknown): number {
  try {
    return JSON.stringify(value)?.length ?? 4;
  } catch {
    return String(value).length;
  }
}

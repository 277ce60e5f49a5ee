// Exports ActionTraces (for example a chained store's "actions" chain) as OCSF 1.8.0 events to a
// sink, in order, in batches. The CLI's `weft audit export --format ocsf` builds on this.
import type { ActionTrace } from "@weft/kernel";
import { type ActionTraceOcsfOptions, actionTraceToOcsf } from "./action-trace.js";
import { OcsfConfigError } from "./errors.js";
import { HttpSink, type HttpSinkOptions } from "./sinks/http.js";
import { JsonlFileSink, type JsonlFileSinkOptions } from "./sinks/jsonl-file.js";
import { type OcsfSink, serializeEvent } from "./sinks/sink.js";
import { StdoutSink, type StdoutSinkOptions } from "./sinks/stdout.js";

/** A sink, or how to make one (the helper then owns and closes it). */
export type OcsfTarget =
  | OcsfSink
  | { file: string | JsonlFileSinkOptions }
  | { url: string | URL | HttpSinkOptions }
  | { stdout: true | StdoutSinkOptions };

export interface ExportActionsOptions extends ActionTraceOcsfOptions {
  /** Events per sink write (default 512). */
  batchSize?: number;
}

function isSink(target: OcsfTarget): target is OcsfSink {
  return typeof (target as Partial<OcsfSink>).write === "function";
}

/** Builds the sink a target describes. */
export function createSink(target: Exclude<OcsfTarget, OcsfSink>): OcsfSink {
  if ("file" in target)
    return new JsonlFileSink(typeof target.file === "string" ? { path: target.file } : target.file);
  if ("url" in target) {
    const { url } = target;
    return new HttpSink(typeof url === "string" || url instanceof URL ? { url } : url);
  }
  if ("stdout" in target) return new StdoutSink(target.stdout === true ? {} : target.stdout);
  throw new OcsfConfigError("OCSF target must be a sink, {file}, {url} or {stdout}");
}

/**
 * Maps every trace with `actionTraceToOcsf` and writes the events in order; flushes at the end.
 * A sink passed in stays open; a sink built from options is closed. Returns the event count.
 */
export async function exportActionsAsOcsf(
  traces: Iterable<ActionTrace>,
  target: OcsfTarget,
  options: ExportActionsOptions = {},
): Promise<{ exported: number }> {
  const { batchSize = 512, ...mapping } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new OcsfConfigError("batchSize must be an integer >= 1");
  const owned = !isSink(target);
  const sink = isSink(target) ? target : createSink(target);
  let exported = 0;
  try {
    let batch: string[] = [];
    for (const trace of traces) {
      batch.push(serializeEvent(actionTraceToOcsf(trace, mapping)));
      if (batch.length >= batchSize) {
        await sink.write(batch);
        exported += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) {
      await sink.write(batch);
      exported += batch.length;
    }
    await sink.flush();
  } finally {
    if (owned) await sink.close();
  }
  return { exported };
}

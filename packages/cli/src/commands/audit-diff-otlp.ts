// `weft audit diff-otlp <collector-file>`: proves the spans chain and an OpenTelemetry Collector's
// file-exporter output hold the same spans. Exit 0 when they agree, 1 with every difference.
import { readFileSync } from "node:fs";
import { bool, parse, STORE_OPTIONS, str } from "../args.js";
import { type Command, STORE_FLAGS_HELP } from "../command.js";
import { InputFileError, UsageError } from "../errors.js";
import { parseTraceId } from "../filters.js";
import { pythonJson } from "../json.js";
import { withStore } from "../open-store.js";
import { parseCollectorFile } from "../otlp-collector-file.js";
import { diffSpans } from "../otlp-diff.js";
import { line, paint, safe } from "../output.js";
import { checkInputFile } from "../paths.js";

const NAME = "audit diff-otlp";
const SHOW = 20;
/** Bound on the collector file read into memory (the whole file is parsed at once). */
const MAX_COLLECTOR_BYTES = 128 * 1024 * 1024;

export const auditDiffOtlp: Command = {
  name: NAME,
  help: `Usage: weft audit diff-otlp <COLLECTOR_FILE> --store PATH [--trace-id HEX] [--ignore-resource] [--json]

Compare every span in the store's spans chain with the spans an OpenTelemetry
Collector's file exporter wrote (OTLP/JSON lines): same trace/span ids, name,
kind, parent, start/end, status, attributes, events, links and resource
attributes. Prints 'OK: <n> span(s) match' and exits 0, or lists the spans
missing on either side and the fields that differ and exits 1. A span id found
twice on one side with the same content (an exporter retry) is counted as a
duplicate, not a difference; twice with different content, it is a difference.

Options:
  --trace-id HEX          only this trace (on both sides)
  --ignore-resource       do not compare resource attributes
  --json                  {store_spans, collector_spans, matched, missing_in_collector,
                           missing_in_store, duplicates_in_collector, duplicates_in_store,
                           conflicting_duplicates, mismatched, differences}

${STORE_FLAGS_HELP}

Example:
  weft audit diff-otlp /tmp/otelcol/traces.jsonl --store weft-audit.db
`,
  run: (argv, o) => {
    const p = parse(
      NAME,
      argv,
      { ...STORE_OPTIONS, "trace-id": { type: "string" }, "ignore-resource": { type: "boolean" } },
      1,
    );
    if (bool(p, "help")) {
      o.out(auditDiffOtlp.help);
      return 0;
    }
    const file = p.positionals[0];
    if (file === undefined) throw new UsageError("missing COLLECTOR_FILE argument", NAME);
    const traceIdText = str(p, "trace-id");
    const traceId = traceIdText === undefined ? undefined : parseTraceId(NAME, traceIdText);
    // A FIFO or /dev/zero here would block or never end: regular files only, and bounded.
    const st = checkInputFile(file, "collector", "INPUT_NOT_FOUND");
    if (st.size > MAX_COLLECTOR_BYTES) {
      throw new InputFileError(
        `'${file}' is ${st.size} bytes, more than the ${MAX_COLLECTOR_BYTES} a collector file may have here; split it (e.g. with --trace-id on an export)`,
        "INPUT_TOO_LARGE",
      );
    }
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (err) {
      throw new InputFileError(`cannot read '${file}' (${(err as { code?: string }).code ?? "error"})`);
    }
    const collected = parseCollectorFile(text, file);
    return withStore(NAME, p, (store) => {
      const records = traceId === undefined ? store.spans.iterate() : store.spans.query({ traceId });
      const payloads = (function* () {
        for (const r of records) yield r.payload;
      })();
      const diff = diffSpans(payloads, collected, {
        ignoreResource: bool(p, "ignore-resource"),
        ...(traceId === undefined ? {} : { traceIds: new Set([traceId]) }),
      });
      if (bool(p, "json")) {
        line(o, pythonJson(diff, 2));
        return diff.differences === 0 ? 0 : 1;
      }
      if (diff.differences === 0) {
        line(
          o,
          `${paint(o, "green", "OK:")} ${diff.matched} span(s) match (store ${diff.store_spans}, collector ${diff.collector_spans})` +
            (diff.duplicates_in_collector.length
              ? `; ${diff.duplicates_in_collector.length} duplicate(s) in collector`
              : "") +
            (diff.duplicates_in_store.length
              ? `; ${diff.duplicates_in_store.length} duplicate(s) in store`
              : ""),
        );
        return 0;
      }
      line(
        o,
        `${paint(o, "red", "DIFFERENCES:")} ${diff.differences} (store ${diff.store_spans} span(s), collector ${diff.collector_spans}, matched ${diff.matched})`,
      );
      const list = (
        title: string,
        items: ReadonlyArray<{ trace_id: string; span_id: string; name: string }>,
      ): void => {
        if (items.length === 0) return;
        line(o, `${title}: ${items.length}`);
        for (const s of items.slice(0, SHOW)) line(o, `  ${s.trace_id} ${s.span_id} ${safe(s.name)}`);
        if (items.length > SHOW) line(o, `  … ${items.length - SHOW} more (use --json)`);
      };
      if (diff.conflicting_duplicates.length > 0) {
        line(o, `conflicting duplicates: ${diff.conflicting_duplicates.length}`);
        for (const d of diff.conflicting_duplicates.slice(0, SHOW)) {
          line(
            o,
            `  ${d.side} ${d.trace_id} ${d.span_id} ${safe(d.name)}: ${safe(d.field)} first=${safe(String(d.first))} second=${safe(String(d.second))}`,
          );
        }
        if (diff.conflicting_duplicates.length > SHOW)
          line(o, `  … ${diff.conflicting_duplicates.length - SHOW} more (use --json)`);
      }
      list("missing in collector", diff.missing_in_collector);
      list("missing in store", diff.missing_in_store);
      if (diff.mismatched.length > 0) {
        line(o, `differing fields: ${diff.mismatched.length}`);
        for (const m of diff.mismatched.slice(0, SHOW)) {
          line(
            o,
            `  ${m.trace_id} ${m.span_id} ${safe(m.name)}: ${safe(m.field)} store=${safe(String(m.store))} collector=${safe(String(m.collector))}`,
          );
        }
        if (diff.mismatched.length > SHOW) line(o, `  … ${diff.mismatched.length - SHOW} more (use --json)`);
      }
      return 1;
    });
  },
};

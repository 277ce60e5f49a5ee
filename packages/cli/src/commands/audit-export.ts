// `weft audit export`: action records as the reference's JSONL, as OCSF events, or the spans
// chain as OTLP/JSON in the collector file-exporter layout (replayable into any OTLP backend).
import type { ChainedStore, SpanRecordV1 } from "@weft/chained-store";
import type { ActionTrace } from "@weft/kernel";
import { bool, FILTER_OPTIONS, parse, STORE_OPTIONS, str } from "../args.js";
import { type Command, FILTER_FLAGS_HELP, STORE_FLAGS_HELP } from "../command.js";
import { UsageError } from "../errors.js";
import { type Filters, parseFilters } from "../filters.js";
import { compactJson, pythonJson } from "../json.js";
import { ocsfEvents } from "../ocsf.js";
import { storePath, withStore } from "../open-store.js";
import { spanRecordsToRequests } from "../otlp.js";
import { line } from "../output.js";
import { checkOutputPath, storeFamily } from "../paths.js";
import { toExport } from "../records.js";
import { lineSink } from "../sink.js";

const NAME = "audit export";
const FORMATS = ["jsonl", "ocsf", "ocsf-weaver", "otlp-json"] as const;
type ExportFormat = (typeof FORMATS)[number];

export const auditExport: Command = {
  name: NAME,
  help: `Usage: weft audit export --store PATH [--format jsonl|ocsf|ocsf-weaver|otlp-json] [--out FILE] [filters]

Formats:
  jsonl        (default) one reference export dict per line, as 'weaver-kernel audit export'
  ocsf         OCSF 1.8.0 API Activity (class 6003) events, one per line (never args)
  ocsf-weaver  the reference's OCSF 1.3.0 shape, for users migrating from weaver-kernel
  otlp-json    the spans chain as OTLP/JSON ExportTraceServiceRequest lines, the
               OpenTelemetry Collector file-exporter layout (replay with any OTLP client)

Without filters the whole chain is exported in seq order (constant memory);
with filters, matches are ordered by (invoked_at, action_id) like 'list'.
otlp-json accepts --principal, --trace-id, --since, --until, --limit, --offset.
--format sqlite|jsonl given by reference scripts still selects the store format.

Options:
  --out FILE              write to FILE and print 'Wrote N trace(s) to FILE'

${FILTER_FLAGS_HELP}

${STORE_FLAGS_HELP}

Examples:
  weft audit export --store weft-audit.db --since 2026-03-01T10:00 --until 2026-03-01T10:05 > window.jsonl
  weft audit export --store weft-audit.db --format ocsf --event deny --out denials.ocsf.jsonl
  weft audit export --store weft-audit.db --format otlp-json --out spans.otlp.jsonl
`,
  run: (argv, o) => {
    const p = parse(NAME, argv, { ...STORE_OPTIONS, ...FILTER_OPTIONS, out: { type: "string" } }, 0);
    if (bool(p, "help")) {
      o.out(auditExport.help);
      return 0;
    }
    const formatFlag = str(p, "format");
    // `--format sqlite` is the reference's store-format flag; only an output format is ours.
    const format: ExportFormat =
      formatFlag === undefined || formatFlag === "sqlite" ? "jsonl" : checkFormat(formatFlag);
    const filters = parseFilters(NAME, p);
    if (format === "otlp-json" && filters.actionOnly.length > 0) {
      throw new UsageError(`${filters.actionOnly.join(", ")} cannot filter spans (--format otlp-json)`, NAME);
    }
    const out = str(p, "out");
    if (out !== undefined) checkOutputPath(NAME, out, storeFamily(storePath(NAME, p)));
    return withStore(NAME, p, (store) => {
      const sink = lineSink(o, out);
      let unit = "trace(s)";
      try {
        if (format === "otlp-json") {
          unit = "span(s)";
          let spans = 0;
          for (const req of spanRecordsToRequests(countSpans(spanSource(store, filters), () => spans++))) {
            sink.write(compactJson(req));
          }
          sink.close();
          if (out !== undefined) line(o, `Wrote ${spans} ${unit} to ${out}`);
          return 0;
        }
        const traces = actionSource(store, filters);
        if (format === "jsonl") {
          for (const t of traces) sink.write(pythonJson(toExport(t)));
        } else {
          unit = "event(s)";
          for (const ev of ocsfEvents(store, traces, format === "ocsf-weaver" ? "1.3.0" : "1.8.0")) {
            sink.write(compactJson(ev));
          }
        }
      } catch (err) {
        sink.close();
        throw err;
      }
      const n = sink.close();
      if (out !== undefined) line(o, `Wrote ${n} ${unit} to ${out}`);
      else if (n === 0 && format === "jsonl") line(o); // the reference prints an empty line
      return 0;
    });
  },
};

function checkFormat(value: string): ExportFormat {
  if (value === "jsonl" || value === "ocsf" || value === "ocsf-weaver" || value === "otlp-json") return value;
  throw new UsageError(`--format must be one of ${FORMATS.join("|")}, got '${value}'`, NAME);
}

function* actionSource(store: ChainedStore, f: Filters): Iterable<ActionTrace> {
  if (Object.keys(f.query).length === 0) {
    for (const r of store.actions.iterate()) yield r.payload;
    return;
  }
  for (const r of store.actions.queryRecords(f.query)) yield r.payload;
}

function* spanSource(store: ChainedStore, f: Filters): Iterable<SpanRecordV1> {
  if (Object.keys(f.spanQuery).length === 0) {
    for (const r of store.spans.iterate()) yield r.payload;
    return;
  }
  for (const r of store.spans.query(f.spanQuery)) yield r.payload;
}

function* countSpans(src: Iterable<SpanRecordV1>, tick: () => void): Iterable<SpanRecordV1> {
  for (const s of src) {
    tick();
    yield s;
  }
}

// Renders a span forest as an indented tree beside a timing waterfall, one span per row. Pure:
// takes the forest and a per-span annotation, returns lines; timings are BigInt nanoseconds.
import type { SpanTreeNode } from "@weft/chained-store";
import { type Output, padEnd, paint, safe, truncate, visibleWidth } from "./output.js";

export function formatDuration(ns: bigint): string {
  const n = Number(ns);
  if (n < 1e3) return `${n} ns`;
  if (n < 1e6) return `${(n / 1e3).toFixed(1)} µs`;
  if (n < 1e9) return `${(n / 1e6).toFixed(2)} ms`;
  return `${(n / 1e9).toFixed(3)} s`;
}

export interface FlatSpan {
  node: SpanTreeNode;
  depth: number;
  /** Tree-drawing prefix, e.g. "│  ├─ ". */
  prefix: string;
  start: bigint;
  end: bigint;
}

function startOf(n: SpanTreeNode): bigint {
  return BigInt(n.record.payload.start_time_unix_nano);
}

/** Depth-first, children in start-time order, with box-drawing prefixes. */
export function flatten(roots: readonly SpanTreeNode[]): FlatSpan[] {
  const out: FlatSpan[] = [];
  const byStart = (a: SpanTreeNode, b: SpanTreeNode): number => {
    const d = startOf(a) - startOf(b);
    return d < 0n ? -1 : d > 0n ? 1 : 0;
  };
  const walk = (node: SpanTreeNode, depth: number, lead: string, last: boolean): void => {
    const p = node.record.payload;
    out.push({
      node,
      depth,
      prefix: depth === 0 ? "" : `${lead}${last ? "└─ " : "├─ "}`,
      start: BigInt(p.start_time_unix_nano),
      end: BigInt(p.end_time_unix_nano),
    });
    const kids = [...node.children].sort(byStart);
    kids.forEach((k, i) => {
      walk(k, depth + 1, depth === 0 ? "" : `${lead}${last ? "   " : "│  "}`, i === kids.length - 1);
    });
  };
  for (const r of [...roots].sort(byStart)) walk(r, 0, "", true);
  return out;
}

export function traceBounds(spans: readonly FlatSpan[]): { start: bigint; end: bigint } {
  let start = spans[0]?.start ?? 0n;
  let end = spans[0]?.end ?? 0n;
  for (const s of spans) {
    if (s.start < start) start = s.start;
    if (s.end > end) end = s.end;
  }
  return { start, end };
}

/** A bar of `width` cells: blank up to the span's offset, then at least one filled cell. */
export function bar(start: bigint, end: bigint, t0: bigint, total: bigint, width: number): string {
  if (total <= 0n) return "█".padEnd(width, " ");
  const from = Number(((start - t0) * BigInt(width)) / total);
  let len = Number(((end - start) * BigInt(width) + total / 2n) / total);
  const offset = Math.min(Math.max(0, from), width - 1);
  len = Math.max(1, Math.min(len, width - offset));
  return " ".repeat(offset) + "█".repeat(len) + " ".repeat(width - offset - len);
}

export function renderWaterfall(
  o: Output,
  spans: readonly FlatSpan[],
  annotate: (s: FlatSpan) => { text: string; style?: "red" | "yellow" | "green" },
): string[] {
  const { start: t0, end: t1 } = traceBounds(spans);
  const total = t1 - t0;
  const labels = spans.map((s) => `${s.prefix}${safe(s.node.record.payload.name)}`);
  const nameW = Math.min(48, Math.max(4, ...labels.map(visibleWidth)));
  const barW = o.isTTY ? Math.max(20, Math.min(60, o.columns - nameW - 40)) : 40;
  const rows = [
    paint(
      o,
      "bold",
      `${padEnd("SPAN", nameW)} ${padEnd("WATERFALL", barW)} ${"DURATION".padStart(10)}  DECISION`,
    ),
  ];
  spans.forEach((s, i) => {
    const p = s.node.record.payload;
    const err = p.status.code === "ERROR";
    const b = bar(s.start, s.end, t0, total, barW);
    const note = annotate(s);
    rows.push(
      [
        padEnd(truncate(labels[i] ?? "", nameW), nameW),
        paint(o, err ? "red" : "cyan", b),
        formatDuration(s.end - s.start).padStart(10),
        ` ${note.style ? paint(o, note.style, note.text) : note.text}`,
      ]
        .join(" ")
        .trimEnd(),
    );
  });
  return rows;
}

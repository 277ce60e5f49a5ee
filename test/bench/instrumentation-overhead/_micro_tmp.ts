import { SpanKind, context, trace } from "@opentelemetry/api";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
const noopExporter: SpanExporter = { export: (_s, done) => done({ code: 0 }), shutdown: async () => {} };
const tp = new TracerProvider({ spanProcessors: [new BatchSpanProcessor({ exporter: noopExporter })] });
class IdleReader extends MetricReader { protected override async onShutdown() {} protected override async onForceFlush() {} }
const mp = new MeterProvider({ readers: [new IdleReader()] });
const h = mp.getMeter("x").createHistogram("d", { unit: "s" });
const t = tp.getTracer("x");
const N = 200000;
function bench(name: string, fn: (i: number) => void) {
  for (let i = 0; i < 20000; i++) fn(i);
  const best: number[] = [];
  for (let r = 0; r < 5; r++) { const c = process.cpuUsage(); for (let i = 0; i < N; i++) fn(i); const u = process.cpuUsage(c); best.push((u.user + u.system) / N); }
  best.sort((a, b) => a - b); console.log(name.padEnd(40), best[2]!.toFixed(3), "us");
}
const ids = Array.from({ length: 64 }, (_, i) => `tok-${i}-aaaaaaaaaaaaaaaaaaaa`);
bench("span 3 start attrs", (i) => { t.startSpan("execute_tool bench.noop", { kind: SpanKind.INTERNAL, attributes: { a: "x", b: "y", c: "z" } }).end(); });
bench("span 3 start + 12 setAttribute", (i) => { const s = t.startSpan("execute_tool bench.noop", { kind: SpanKind.INTERNAL, attributes: { a: "x", b: "y", c: "z" } });
  s.setAttribute("d1", "p"); s.setAttribute("d2", ids[i & 63]!); s.setAttribute("d3", "q"); s.setAttribute("d4", "r"); s.setAttribute("d5", "s"); s.setAttribute("d6", "t"); s.setAttribute("d7", "u"); s.setAttribute("d8", false); s.setAttribute("d9", "v"); s.setAttribute("d10", "w"); s.setAttribute("d11", "allow"); s.setAttribute("d12", "m"); s.end(); });
bench("span 8 start + 7 setAttributes obj", (i) => { const s = t.startSpan("execute_tool bench.noop", { kind: SpanKind.INTERNAL, attributes: { a: "x", b: "y", c: "z", d1: "p", d2: ids[i & 63]!, d3: "q", d4: "r", d5: "s" } });
  s.setAttributes({ d6: "t", d7: "u", d8: false, d9: "v", d10: "w", d11: "allow", d12: "m" }); s.end(); });
bench("span 15 start attrs", (i) => { t.startSpan("execute_tool bench.noop", { kind: SpanKind.INTERNAL, attributes: { a: "x", b: "y", c: "z", d1: "p", d2: ids[i & 63]!, d3: "q", d4: "r", d5: "s", d6: "t", d7: "u", d8: false, d9: "v", d10: "w", d11: "allow", d12: "m" } }).end(); });
const attrs = { "weft.kernel.id": "bench", "weft.capability.id": "bench.noop" };
bench("histogram record cached attrs", (i) => { h.record(0.00001 * (i & 7), attrs); });
bench("histogram record new attrs", (i) => { h.record(0.00001 * (i & 7), { "weft.kernel.id": "bench", "weft.capability.id": "bench.noop" }); });
bench("performance.now x2", () => { performance.now(); performance.now(); });
const root = context.active();
bench("setSpan + context.with (noop mgr)", (i) => { const s = trace.wrapSpanContext({ traceId: "a".repeat(32), spanId: "b".repeat(16), traceFlags: 1 }); context.with(trace.setSpan(root, s), () => i); });

// ActionTraces built with @weft/kernel types for the interop tests: non-ASCII and astral text,
// escapes, nested args, JS floats, a Python-typed float (`2.0`) and an int beyond 2^53 carried as
// JsonNumber lexemes, and every event kind. `args.marker` is a unique ASCII tag per trace that the
// tamper tests flip one byte of.

import type { ActionTrace } from "@weft/kernel";
import { json } from "@weft/wire";

export function marker(i: number): string {
  return `marker-${String(i).padStart(4, "0")}`;
}

function invokedAt(i: number): string {
  // Python isoformat layout; every third trace has no microsecond part.
  const second = String(i % 60).padStart(2, "0");
  const minute = String(Math.floor(i / 60) % 60).padStart(2, "0");
  const micros = i % 3 === 0 ? "" : `.${String((i * 7919) % 1_000_000).padStart(6, "0")}`;
  return `2026-04-0${1 + (Math.floor(i / 3600) % 9)}T09:${minute}:${second}${micros}+00:00`;
}

export function weftTrace(i: number): ActionTrace {
  const common = {
    actionId: `weft-${String(i).padStart(4, "0")}-\u00e9`,
    invokedAt: invokedAt(i),
    handleId: null,
    error: null,
    resultSummary: null,
    sensitivity: "NONE",
    eventType: "invoke",
    reasonCode: null,
  } as const;
  switch (i % 4) {
    case 0:
      return {
        ...common,
        capabilityId: "crm.read_customer",
        principalId: "agent-\u00fc\u6f22",
        tokenId: `tok-${i}`,
        args: {
          marker: marker(i),
          name: "Zo\u00eb \u03a9mega \u65e5\u672c \u{1f600} caf\u00e9",
          ratio: 0.1,
          tiny: 1e-7,
          large: 1.5e300,
          typed_float: new json.LosslessNumber("2.0"),
          big: new json.LosslessNumber("18446744073709551617"),
          max_safe: 9007199254740991,
          escapes: 'tab\t quote" back\\ nl\n ctrl\u0001 del\u007f slash/',
          nested: { list: [1, 2.5, { deep: "\u00fcn\u00efc\u00f6de", n: null }], empty: {}, t: true },
          "\u043a\u043b\u044e\u0447": 1,
          "\u{1f600}k": 2,
          "\ue000k": 3,
        },
        responseMode: "summary",
        driverId: "memory",
        handleId: `h-${i}`,
        resultSummary: { fact_count: 3, row_count: 2, warning_count: 0, has_handle: true },
        sensitivity: "PII",
      };
    case 1:
      return {
        ...common,
        capabilityId: "web.fetch",
        principalId: "agent-7",
        tokenId: `tok-${i}`,
        args: { marker: marker(i), url: "https://example.test/\u00e4?q=1", retries: 3 },
        responseMode: "raw",
        driverId: "http",
        error: "driver failed: \u00e9chec \u{1f4a5}",
      };
    case 2:
      return {
        ...common,
        capabilityId: "crm.read_customer",
        principalId: "agent-7",
        tokenId: "",
        args: { marker: marker(i) },
        responseMode: "table",
        driverId: "",
        handleId: `h-${i - 2}`,
        resultSummary: { fact_count: 0, row_count: 5, warning_count: 1, has_handle: true },
        eventType: "expand",
      };
    default:
      return {
        ...common,
        capabilityId: "fs.delete",
        principalId: "agent-\u00fc\u6f22",
        tokenId: "",
        args: { marker: marker(i) },
        responseMode: "summary",
        driverId: "",
        error: "denied: role missing",
        eventType: "deny",
        reasonCode: "missing_role",
      };
  }
}

export function weftTraces(count: number): ActionTrace[] {
  return Array.from({ length: count }, (_, i) => weftTrace(i));
}

import type { SpanRecordV1 } from "@weft/chained-store";
const N = 20000;
function span(i: number): SpanRecordV1 {
  const start = 1772359200000000000n + BigInt(i) * 1000n;
  return {
    schema: "weft.span.v1", trace_id: (i >> 4).toString(16).padStart(32, "0"), span_id: i.toString(16).padStart(16, "0"),
    parent_span_id: i % 16 === 0 ? null : (i - 1).toString(16).padStart(16, "0"), trace_state: null,
    name: "execute_tool crm.read_customer", kind: "INTERNAL", start_time_unix_nano: String(start),
    end_time_unix_nano: String(start + 250_000n), duration_nano: "250000", status: { code: "OK", message: null },
    attributes: { "gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "crm.read_customer",
      "gen_ai.tool.call.id": `7f9c2ba4-e88f-4c1a-9d6e-${String(i).padStart(12, "0")}`, "weft.principal.id": `agent-${i % 7}`,
      "weft.capability.id": "crm.read_customer", "weft.safety_class": "READ", "weft.sensitivity": "PII", "weft.response_mode": "summary",
      "weft.driver.id": "memory", "weft.decision": "allow", "weft.reason_code": "default_policy_allow",
      "weft.args.digest": "1e2d37922fdb45bb10f01fbe04dba82c88c9178565545ba44679a4b712c5fb92" },
    events: [], links: [], resource: { attributes: { "service.name": "agent-runtime", "service.version": "1.4.2" }, schema_url: null },
    scope: { name: "@weft/instrumentation-kernel", version: "0.1.0", schema_url: null }, sampled: true,
    dropped: { attributes: 0, events: 0, links: 0 }, redacted: [],
  } as SpanRecordV1;
}
export const records = Array.from({ length: N }, (_, i) => span(i));

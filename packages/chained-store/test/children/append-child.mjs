// Child process for the crash and concurrency tests: appends action traces to a store and
// prints "<seq> <actionId>" on stdout after each append has returned (an acknowledgement).
// argv: <path> <prefix> <count|0 = until killed> <synchronous FULL|NORMAL>
import { writeSync } from "node:fs";
import { openStore } from "../../dist/index.js";

const [path, prefix, countArg, synchronous] = process.argv.slice(2);
const count = Number(countArg) || Number.POSITIVE_INFINITY;
const store = openStore({ path, secret: "process-test-secret", synchronous, busyTimeoutMs: 60_000 });
const base = Date.UTC(2026, 2, 1);
for (let i = 0; i < count; i++) {
  const stamp = new Date(base + i * 1000).toISOString().replace(/\.\d{3}Z$/, "+00:00");
  const actionId = `${prefix}-${i}`;
  const rec = store.actions.append({
    actionId,
    capabilityId: "crash.cap",
    principalId: prefix,
    tokenId: `tok-${i}`,
    invokedAt: stamp,
    args: { i, ratio: 0.5, text: "naïve ✓" },
    responseMode: "summary",
    driverId: "memory",
    handleId: null,
    error: null,
    resultSummary: null,
    sensitivity: "NONE",
    eventType: "invoke",
    reasonCode: null,
  });
  writeSync(1, `${rec.seq} ${actionId}\n`);
}
store.close();

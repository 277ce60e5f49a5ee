// Prints the closing line CI reads ("N passed, N failed, N skipped") from one or more vitest JSON
// reports, summed (CI runs the suite on Node 22 and again on Node 24). A missing or unreadable
// report counts as one failure; `--extra-failures N` adds failures found outside vitest
// (typecheck, lint). Exit 1 when anything failed.
import { readFileSync } from "node:fs";

const args = process.argv.slice(2);
let extra = 0;
const files = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--extra-failures") extra = Number(args[++i] ?? 0) || 0;
  else files.push(args[i]);
}
if (files.length === 0) files.push("test-results/vitest.json");

let passed = 0;
let failed = extra;
let skipped = 0;
for (const file of files) {
  let report;
  try {
    report = JSON.parse(readFileSync(file, "utf8"));
  } catch (err) {
    console.log(`test summary: no vitest report at ${file} (${err.code ?? err.message})`);
    failed += 1;
    continue;
  }
  passed += report.numPassedTests ?? 0;
  failed += (report.numFailedTests ?? 0) + (report.numRuntimeErrorTestSuites ?? 0);
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  const failedSuites = (report.testResults ?? []).filter(
    (r) => r.status === "failed" && (r.assertionResults ?? []).length === 0,
  );
  for (const suite of failedSuites)
    console.log(`failed to load: ${suite.name}: ${String(suite.message ?? "").split("\n")[0]}`);
  failed += failedSuites.length;
}
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);

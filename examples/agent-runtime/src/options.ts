// Command-line options of the demo. Flags win over environment variables.

import { parseArgs } from "node:util";
import { WeftError } from "@weft/kernel";

export interface DemoOptions {
  outDir: string;
  tasks: number;
  /** Pause after each task until a line arrives on stdin (lets a test stop the collector). */
  step: boolean;
  /** Also write the final report as JSON to this file. */
  reportJson: string | null;
}

export const USAGE = `usage: node examples/agent-runtime/src/main.ts [options]

  --out DIR           output directory (env WEFT_DEMO_DIR, default .weft-demo)
  --tasks N           number of agent tasks to run (default 3)
  --report-json FILE  also write the final report (stats, counts, verification) as JSON
  --step              after each task print "weft-demo: task <n> done" and wait for a line on stdin
  -h, --help          this help

Ships spans and metrics over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set (all standard
OTEL_* variables apply); otherwise nothing leaves the machine. WEFT_SECRET keys tokens and the
audit chain; without it the demo creates one in <out>/secret.`;

/** Bad command line; main prints the message and the usage and exits 2. */
export class DemoUsageError extends WeftError {
  constructor(message: string) {
    super("DEMO_USAGE", message);
  }
}

export function parseOptions(argv: string[]): DemoOptions | "help" {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new DemoUsageError(error instanceof Error ? error.message : String(error));
  }
  const { values } = parsed;
  if (values.help) return "help";
  const tasks = Number(values.tasks ?? "3");
  if (!Number.isInteger(tasks) || tasks < 1 || tasks > 10_000) {
    throw new DemoUsageError(
      `--tasks must be an integer from 1 to 10000, got ${JSON.stringify(values.tasks)}`,
    );
  }
  return {
    outDir: values.out ?? process.env["WEFT_DEMO_DIR"] ?? ".weft-demo",
    tasks,
    step: values.step ?? false,
    reportJson: values["report-json"] ?? null,
  };
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      out: { type: "string" },
      tasks: { type: "string" },
      step: { type: "boolean" },
      "report-json": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    strict: true,
    allowPositionals: false,
  });
}

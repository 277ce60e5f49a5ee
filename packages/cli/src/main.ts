// Dispatch: `weft <command> [<subcommand>] [flags]`. Every failure leaves through describeError,
// so the user sees one line on stderr and a documented exit code, never a stack trace (unless
// WEFT_DEBUG=1).
import { readFileSync } from "node:fs";
import type { Command } from "./command.js";
import { auditDiffOtlp } from "./commands/audit-diff-otlp.js";
import { auditExport } from "./commands/audit-export.js";
import { auditList } from "./commands/audit-list.js";
import { auditShow } from "./commands/audit-show.js";
import { auditStats } from "./commands/audit-stats.js";
import { auditTrace } from "./commands/audit-trace.js";
import { auditVerify } from "./commands/audit-verify.js";
import { doctor } from "./commands/doctor.js";
import { debugEnabled, describeError, ExitCode, UsageError } from "./errors.js";
import { type Output, processOutput } from "./output.js";

export const AUDIT_COMMANDS: readonly Command[] = [
  auditList,
  auditShow,
  auditTrace,
  auditVerify,
  auditExport,
  auditStats,
  auditDiffOtlp,
];

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

function topHelp(): string {
  const rows = [...AUDIT_COMMANDS, doctor].map((c) => `  weft ${c.name.padEnd(18)} ${c.summary}`);
  return `Usage: weft <command> [options]

Forensics for Weft / weaver-kernel audit stores.

Commands:
${rows.join("\n")}

Run 'weft <command> --help' for a command's flags and an example.
Exit codes: 0 ok, 1 verification failed or error, 2 usage error.
Environment: WEFT_STORE, WEFT_SECRET (or WEAVER_KERNEL_SECRET), NO_COLOR, WEFT_DEBUG=1.

Example:
  weft audit verify --store weft-audit.db
`;
}

function auditHelp(): string {
  const rows = AUDIT_COMMANDS.map((c) => `  ${c.name.slice("audit ".length).padEnd(12)} ${c.summary}`);
  return `Usage: weft audit <subcommand> --store PATH [options]

Subcommands:
${rows.join("\n")}

Example:
  weft audit list --store weft-audit.db --principal agent-7 --limit 50
`;
}

async function dispatch(argv: readonly string[], o: Output): Promise<number> {
  const [first, second, ...rest] = argv;
  if (first === undefined || first === "--help" || first === "-h" || first === "help") {
    o.out(topHelp());
    return first === undefined ? ExitCode.USAGE : ExitCode.OK;
  }
  if (first === "--version" || first === "-V") {
    o.out(`${version()}\n`);
    return ExitCode.OK;
  }
  if (first === "doctor") return doctor.run(argv.slice(1), o);
  if (first === "audit") {
    if (second === undefined || second === "--help" || second === "-h") {
      o.out(auditHelp());
      return second === undefined ? ExitCode.USAGE : ExitCode.OK;
    }
    const cmd = AUDIT_COMMANDS.find((c) => c.name === `audit ${second}`);
    if (!cmd) throw new UsageError(`unknown audit subcommand '${second}'`, "audit");
    return cmd.run(rest, o);
  }
  throw new UsageError(`unknown command '${first}'`);
}

/** Runs the CLI and returns its exit code; errors are printed, never thrown. */
export async function main(argv: readonly string[], o: Output = processOutput()): Promise<number> {
  try {
    return await dispatch(argv, o);
  } catch (err) {
    const { line, exitCode } = describeError(err);
    o.err(`${line}\n`);
    if (debugEnabled() && err instanceof Error && err.stack) o.err(`${err.stack}\n`);
    return exitCode;
  }
}

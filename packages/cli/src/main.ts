// Dispatch: `weft <command> [<subcommand>] [flags]`. Every failure leaves through describeError,
// so the user sees one line on stderr and a documented exit code, never a stack trace (unless
// WEFT_DEBUG=1).
import { readFileSync } from "node:fs";
import type { Command } from "./command.js";
import { debugEnabled, describeError, ExitCode, UsageError } from "./errors.js";
import { type Output, processOutput } from "./output.js";
import { didYouMean } from "./suggest.js";

interface CommandEntry {
  name: string;
  summary: string;
  /** Loaded on use: `weft --help` and usage errors never load SQLite or the OCSF mapping. */
  load: () => Promise<Command>;
}

export const AUDIT_COMMANDS: readonly CommandEntry[] = [
  {
    name: "audit list",
    summary: "list action records matching filters",
    load: async () => (await import("./commands/audit-list.js")).auditList,
  },
  {
    name: "audit show",
    summary: "show one action record by action id or seq",
    load: async () => (await import("./commands/audit-show.js")).auditShow,
  },
  {
    name: "audit trace",
    summary: "show one OpenTelemetry trace as a tree with timings and decisions",
    load: async () => (await import("./commands/audit-trace.js")).auditTrace,
  },
  {
    name: "audit verify",
    summary: "verify the hash chain(s); exit 1 on the first bad record",
    load: async () => (await import("./commands/audit-verify.js")).auditVerify,
  },
  {
    name: "audit export",
    summary: "export records as JSONL, OCSF or OTLP/JSON",
    load: async () => (await import("./commands/audit-export.js")).auditExport,
  },
  {
    name: "audit stats",
    summary: "count actions by event, outcome, reason, principal, capability",
    load: async () => (await import("./commands/audit-stats.js")).auditStats,
  },
  {
    name: "audit diff-otlp",
    summary: "diff the spans chain against a collector's OTLP/JSON file",
    load: async () => (await import("./commands/audit-diff-otlp.js")).auditDiffOtlp,
  },
  {
    name: "audit serve",
    summary: "local read-only forensic web view (integrity, overview, records, traces)",
    load: async () => (await import("./commands/audit-serve.js")).auditServe,
  },
  {
    name: "audit checkpoint",
    summary: "print the latest signed checkpoint (tree size, root, signatures)",
    load: async () => (await import("./commands/audit-checkpoint.js")).auditCheckpoint,
  },
  {
    name: "audit prove",
    summary: "write a tlog-proof receipt for one record",
    load: async () => (await import("./commands/audit-prove.js")).auditProve,
  },
  {
    name: "audit repair",
    summary: "move a torn last JSONL record aside after a crash",
    load: async () => (await import("./commands/audit-repair.js")).auditRepair,
  },
];

export const POLICY_COMMANDS: readonly CommandEntry[] = [
  {
    name: "policy replay",
    summary: "replay captured grant decisions against a candidate policy; exit 3 on flips",
    load: async () => (await import("./commands/policy-replay.js")).policyReplay,
  },
];

/** Commands outside `audit`: key management and offline receipt checks (no store involved). */
export const PROOF_COMMANDS: readonly CommandEntry[] = [
  {
    name: "keys generate",
    summary: "create an Ed25519 checkpoint signing key (prints the verifier key)",
    load: async () => (await import("./commands/keys-generate.js")).keysGenerate,
  },
  {
    name: "receipt verify",
    summary: "check a tlog-proof receipt offline with the log's verifier key",
    load: async () => (await import("./commands/receipt-verify.js")).receiptVerify,
  },
];

const DOCTOR: CommandEntry = {
  name: "doctor",
  summary: "check the environment and self-test against the reference vectors",
  load: async () => (await import("./commands/doctor.js")).doctor,
};

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}

function topHelp(): string {
  const rows = [...AUDIT_COMMANDS, ...POLICY_COMMANDS, ...PROOF_COMMANDS, DOCTOR].map(
    (c) => `  weft ${c.name.padEnd(18)} ${c.summary}`,
  );
  return `Usage: weft <command> [options]

Forensics for Weft / weaver-kernel audit stores.

Commands:
${rows.join("\n")}

Run 'weft <command> --help' for a command's flags and an example.
Exit codes: 0 ok, 1 verification failed or error, 2 usage error, 3 policy replay found gated flips.
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
  if (first === "doctor") return (await DOCTOR.load()).run(argv.slice(1), o);
  if (first === "audit") {
    if (second === undefined || second === "--help" || second === "-h") {
      o.out(auditHelp());
      return second === undefined ? ExitCode.USAGE : ExitCode.OK;
    }
    const cmd = AUDIT_COMMANDS.find((c) => c.name === `audit ${second}`);
    if (!cmd) {
      const names = AUDIT_COMMANDS.map((c) => c.name.slice("audit ".length));
      throw new UsageError(
        `unknown audit subcommand '${second}'${didYouMean(second, names, (n) => `audit ${n}`)}`,
        "audit",
      );
    }
    return (await cmd.load()).run(rest, o);
  }
  if (first === "policy") {
    const cmd = POLICY_COMMANDS.find((c) => c.name === `policy ${second}`);
    if (second === undefined || second === "--help" || second === "-h" || !cmd) {
      if (second !== undefined && second !== "--help" && second !== "-h")
        throw new UsageError(`unknown policy subcommand '${second}'`, "policy replay");
      o.out(
        `Usage: weft policy replay --store PATH --policy MODULE [options]\n\nRun 'weft policy replay --help' for its flags.\n`,
      );
      return second === undefined ? ExitCode.USAGE : ExitCode.OK;
    }
    return (await cmd.load()).run(rest, o);
  }
  if (first === "keys" || first === "receipt") {
    const group = PROOF_COMMANDS.filter((c) => c.name.startsWith(`${first} `));
    if (second === undefined || second === "--help" || second === "-h") {
      o.out(
        `Usage: weft ${first} <subcommand> [options]\n\nSubcommands:\n${group.map((c) => `  ${c.name.slice(first.length + 1).padEnd(12)} ${c.summary}`).join("\n")}\n`,
      );
      return second === undefined ? ExitCode.USAGE : ExitCode.OK;
    }
    const cmd = group.find((c) => c.name === `${first} ${second}`);
    if (!cmd) throw new UsageError(`unknown ${first} subcommand '${second}'`, first);
    return (await cmd.load()).run(rest, o);
  }
  throw new UsageError(
    `unknown command '${first}'${didYouMean(first, ["audit", "policy", "keys", "receipt", "doctor", "--help", "--version"])}`,
  );
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

// The shape every command module exports, so main.ts can dispatch and print help uniformly.
import type { Output } from "./output.js";

export interface Command {
  /** Words after `weft`, e.g. "audit list". */
  readonly name: string;
  /** Full --help text, ending with at least one example. */
  readonly help: string;
  run(argv: readonly string[], o: Output): Promise<number> | number;
}

export const STORE_FLAGS_HELP = `Store flags:
  --store PATH            store file (SQLite or .jsonl); default $WEFT_STORE
  --store-format FMT      sqlite|jsonl (default: by suffix, then by content);
                          --format sqlite|jsonl is accepted too (reference CLI)
  --secret SECRET         HMAC secret; default $WEFT_SECRET, then $WEAVER_KERNEL_SECRET
  --busy-timeout MS       wait this long for another process's lock (default 5000)
  --json                  machine-readable JSON output
  -h, --help              this help`;

export const FILTER_FLAGS_HELP = `Filters (AND-combined):
  --principal ID          principal id
  --capability ID         capability id
  --event TYPE            invoke|expand|deny
  --status STATUS         succeeded|failed
  --reason CODE           reason code (e.g. missing_role)
  --agent NAME            agent name (withAgent / Kernel option agent)
  --since TIME            inclusive; ISO-8601 (naive = UTC) or an age: 30s 15m 2h 7d
  --until TIME            exclusive; same forms
  --trace-id HEX          OpenTelemetry trace id (32 hex)
  --decision D            allow|deny|error (error = allowed, then failed)
  --after-seq N           only records with seq > N (keyset paging)
  --before-seq N          only records with seq < N
  --order ORDER           time (default: invoked_at, action_id)|seq|seq-desc
  --limit N --offset N    page through matches`;

// C2SP tlog-witness client: sends each new checkpoint to the configured witnesses
// (`POST <url>/add-checkpoint`, body `old <size>`, consistency proof, blank line, checkpoint),
// verifies the cosignatures they return and stores them with the checkpoint. A 409 tells the
// witness's size: resend once with a proof from there. A 422 for a checkpoint the witness could
// not reconcile with what it saw before is a split-view alarm. Network failures are retried with
// backoff, counted and reported; they never reach the appending application.

import { verifyCosignature } from "../transparency/checkpoint.js";
import { TransparencyError } from "../transparency/errors.js";
import {
  ALG_COSIGNATURE_V1,
  type NoteVerifierKey,
  parseNote,
  parseVerifierKey,
} from "../transparency/note.js";
import type { ChainName, TransparencyLog } from "../types.js";

export interface WitnessConfig {
  /** Submission prefix; `/add-checkpoint` is appended. */
  url: string;
  /** The witness's cosignature/v1 verifier key (`name+id+base64(0x04 ‖ pub)`). */
  vkey: string;
}

export interface WitnessOutcome {
  witness: string;
  ok: boolean;
  /** HTTP status, or 0 for a network failure. */
  status: number;
  detail: string;
}

export interface WitnessStats {
  submissions: number;
  cosignatures: number;
  failures: number;
  retries: number;
  splitViews: number;
  lastError: string | null;
}

const TIMEOUT_MS = 5000;
const MAX_BODY = 64 * 1024;

interface Witness {
  url: string;
  key: NoteVerifierKey;
  /** Last size this witness acknowledged for the chain. */
  sizes: Map<ChainName, number>;
}

export class WitnessClient {
  readonly #witnesses: Witness[];
  readonly #stats: WitnessStats = {
    submissions: 0,
    cosignatures: 0,
    failures: 0,
    retries: 0,
    splitViews: 0,
    lastError: null,
  };
  readonly #onAlarm: ((message: string) => void) | undefined;
  readonly #retries: number;

  constructor(
    configs: readonly WitnessConfig[],
    options: { onAlarm?: (message: string) => void; retries?: number } = {},
  ) {
    this.#witnesses = configs.map((c) => {
      let url: URL;
      try {
        url = new URL(c.url);
      } catch {
        throw new TransparencyError("POLICY_MALFORMED", `witness URL is not a URL`);
      }
      if (url.protocol !== "http:" && url.protocol !== "https:")
        throw new TransparencyError("POLICY_MALFORMED", "witness URL must be http(s)");
      const key = parseVerifierKey(c.vkey);
      if (key.type !== ALG_COSIGNATURE_V1)
        throw new TransparencyError(
          "POLICY_MALFORMED",
          "witness keys are cosignature/v1 (type 0x04) verifier keys",
        );
      return { url: `${url.href.replace(/\/$/, "")}/add-checkpoint`, key, sizes: new Map() };
    });
    this.#onAlarm = options.onAlarm;
    this.#retries = options.retries ?? 3;
  }

  stats(): WitnessStats {
    return { ...this.#stats };
  }

  /**
   * Submits the chain's latest checkpoint (witnesses care about the newest view; older ones are
   * implied by consistency) to every witness in parallel, stores the verified
   * cosignatures and returns each witness's outcome (never throws for network or witness errors).
   */
  async submit(log: TransparencyLog, chain: ChainName): Promise<WitnessOutcome[]> {
    const cp = log.latestCheckpoint(chain);
    if (!cp) return [];
    const { text } = parseNote(cp.note);
    // Send the note with the log's signature only: witnesses need not see each other's.
    const logNote = `${text}\n${cp.note.slice(text.length + 1).split("\n")[0]}\n`;
    const outcomes = await Promise.all(
      this.#witnesses.map((w) => this.#submitOne(log, chain, w, cp.size, text, logNote)),
    );
    const lines = outcomes.flatMap((o) => o.lines);
    if (lines.length > 0) log.addCosignatures(chain, cp.size, lines);
    return outcomes.map(({ lines: _lines, ...o }) => o);
  }

  async #submitOne(
    log: TransparencyLog,
    chain: ChainName,
    w: Witness,
    size: number,
    text: string,
    note: string,
  ): Promise<WitnessOutcome & { lines: string[] }> {
    let old = w.sizes.get(chain) ?? 0;
    if (old === size)
      return { witness: w.key.name, ok: true, status: 200, detail: "already cosigned", lines: [] };
    if (old > size) old = 0;
    let sawConflict = false;
    for (let attempt = 0; ; attempt++) {
      this.#stats.submissions++;
      const proof = old > 0 && old < size ? log.consistencyProof(chain, old, size) : [];
      const body = `old ${old}\n${proof.map((h) => `${h.toString("base64")}\n`).join("")}\n${note}`;
      let status = 0;
      let reply = "";
      try {
        const res = await fetch(w.url, {
          method: "POST",
          body,
          headers: { "content-type": "text/plain" },
          signal: AbortSignal.timeout(TIMEOUT_MS),
        });
        status = res.status;
        reply = (await res.text()).slice(0, MAX_BODY);
      } catch (e) {
        if (attempt < this.#retries) {
          this.#stats.retries++;
          await new Promise((r) => setTimeout(r, 100 * 2 ** attempt).unref?.());
          continue;
        }
        return this.#failed(w, 0, `network: ${(e as Error).message}`);
      }
      if (status === 200) {
        const lines: string[] = [];
        for (const line of reply.split("\n").filter((l) => l !== "")) {
          const sig = parseNote(`${text}\n${line}\n`).signatures[0];
          if (sig && verifyCosignature(text, sig, w.key)) lines.push(line);
        }
        if (lines.length === 0)
          return this.#failed(w, status, "200 without a valid cosignature from its key");
        w.sizes.set(chain, size);
        this.#stats.cosignatures += lines.length;
        return { witness: w.key.name, ok: true, status, detail: "cosigned", lines };
      }
      if (status === 409 && !sawConflict) {
        // The witness is at another size: its body says which. Resend with a proof from there.
        sawConflict = true;
        const theirs = /^(0|[1-9][0-9]{0,15})\s*$/.exec(reply);
        if (!theirs) return this.#failed(w, status, "409 without a size");
        const n = Number(theirs[1]);
        if (n === size) {
          // It already holds this size (another client sent it): nothing new to cosign.
          w.sizes.set(chain, size);
          return { witness: w.key.name, ok: true, status, detail: "witness already at this size", lines: [] };
        }
        if (n > size)
          return this.#alarm(
            w,
            status,
            `witness ${w.key.name} has seen size ${n} > ${size}: the log is behind what was published (rollback?)`,
          );
        old = n;
        continue;
      }
      if (status === 422) {
        return this.#alarm(
          w,
          status,
          `witness ${w.key.name} refused checkpoint ${size} as inconsistent with what it saw (split view?): ${reply.trim().slice(0, 200)}`,
        );
      }
      if (status >= 500 && attempt < this.#retries) {
        this.#stats.retries++;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt).unref?.());
        continue;
      }
      return this.#failed(w, status, `HTTP ${status}: ${reply.trim().slice(0, 200)}`);
    }
  }

  #failed(w: Witness, status: number, detail: string): WitnessOutcome & { lines: string[] } {
    this.#stats.failures++;
    this.#stats.lastError = `${w.key.name}: ${detail}`;
    return { witness: w.key.name, ok: false, status, detail, lines: [] };
  }

  #alarm(w: Witness, status: number, detail: string): WitnessOutcome & { lines: string[] } {
    this.#stats.splitViews++;
    this.#onAlarm?.(detail);
    return this.#failed(w, status, detail);
  }
}

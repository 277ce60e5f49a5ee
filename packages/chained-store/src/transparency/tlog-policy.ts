// C2SP tlog-policy files: trusted log keys, witnesses (cosignature/v1 keys), groups with
// thresholds, and one quorum. Pure parser plus the quorum evaluation over verified cosigners.

import { FormatError } from "./errors.js";
import { ALG_COSIGNATURE_V1, ALG_ED25519, type NoteVerifierKey, parseVerifierKey } from "./note.js";

export interface PolicyWitness {
  readonly name: string;
  readonly key: NoteVerifierKey;
  readonly url: string | null;
}

export interface TlogPolicy {
  readonly logs: readonly { key: NoteVerifierKey; url: string | null }[];
  readonly witnesses: ReadonlyMap<string, PolicyWitness>;
  readonly groups: ReadonlyMap<string, { threshold: number; members: readonly string[] }>;
  /** Name of a witness or group; "none" when no cosignature is required. */
  readonly quorum: string;
}

const NAME_RE = /^[A-Za-z0-9._\-:/@]+$/;

function bad(lineNo: number, why: string): FormatError {
  return new FormatError("POLICY_MALFORMED", `policy line ${lineNo}: ${why}`);
}

export function parseTlogPolicy(text: string): TlogPolicy {
  if (text.length > 1 << 20) throw new FormatError("POLICY_MALFORMED", "policy file is larger than 1 MiB");
  const logs: Array<{ key: NoteVerifierKey; url: string | null }> = [];
  const witnesses = new Map<string, PolicyWitness>();
  const groups = new Map<string, { threshold: number; members: string[] }>();
  const seenKeys = new Set<string>();
  let quorum: string | undefined;
  const lines = text.split("\n");
  for (let n = 0; n < lines.length; n++) {
    const lineNo = n + 1;
    const line = (lines[n] as string).replace(/\r$/, "");
    if (/^[ \t]*(#.*)?$/.test(line)) continue;
    const f = line.trim().split(/[ \t]+/);
    const defined = (name: string) => witnesses.has(name) || groups.has(name);
    const keyOf = (text: string, type: number) => {
      let k: NoteVerifierKey;
      try {
        k = parseVerifierKey(text);
      } catch (e) {
        throw bad(lineNo, (e as Error).message);
      }
      if (k.type !== type) throw bad(lineNo, `key type must be 0x0${type}`);
      const raw = k.publicKey.toString("hex");
      if (seenKeys.has(raw)) throw bad(lineNo, "duplicate public key");
      seenKeys.add(raw);
      return k;
    };
    switch (f[0]) {
      case "log": {
        if (f.length < 2 || f.length > 3) throw bad(lineNo, "expected: log <vkey> [<url>]");
        logs.push({ key: keyOf(f[1] as string, ALG_ED25519), url: f[2] ?? null });
        break;
      }
      case "witness": {
        if (f.length < 3 || f.length > 4) throw bad(lineNo, "expected: witness <name> <vkey> [<url>]");
        const name = f[1] as string;
        if (!NAME_RE.test(name) || name === "none") throw bad(lineNo, "invalid witness name");
        if (defined(name)) throw bad(lineNo, `name ${name} is defined twice`);
        witnesses.set(name, { name, key: keyOf(f[2] as string, ALG_COSIGNATURE_V1), url: f[3] ?? null });
        break;
      }
      case "group": {
        if (f.length < 4) throw bad(lineNo, "expected: group <name> <k|any|all> <member>...");
        const name = f[1] as string;
        if (!NAME_RE.test(name) || name === "none") throw bad(lineNo, "invalid group name");
        if (defined(name)) throw bad(lineNo, `name ${name} is defined twice`);
        const members = f.slice(3);
        for (const m of members)
          if (!defined(m)) throw bad(lineNo, `member ${m} is not defined on an earlier line`);
        if (new Set(members).size !== members.length) throw bad(lineNo, "a member is listed twice");
        const k = f[2] as string;
        let threshold: number;
        if (k === "any") threshold = 1;
        else if (k === "all") threshold = members.length;
        else if (/^[1-9][0-9]{0,5}$/.test(k)) threshold = Number(k);
        else throw bad(lineNo, "threshold must be any, all or a decimal k");
        if (threshold < 1 || threshold > members.length)
          throw bad(lineNo, "threshold must satisfy 1 <= k <= members");
        groups.set(name, { threshold, members });
        break;
      }
      case "quorum": {
        if (f.length !== 2) throw bad(lineNo, "expected: quorum <name|none>");
        if (quorum !== undefined) throw bad(lineNo, "a policy has exactly one quorum line");
        const name = f[1] as string;
        if (name !== "none" && !defined(name))
          throw bad(lineNo, `quorum ${name} is not defined on an earlier line`);
        quorum = name;
        break;
      }
      default:
        throw bad(lineNo, `unknown keyword ${JSON.stringify((f[0] ?? "").slice(0, 20))}`);
    }
  }
  if (quorum === undefined) throw new FormatError("POLICY_MALFORMED", "policy has no quorum line");
  return { logs, witnesses, groups, quorum };
}

/** Is the quorum met by the witnesses whose cosignatures verified? */
export function quorumSatisfied(policy: TlogPolicy, cosigned: ReadonlySet<string>): boolean {
  const met = (name: string): boolean => {
    if (name === "none") return true;
    if (policy.witnesses.has(name)) return cosigned.has(name);
    const g = policy.groups.get(name);
    if (!g) return false;
    let n = 0;
    for (const m of g.members) if (met(m)) n++;
    return n >= g.threshold;
  };
  return met(policy.quorum);
}

// Hostile JSON in stored evidence and in recorded values (issue 11 rules 1, 4 and 6), on real
// SQLite and JSONL files edited behind the store's back: duplicate keys, nesting far beyond any
// stack, keys special to JS objects, look-alikes of the lossless number type, non-finite numbers.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { json } from "@weft/wire";
import Database from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/index.js";
import { cleanupTempDirs, sampleSpan, sampleTrace, tempDir } from "../helpers.js";

const SECRET = "hostile-json-secret";
afterAll(cleanupTempDirs);

type Format = "sqlite" | "jsonl";
const FORMATS: Format[] = ["sqlite", "jsonl"];

function fresh(format: Format, n = 3): string {
  const path = join(tempDir(), `s.${format}`);
  const s = openStore({ path, secret: SECRET });
  for (let i = 0; i < n; i++) s.actions.append(sampleTrace(i));
  s.close();
  return path;
}

/** Rewrites the stored payload text of one record (the attacker's edit, no secret needed). */
function rewritePayload(path: string, format: Format, seq: number, edit: (text: string) => string): void {
  if (format === "sqlite") {
    const db = new Database(path);
    const row = db.prepare("SELECT payload FROM traces WHERE seq = ?").get(seq) as { payload: string };
    db.prepare("UPDATE traces SET payload = ? WHERE seq = ?").run(edit(row.payload), seq);
    db.close();
    return;
  }
  const lines = readFileSync(path, "utf8").split("\n");
  const i = lines.findIndex((l) => l.startsWith(`{"seq": ${seq},`));
  const line = lines[i] as string;
  const at = line.indexOf('"trace":') + '"trace":'.length;
  lines[i] = `${line.slice(0, at)}${edit(line.slice(at, -1))}}`;
  writeFileSync(path, lines.join("\n"));
}

describe.each(FORMATS)("%s: duplicate keys in a stored payload are tampering at that seq", (format) => {
  it("even when the last value (what JSON.parse and Python keep) is the signed one", () => {
    const path = fresh(format);
    // SQLite's json_extract would read "agent-evil" (the first), JSON.parse the original (the last).
    rewritePayload(path, format, 1, (t) =>
      t.replace('{"action_id"', '{"principal_id":"agent-evil","action_id"'),
    );
    const s = openStore({ path, secret: SECRET, readonly: true });
    const r = s.verify("actions");
    expect(r.ok).toBe(false);
    expect(r.firstBadSeq).toBe(1);
    expect(r.detail).toMatch(/seq 1: payload repeats the key "principal_id"/);
    s.close();
  });

  it("inside nested args too", () => {
    const path = fresh(format);
    rewritePayload(path, format, 2, (t) => t.replace('"args":{"id":2,', '"args":{"id":99,"id":2,'));
    const s = openStore({ path, secret: SECRET, readonly: true });
    const r = s.verify("actions");
    expect([r.ok, r.firstBadSeq]).toEqual([false, 2]);
    expect(r.detail).toMatch(/repeats the key "id"/);
    s.close();
  });
});

describe.each(FORMATS)("%s: 10^5 levels of nesting in a stored payload", (format) => {
  it("verify fails at that seq with a typed detail; reads raise a typed error naming it; no stack overflow", () => {
    const path = fresh(format);
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    rewritePayload(path, format, 1, (t) => t.replace('"args":{', `"args":{"deep":${deep},`));
    const s = openStore({ path, secret: SECRET, readonly: true });
    const r = s.verify("actions");
    expect([r.ok, r.firstBadSeq]).toEqual([false, 1]);
    expect(r.detail).toMatch(/seq 1: payload is nested deeper than 1000 levels/);
    let err: unknown;
    try {
      s.actions.listAll();
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: "STORE_CORRUPT" });
    expect(String((err as Error).message)).toMatch(/seq 1/);
    s.close();
  });
});

describe.each(FORMATS)(
  "%s: every JSON-representable arg is recorded faithfully and the store reopens",
  (format) => {
    it("__proto__, constructor, prototype keys; number look-alikes; NaN and ±Infinity", () => {
      const path = join(tempDir(), `faithful.${format}`);
      const args: Record<string, unknown> = {};
      json.setKey(args, "__proto__", { polluted: true });
      args["constructor"] = "c";
      args["prototype"] = [1, 2];
      args["lookalike"] = { kind: "json-number", lexeme: "1e999" };
      args["nan"] = Number.NaN;
      args["inf"] = Number.POSITIVE_INFINITY;
      args["ninf"] = Number.NEGATIVE_INFINITY;
      args["big"] = new json.LosslessNumber("18446744073709551617");
      const expected =
        '{"__proto__":{"polluted":true},"big":18446744073709551617,"constructor":"c","inf":Infinity,' +
        '"lookalike":{"kind":"json-number","lexeme":"1e999"},"nan":NaN,"ninf":-Infinity,"prototype":[1,2]}';
      const w = openStore({ path, secret: SECRET });
      w.actions.append(sampleTrace(0, { args }));
      w.actions.append(sampleTrace(1));
      w.close();

      const s = openStore({ path, secret: SECRET });
      expect(s.verify("actions")).toMatchObject({ ok: true, recordsChecked: 2 });
      const got = s.actions.get(sampleTrace(0).actionId);
      expect(got).toBeDefined();
      const a = got?.args as Record<string, unknown>;
      expect(Object.keys(a).sort()).toEqual([
        "__proto__",
        "big",
        "constructor",
        "inf",
        "lookalike",
        "nan",
        "ninf",
        "prototype",
      ]);
      expect(Object.getPrototypeOf(a)).toBe(Object.prototype);
      expect(json.LosslessNumber.is(a["lookalike"])).toBe(false);
      expect(json.canonicalize(a)).toBe(expected);
      expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
      // Still appendable after reopening: a store Weft wrote is one Weft can reopen and extend.
      s.actions.append(sampleTrace(2));
      expect(s.verify("actions")).toMatchObject({ ok: true, recordsChecked: 3 });
      s.close();
    });
  },
);

describe.each(FORMATS)("%s: span attributes with non-finite numbers", (format) => {
  it("are stored as Python writes them, verify, and read back after reopening", () => {
    const path = join(tempDir(), `spans.${format}`);
    const w = openStore({ path, secret: SECRET });
    const span = sampleSpan(0);
    span.attributes["x.nan"] = Number.NaN;
    span.attributes["x.inf"] = [Number.POSITIVE_INFINITY, 1];
    w.spans.append(span);
    w.spans.append(sampleSpan(1));
    w.actions.append(sampleTrace(0)); // a JSONL store is named by its actions file
    w.close();
    const s = openStore({ path, secret: SECRET, readonly: true });
    expect(s.verify("spans")).toMatchObject({ ok: true, recordsChecked: 2 });
    const [first] = s.spans.query({ spanId: span.span_id });
    const attrs = first?.payload.attributes as Record<string, unknown>;
    expect(json.canonicalize(attrs["x.nan"])).toBe("NaN");
    expect(json.canonicalize(attrs["x.inf"])).toBe("[Infinity,1]");
    s.close();
  });
});

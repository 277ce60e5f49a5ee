// Secrets never reach the store: key denylist and value patterns are applied before the record is
// hashed, checked on the raw bytes of the SQLite files, and the record lists what was replaced.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SpanStatusCode } from "@opentelemetry/api";
import { TracerProvider } from "@opentelemetry/sdk-trace";
import { openStore } from "@weft/chained-store";
import { afterAll, describe, expect, test } from "vitest";
import { ChainedSpanProcessor, createRedactor } from "../src/index.js";
import { cleanupTempDirs, TEST_SECRET, tempDir } from "./helpers.js";

afterAll(cleanupTempDirs);

const TOKEN = "tok3nV4lueThatMustNeverBeStored9f8e7d";
const JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZ2VudC03In0.c2lnbmF0dXJlLXNlY3JldA";
const PASSWORD = "hunter2-url-password";

function rawBytes(dbPath: string): string {
  // The main file plus any WAL/journal left beside it: a secret must be in none of them.
  return ["", "-wal", "-journal", "-shm"]
    .map((suffix) => dbPath + suffix)
    .filter((p) => existsSync(p))
    .map((p) => readFileSync(p).toString("latin1"))
    .join("\n");
}

describe("redaction before hashing", () => {
  test("an authorization header and a bearer token never reach the store; the record says they were redacted", async () => {
    const path = join(tempDir(), "redact.db");
    const mirror = new ChainedSpanProcessor({ path, storeOptions: { secret: TEST_SECRET } });
    const provider = new TracerProvider({ spanProcessors: [mirror] });
    const span = provider.getTracer("t").startSpan("POST /v1/chat", {
      attributes: {
        "http.request.header.authorization": [`Bearer ${TOKEN}`],
        "app.upstream.note": `retrying with Bearer ${TOKEN} after 401`,
        "url.full": `https://svc:${PASSWORD}@api.example.test/v1/chat?api_key=${TOKEN}&page=2`,
        "app.session": JWT,
        "app.visible.marker": "plain-marker-value-kept",
      },
    });
    span.addEvent("retry", {
      "http.request.header.cookie": `sid=${TOKEN}`,
      detail: `Authorization: Bearer ${TOKEN}`,
    });
    span.setStatus({ code: SpanStatusCode.ERROR, message: `401 for Bearer ${TOKEN}` });
    span.end();
    await provider.shutdown();

    const raw = rawBytes(path);
    expect(raw).toContain("plain-marker-value-kept"); // proves the byte scan can see stored text
    expect(raw).not.toContain(TOKEN);
    expect(raw).not.toContain(JWT.split(".")[1]!);
    expect(raw).not.toContain(PASSWORD);

    const store = openStore({ path, secret: TEST_SECRET, readonly: true });
    const record = [...store.spans.iterate()][0]!.payload;
    expect(store.verify("spans").ok).toBe(true);
    store.close();
    expect(record.attributes["http.request.header.authorization"]).toBe("[REDACTED]");
    expect(record.attributes["app.upstream.note"]).toBe("retrying with Bearer [REDACTED] after 401");
    expect(record.attributes["url.full"]).toBe(
      "https://[REDACTED]@api.example.test/v1/chat?api_key=[REDACTED]&page=2",
    );
    expect(record.attributes["app.session"]).toBe("[REDACTED]");
    expect(record.events[0]!.attributes["http.request.header.cookie"]).toBe("[REDACTED]");
    expect(record.status.message).toBe("401 for Bearer [REDACTED]");
    expect([...record.redacted].sort()).toEqual(
      [
        "attributes.app.session",
        "attributes.app.upstream.note",
        "attributes.http.request.header.authorization",
        "attributes.url.full",
        "events[0].attributes.detail",
        "events[0].attributes.http.request.header.cookie",
        "status.message",
      ].sort(),
    );
  });

  test("custom keys and patterns extend the defaults; redaction: false stores verbatim", async () => {
    const path = join(tempDir(), "custom.db");
    const mirror = new ChainedSpanProcessor({
      path,
      storeOptions: { secret: TEST_SECRET },
      redaction: { keys: ["app.customer.ssn"], patterns: [/\bacct-\d{6}\b/] },
    });
    const provider = new TracerProvider({ spanProcessors: [mirror] });
    provider
      .getTracer("t")
      .startSpan("x", {
        attributes: {
          "app.customer.ssn": "123-45-6789",
          note: "moved acct-123456 today",
          list: ["ok", "acct-654321"],
        },
      })
      .end();
    await provider.forceFlush();
    const record = [...mirror.chain.iterate()][0]!.payload;
    expect(record.attributes).toEqual({
      "app.customer.ssn": "[REDACTED]",
      note: "moved [REDACTED] today",
      list: ["ok", "[REDACTED]"],
    });
    expect(record.redacted).toEqual(["attributes.app.customer.ssn", "attributes.note", "attributes.list[1]"]);
    await provider.shutdown();

    const verbatimPath = join(tempDir(), "verbatim.db");
    const verbatim = new ChainedSpanProcessor({
      path: verbatimPath,
      storeOptions: { secret: TEST_SECRET },
      redaction: false,
    });
    const p2 = new TracerProvider({ spanProcessors: [verbatim] });
    p2.getTracer("t")
      .startSpan("x", { attributes: { "http.request.header.authorization": "Bearer abcdefghijk" } })
      .end();
    await p2.forceFlush();
    expect([...verbatim.chain.iterate()][0]!.payload.attributes["http.request.header.authorization"]).toBe(
      "Bearer abcdefghijk",
    );
    await p2.shutdown();
  });
});

describe("default value patterns", () => {
  const r = createRedactor(undefined);
  test.each([
    ["Bearer abc.DEF-123_xyz", "Bearer [REDACTED]"],
    ["basic dXNlcjpwYXNzd29yZA==", "basic [REDACTED]"],
    [`jwt ${JWT} end`, "jwt [REDACTED] end"],
    ["postgres://app:s3cr3t@db.internal:5432/x", "postgres://[REDACTED]@db.internal:5432/x"],
    ["key sk-ant-api03-abcdefghijklmnopqrstu", "key [REDACTED]"],
    ["ghp_abcdefghijklmnopqrstuvwxyz0123456789", "[REDACTED]"],
    ["AKIAIOSFODNN7EXAMPLE", "[REDACTED]"],
    ["/cb?code=1&access_token=zzzzzzzz&x=1", "/cb?code=1&access_token=[REDACTED]&x=1"],
  ])("%s", (input, expected) => {
    expect(r.scrub(input)).toBe(expected);
  });

  test("ordinary text and ordinary keys are left alone", () => {
    for (const s of [
      "GET https://api.example.test/v1/users?page=2",
      "execute_tool crm.read_customer",
      "tokens used: 512",
    ]) {
      expect(r.scrub(s)).toBeUndefined();
    }
    for (const k of ["gen_ai.usage.input_tokens", "weft.token.id", "http.request.header.content-type"]) {
      expect(r.isSecretKey(k)).toBe(false);
    }
    for (const k of ["http.request.header.authorization", "HTTP.REQUEST.HEADER.X-API-KEY", "db.password"]) {
      expect(r.isSecretKey(k)).toBe(true);
    }
  });
});

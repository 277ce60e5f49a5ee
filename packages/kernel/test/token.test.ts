import { readFileSync } from "node:fs";
import { time } from "@weft/wire";
import { describe, expect, it } from "vitest";
import {
  type CapabilityToken,
  HmacTokenProvider,
  InMemoryRevocationStore,
  InvalidArgumentError,
  TokenExpiredError,
  TokenInvalidError,
  TokenRevokedError,
  TokenScopeError,
  tokenFromDict,
  tokenToDict,
} from "../src/index.js";
import { makeKernel, reader, writer } from "./helpers.js";

const isoformatMicros = time.formatMicros;

const ref = JSON.parse(readFileSync(new URL("./fixtures/reference-0.12.json", import.meta.url), "utf8")) as {
  secret: string;
  tokens: Array<Record<string, unknown>>;
};

function provider(
  clock = { us: Date.UTC(2026, 0, 1) * 1000 },
  extra: Partial<ConstructorParameters<typeof HmacTokenProvider>[0]> = {},
) {
  return { p: new HmacTokenProvider({ secret: "s", clock: () => clock.us, ...extra }), clock };
}
const expect1 = (t: CapabilityToken) => ({
  expectedPrincipalId: t.principalId,
  expectedCapabilityId: t.capabilityId,
});

describe("HmacTokenProvider", () => {
  it("verifies tokens signed by weaver-kernel 0.12 (incl. non-ASCII and floats in constraints)", () => {
    const p = new HmacTokenProvider({ secret: ref.secret });
    for (const d of ref.tokens) {
      const t = tokenFromDict(d);
      expect(() => p.verify(t, expect1(t))).not.toThrow();
      expect(tokenToDict(t).signature).toBe(d.signature);
    }
    // The same tokens fail under another secret.
    const other = new HmacTokenProvider({ secret: `${ref.secret}x` });
    const t0 = tokenFromDict(ref.tokens[0] ?? {});
    expect(() => other.verify(t0, expect1(t0))).toThrow(TokenInvalidError);
  });

  it("issues tokens with isoformat timestamps and the default 3600 s TTL", () => {
    const { p, clock } = provider();
    const t = p.issue("cap", "alice", { constraints: { max_rows: 5 }, auditId: "a1" });
    expect(t.issuedAt).toBe(isoformatMicros(clock.us));
    expect(t.expiresAt).toBe("2026-01-01T01:00:00+00:00");
    expect(t.keyId).toBe("");
    expect(t.signature).toMatch(/^[0-9a-f]{64}$/);
    p.verify(t, expect1(t));
    expect(() => p.issue("cap", "alice", { ttlS: 0 })).toThrow(InvalidArgumentError);
  });

  it.each([
    ["tokenId", "other"],
    ["capabilityId", "cap2"],
    ["principalId", "mallory"],
    ["issuedAt", "2026-01-01T00:00:01+00:00"],
    ["expiresAt", "2099-01-01T00:00:00+00:00"],
    ["auditId", "forged"],
    ["constraints", { max_rows: 5000 }],
    ["signature", "0".repeat(64)],
    ["signature", "short"],
  ])("detects tampering with %s", (field, value) => {
    const { p } = provider();
    const t = p.issue("cap", "alice", { constraints: { max_rows: 5 } });
    const forged = { ...t, [field]: value } as CapabilityToken;
    // Verify against the forged claims themselves so only the signature can catch it.
    expect(() => p.verify(forged, expect1(forged))).toThrow(TokenInvalidError);
  });

  it("rejects expiry at or after the deadline", () => {
    const { p, clock } = provider();
    const t = p.issue("cap", "alice", { ttlS: 10 });
    clock.us += 9_999_999;
    p.verify(t, expect1(t));
    clock.us += 1;
    expect(() => p.verify(t, expect1(t))).toThrow(TokenExpiredError);
  });

  it("checks scope: principal then capability", () => {
    const { p } = provider();
    const t = p.issue("cap", "alice");
    expect(() => p.verify(t, { expectedPrincipalId: "bob", expectedCapabilityId: "cap" })).toThrow(
      TokenScopeError,
    );
    expect(() => p.verify(t, { expectedPrincipalId: "alice", expectedCapabilityId: "other" })).toThrow(
      /capability 'cap', not 'other'/,
    );
    expect(() => p.verify(t, { expectedPrincipalId: "bob", expectedCapabilityId: "other" })).toThrow(
      /principal 'alice', not 'bob'/,
    );
  });

  it("verifies in the reference order: revoked → expired → signature → principal → capability", () => {
    const { p, clock } = provider();
    const t = p.issue("cap", "alice", { ttlS: 1 });
    const forged = { ...t, signature: "0".repeat(64) };
    const wrong = { expectedPrincipalId: "bob", expectedCapabilityId: "x" };
    expect(() => p.verify(forged, wrong)).toThrow(TokenInvalidError);
    clock.us += 2_000_000;
    expect(() => p.verify(forged, wrong)).toThrow(TokenExpiredError);
    p.revoke(t.tokenId);
    expect(() => p.verify(forged, wrong)).toThrow(TokenRevokedError);
  });

  it("rotates keys by key id: old tokens verify while the key is held, new ones use the active key", () => {
    const clock = { us: Date.now() * 1000 };
    const store = new InMemoryRevocationStore();
    const v1 = new HmacTokenProvider({
      keys: { k1: "one" },
      activeKeyId: "k1",
      revocationStore: store,
      clock: () => clock.us,
    });
    const old = v1.issue("cap", "alice");
    expect(old.keyId).toBe("k1");
    const v2 = new HmacTokenProvider({
      keys: { k1: "one", k2: "two" },
      activeKeyId: "k2",
      revocationStore: store,
      clock: () => clock.us,
    });
    const fresh = v2.issue("cap", "alice");
    expect(fresh.keyId).toBe("k2");
    v2.verify(old, expect1(old));
    v2.verify(fresh, expect1(fresh));
    const v3 = new HmacTokenProvider({ keys: { k2: "two" }, activeKeyId: "k2", clock: () => clock.us });
    expect(() => v3.verify(old, expect1(old))).toThrow(TokenInvalidError);
    // Relabelling a token with another key id breaks its signature.
    expect(() => v2.verify({ ...old, keyId: "k2" }, expect1(old))).toThrow(TokenInvalidError);
    expect(() => new HmacTokenProvider({ keys: { k1: "one" }, activeKeyId: "nope" })).toThrow(
      InvalidArgumentError,
    );
  });

  it("rejects malformed tokens with a typed error", () => {
    const { p } = provider();
    expect(() =>
      p.verify({} as CapabilityToken, { expectedPrincipalId: "a", expectedCapabilityId: "b" }),
    ).toThrow(TokenInvalidError);
    expect(() =>
      p.verify(
        { ...p.issue("c", "a"), expiresAt: "soon" },
        { expectedPrincipalId: "a", expectedCapabilityId: "c" },
      ),
    ).toThrow(TokenInvalidError);
  });
});

describe("revocation", () => {
  it("revokeToken and revokePrincipal through the kernel; verification failures are not traced or counted", async () => {
    const { kernel } = makeKernel();
    const g1 = kernel.grantCapability({ capabilityId: "crm.list", goal: "g" }, reader);
    const g2 = kernel.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    const g3 = kernel.grantCapability({ capabilityId: "noop", goal: "g" }, writer);
    kernel.revokeToken(g1.token.tokenId);
    kernel.revokeToken(g1.token.tokenId); // idempotent
    await expect(kernel.invoke(g1.token, { principal: reader })).rejects.toBeInstanceOf(TokenRevokedError);
    expect(kernel.revokePrincipal("agent-r")).toBe(1); // g1 was already revoked
    expect(kernel.revokePrincipal("agent-r")).toBe(0);
    await expect(kernel.invoke(g2.token, { principal: reader })).rejects.toBeInstanceOf(TokenRevokedError);
    await kernel.invoke(g3.token, { principal: writer });
    // Wrong principal presenting a valid token.
    await expect(kernel.invoke(g3.token, { principal: reader })).rejects.toBeInstanceOf(TokenScopeError);
    expect(kernel.listTraces()).toHaveLength(1);
    expect(kernel.stats.invocations).toBe(1);
    expect(kernel.gauges().trackedRevocations).toBe(2);
  });

  it("sweepExpired forgets expired tokens only and never un-revokes a live one", () => {
    const store = new InMemoryRevocationStore();
    store.track("p", "live", "2030-01-01T00:00:00+00:00");
    store.track("p", "dead", "2020-01-01T00:00:00+00:00");
    store.track("q", "edge", "2025-01-01T00:00:00+00:00");
    store.revoke("live");
    store.revoke("dead");
    expect(store.sweepExpired(new Date("2025-01-01T00:00:00Z"))).toBe(2); // <= now
    expect(store.isRevoked("live")).toBe(true);
    expect(store.isRevoked("dead")).toBe(false);
    expect(store.size()).toBe(1);
    expect(store.revokePrincipal("q")).toBe(0); // edge was forgotten
    store.track("p", "other", "2030-01-01T00:00:00+00:00");
    expect(store.revokePrincipal("p")).toBe(1); // only "other" is new
  });

  it("uses an injected RevocationStore for the default token provider", async () => {
    const revocationStore = new InMemoryRevocationStore();
    const { Kernel } = await import("../src/index.js");
    const { makeRegistry } = await import("./helpers.js");
    const k = new Kernel({ registry: makeRegistry(), secret: "s", revocationStore });
    const g = k.grantCapability({ capabilityId: "noop", goal: "g" }, reader);
    expect(k.revokePrincipal(reader.principalId)).toBe(1);
    expect(revocationStore.isRevoked(g.token.tokenId)).toBe(true);
  });
});

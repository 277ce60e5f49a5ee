// Self-test vectors for `weft doctor`.
// Origin: test/fixtures/weaver-kernel/chain-minimal.json, produced by running the Python reference
// `weaver-kernel` (Apache-2.0) chain code; the doctor record is the reference doctor's own
// self-test (facts sheet §4 worked example). Embedded so the installed binary needs no fixtures.
import type { ActionTrace } from "@weft/kernel";
import { GENESIS_HASH } from "@weft/wire";

export const DOCTOR_SECRET = "weaver-kernel-doctor-test-vector";

/** The reference doctor's trace, in Weft's ActionTrace form. */
export const DOCTOR_TRACE: ActionTrace = {
  actionId: "doctor-1",
  capabilityId: "doctor.cap",
  principalId: "doctor-principal",
  tokenId: "doctor-tok",
  invokedAt: "2026-01-01T00:00:00+00:00",
  args: {},
  responseMode: "summary",
  driverId: "memory",
  handleId: null,
  error: null,
  resultSummary: null,
  sensitivity: "NONE",
  eventType: "invoke",
  reasonCode: null,
};

export const DOCTOR_RECORD_HASH = "e1f8978a6fdc9a2a803ed6934dd90be43896eee1e72463426cd545d0406c5584";

export const MINIMAL_SECRET = "chain-test-secret";

/** seq, prev_hash and record_hash of the reference unit-test chain; payload is {"action_id":"aN","n":N}. */
export const MINIMAL_CHAIN: ReadonlyArray<{ seq: number; prevHash: string; recordHash: string }> = [
  {
    seq: 0,
    prevHash: GENESIS_HASH,
    recordHash: "57958f5c03db91330b38848806f17af98a9550e433ed70cebda0f886152a8402",
  },
  {
    seq: 1,
    prevHash: "57958f5c03db91330b38848806f17af98a9550e433ed70cebda0f886152a8402",
    recordHash: "0f4f859449785abc5bd4592624ca5cbd04d66a6e917fd633126803231c847803",
  },
  {
    seq: 2,
    prevHash: "0f4f859449785abc5bd4592624ca5cbd04d66a6e917fd633126803231c847803",
    recordHash: "63270a4159735cb88355c2fbaf197433fcf90c92dfb5ac725cb0da13448f64a7",
  },
  {
    seq: 3,
    prevHash: "63270a4159735cb88355c2fbaf197433fcf90c92dfb5ac725cb0da13448f64a7",
    recordHash: "3994f47974e7b2aa85f645288cfa48167a7bf773fc51ff062423d2d8057b92cd",
  },
  {
    seq: 4,
    prevHash: "3994f47974e7b2aa85f645288cfa48167a7bf773fc51ff062423d2d8057b92cd",
    recordHash: "340e5b43322ad75446ce9ff47adfceb469510b95eff04c83b42d5a003aa5d078",
  },
];

export function minimalPayload(seq: number): { action_id: string; n: number } {
  return { action_id: `a${seq}`, n: seq };
}

"""Replay Weft-captured decisions with the reference's own replay() (weaver-kernel on PyPI).

Reads JSON from stdin: {"records": [weft.decision/v1 payloads, in chain order],
"candidate": "default" | "stricter_roles", "rate_limits": {"READ": [n, s], ...} | null,
"repeat": N (optional; benchmark: replay the list N times and report the time)}.

The reference's DefaultPolicyEngine keeps a stateful limiter on a clock; the clock is driven by
each record's recorded clock value (set as replay() pulls the record), which is the closest the
reference gets to evaluating "as of" a record. Prints {"evaluated", "flips": [...],
"rate_limited": [...], "seconds"} with flips as {"index", "kind", "baseline_allowed",
"candidate_allowed", "baseline_reason_code", "candidate_reason_code"}.
"""

from __future__ import annotations

import json
import logging
import sys
import time

from weaver_kernel.enums import SafetyClass, SensitivityTag
from weaver_kernel.errors import PolicyDenied
from weaver_kernel.models import Capability, CapabilityRequest, Principal
from weaver_kernel.policy import DefaultPolicyEngine
from weaver_kernel.policy_reasons import DenialReason
from weaver_kernel.replay import DecisionRecord, replay

NOW = [0.0]


def clock() -> float:
    return NOW[0]


class StricterRoles:
    """The rule of examples/agent-runtime/stricter.mjs, written independently: WRITE needs
    support_lead or admin, checked before the default rules."""

    def __init__(self, base: DefaultPolicyEngine) -> None:
        self._base = base

    def evaluate(self, request, capability, principal, *, justification):
        roles = set(principal.roles)
        if capability.safety_class == SafetyClass.WRITE and not roles & {"support_lead", "admin"}:
            raise PolicyDenied("WRITE needs support_lead or admin", reason_code=DenialReason.MISSING_ROLE)
        return self._base.evaluate(request, capability, principal, justification=justification)


def to_record(p: dict) -> tuple[DecisionRecord, float | None]:
    req, cap, pr, base = p["request"], p["capability"], p["principal"], p["baseline"]
    record = DecisionRecord(
        request=CapabilityRequest(
            capability_id=req["capability_id"],
            goal=req["goal"],
            constraints=dict(req["constraints"]),
            intent=req["intent"],
            scope=dict(req["scope"]),
        ),
        capability=Capability(
            capability_id=cap["capability_id"],
            name=cap["name"],
            description=cap["description"],
            safety_class=SafetyClass(cap["safety_class"]),
            sensitivity=SensitivityTag(cap["sensitivity"]),
            allowed_fields=list(cap["allowed_fields"]),
            tags=list(cap["tags"]),
        ),
        principal=Principal(
            principal_id=pr["principal_id"], roles=list(pr["roles"]), attributes=dict(pr["attributes"])
        ),
        justification=p["justification"]["text"],
        baseline_allowed=base["allowed"],
        # The reference records no reason code for an allowed baseline.
        baseline_reason_code=None if base["allowed"] else base["reason_code"],
    )
    return record, p["clock"]


def engine_for(candidate: str, rate_limits: dict | None):
    limits = None if rate_limits is None else {SafetyClass(k): (int(v[0]), float(v[1])) for k, v in rate_limits.items()}
    base = DefaultPolicyEngine(rate_limits=limits, clock=clock)
    if candidate == "default":
        return base
    if candidate == "stricter_roles":
        return StricterRoles(base)
    raise SystemExit(f"unknown candidate {candidate!r}")


def clocked(pairs):
    for record, at in pairs:
        NOW[0] = at
        yield record


def flip_json(f, index: int) -> dict:
    return {
        "index": index,
        "kind": f.kind,
        "baseline_allowed": f.baseline_allowed,
        "candidate_allowed": f.candidate_allowed,
        "baseline_reason_code": None if f.baseline_reason_code is None else str(f.baseline_reason_code),
        "candidate_reason_code": None if f.candidate_reason_code is None else str(f.candidate_reason_code),
    }


def main() -> None:
    # The reference logs every denial at WARNING; printing those is not part of replaying.
    logging.disable(logging.CRITICAL)
    spec = json.load(sys.stdin)
    pairs = [to_record(p) for p in spec["records"]]
    index_of = {id(r): i for i, (r, _) in enumerate(pairs)}
    repeat = int(spec.get("repeat", 1))
    diff = None
    start = time.perf_counter()
    for _ in range(repeat):
        # A fresh engine per pass: the reference's limiter is stateful.
        diff = replay(clocked(pairs), engine_for(spec["candidate"], spec.get("rate_limits")))
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "evaluated": diff.evaluated,
                "flips": [flip_json(f, index_of[id(f.record)]) for f in diff.flips],
                "rate_limited": [flip_json(f, index_of[id(f.record)]) for f in diff.rate_limited],
                "seconds": seconds,
                "repeat": repeat,
            }
        )
    )


if __name__ == "__main__":
    main()

"""Write a chained trace store with the reference's own store classes (weaver-kernel on PyPI).

Prints JSON to stdout: {"traces": [export dict of every trace written, in order],
"records": [{"seq", "prev_hash", "record_hash"} as the store itself lists them]}.
The hashes come from the reference, so they are the oracle for Weft's reader.

usage: python write_store.py --format sqlite|jsonl --store PATH [--count N] [--start I]
(appends traces I..I+N-1 to the store, creating it if needed; `records` lists the whole chain)
Secret: WEAVER_KERNEL_SECRET (resolved by the reference itself).
"""

from __future__ import annotations

import argparse
import datetime
import json

from weaver_kernel.models import ActionTrace
from weaver_kernel.enums import SensitivityTag
from weaver_kernel.stores import JsonlTraceStore, SQLiteTraceStore, encode_trace

UTC = datetime.timezone.utc


def make_trace(i: int) -> ActionTrace:
    """Trace i: varied event kinds, non-ASCII/astral text, Python floats and big ints."""
    base = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
    # Every third trace has a zero microsecond part, which isoformat() omits.
    micro = 0 if i % 3 == 0 else 1000 * i + 7
    invoked_at = base + datetime.timedelta(seconds=i, microseconds=micro)
    args = {
        "marker": f"marker-{i:04d}",
        "name": "Zo\u00eb \u03a9mega \u65e5\u672c \U0001f600 caf\u00e9",
        "ratio": 2.0,
        "tiny": 1e-07,
        "huge": 1e16,
        "third": 1 / 3,
        "neg_zero": -0.0,
        "big": 2**64 + i,
        "max_safe": 9007199254740991,
        "escapes": 'tab\t quote" back\\ nl\n ctrl\x01 del\x7f slash/',
        "nested": {"list": [1, 2.5, {"deep": "\u00fcn\u00efc\u00f6de", "n": None}], "empty": {}, "t": True},
        "\u043a\u043b\u044e\u0447": 1,
        "\U0001f600k": 2,
        "\ue000k": 3,
    }
    kind = i % 4
    if kind == 0:
        return ActionTrace(
            action_id=f"py-{i:04d}", capability_id="crm.read_customer", principal_id="agent-\u00fc",
            token_id=f"tok-{i}", invoked_at=invoked_at, args=args, response_mode="summary",
            driver_id="memory", handle_id=f"h-{i}",
            result_summary={"fact_count": 3, "row_count": 2, "warning_count": 0, "has_handle": True},
            sensitivity=SensitivityTag.PII,
        )
    if kind == 1:
        return ActionTrace(
            action_id=f"py-{i:04d}", capability_id="web.fetch", principal_id="agent-7",
            token_id=f"tok-{i}", invoked_at=invoked_at, args=args, response_mode="raw",
            driver_id="http", error="driver failed: \u00e9chec \U0001f4a5",
        )
    if kind == 2:
        return ActionTrace(
            action_id=f"py-{i:04d}", capability_id="crm.read_customer", principal_id="agent-7",
            token_id="", invoked_at=invoked_at, args={"marker": f"marker-{i:04d}"}, response_mode="table",
            driver_id="", handle_id=f"h-{i - 2}",
            result_summary={"fact_count": 0, "row_count": 5, "warning_count": 1, "has_handle": True},
            event_type="expand",
        )
    return ActionTrace(
        action_id=f"py-{i:04d}", capability_id="fs.delete", principal_id="agent-\u00fc",
        token_id="", invoked_at=invoked_at, args={"marker": f"marker-{i:04d}"}, response_mode="summary",
        driver_id="", error="denied: role missing", event_type="deny", reason_code="missing_role",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--format", choices=["sqlite", "jsonl"], required=True)
    parser.add_argument("--store", required=True)
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--start", type=int, default=0)
    opts = parser.parse_args()

    store = SQLiteTraceStore(opts.store) if opts.format == "sqlite" else JsonlTraceStore(opts.store)
    traces = [make_trace(i) for i in range(opts.start, opts.start + opts.count)]
    for trace in traces:
        store.record(trace)
    records = [
        {"seq": r.seq, "prev_hash": r.prev_hash, "record_hash": r.record_hash}
        for r in store.list_records()
    ]
    if opts.format == "sqlite":
        store.close()
    print(json.dumps({"traces": [encode_trace(t) for t in traces], "records": records}))


if __name__ == "__main__":
    main()

"""Time the reference's SQLiteTraceStore in-process: append N traces, then verify the chain.

Reads the traces (export dicts, the same ones the Weft side appends) from --records, decodes
them with the reference's own codec outside the timed region, then times `store.record(t)` for
every trace (the reference commits once per record, default rollback journal) and
`store.verify_chain()`. Prints one JSON object to stdout.

usage: python bench_sqlite.py --store PATH --records FILE.json
Secret: WEAVER_KERNEL_SECRET.
"""

from __future__ import annotations

import argparse
import json
import platform
import sqlite3
import time

from weaver_kernel.stores import SQLiteTraceStore, decode_trace


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--records", required=True)
    opts = parser.parse_args()

    with open(opts.records, encoding="utf-8") as handle:
        traces = [decode_trace(d) for d in json.load(handle)]

    store = SQLiteTraceStore(opts.store)
    start = time.perf_counter()
    for trace in traces:
        store.record(trace)
    append_s = time.perf_counter() - start

    start = time.perf_counter()
    result = store.verify_chain()
    verify_s = time.perf_counter() - start
    store.close()

    print(
        json.dumps(
            {
                "n": len(traces),
                "append_s": append_s,
                "verify_s": verify_s,
                "verify_ok": result.ok,
                "records_checked": result.records_checked,
                "python": platform.python_version(),
                "sqlite": sqlite3.sqlite_version,
            }
        )
    )


if __name__ == "__main__":
    main()

"""Prune a SQLite trace store with the reference's own SQLiteTraceStore.prune (checkpoint semantics).

usage: python prune_store.py --store PATH --before ISO-8601
Prints {"pruned": N, "checkpoint_hash": ..., "checkpoint_next_seq": ...} (meta as the reference left it).
Secret: WEAVER_KERNEL_SECRET.
"""

from __future__ import annotations

import argparse
import datetime
import json
import sqlite3

from weaver_kernel.stores import SQLiteTraceStore


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", required=True)
    parser.add_argument("--before", required=True)
    opts = parser.parse_args()

    store = SQLiteTraceStore(opts.store)
    pruned = store.prune(datetime.datetime.fromisoformat(opts.before))
    store.close()
    conn = sqlite3.connect(opts.store)
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key LIKE 'checkpoint_%'").fetchall())
    conn.close()
    print(json.dumps({"pruned": pruned, **meta}))


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""count.py: the counting demo in an interpreter with a large live heap.

Why: a Python process has a big, pointer-rich heap (a 200,000-entry dict is a
few tens of MiB of objects spread over many arenas). A restored interpreter
must get every object back intact, or the dict's hash table, reference counts
or values break.  Every step the program increments a counter stored in the
dict, then verifies the whole dict: its size, and the sum of all values,
which must equal sum(range(N)) + counter.

Usage: count.py [N]   -- stop after printing N; default: forever.
Output: the counter, one per line, every 100 ms; on corruption
"DICT CORRUPTED ..." and exit status 3.
"""
import sys
import time

ENTRIES = 200_000
BASE = ENTRIES * (ENTRIES - 1) // 2


def main():
    limit = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    d = {i: i for i in range(ENTRIES)}
    d["counter"] = 0
    while True:
        d["counter"] += 1
        n = d["counter"]
        # Touch one entry per step (write it, then restore it) so the table is
        # written, not only read.
        k = n % ENTRIES
        d[k] = d[k] + 1
        d[k] -= 1
        total = sum(d.values())
        if len(d) != ENTRIES + 1 or total != BASE + n:
            print(f"DICT CORRUPTED at {n}: len={len(d)} sum={total} expected {BASE + n}", flush=True)
            sys.exit(3)
        print(n, flush=True)
        if limit and n >= limit:
            return
        time.sleep(0.1)  # retried after signals by Python itself (PEP 475)


if __name__ == "__main__":
    main()

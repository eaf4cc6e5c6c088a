#!/usr/bin/env python3
"""pool.py: a multiprocessing.Pool of two worker processes summing squares.

Why: a Pool is a small process tree (the parent with three helper threads,
two forked workers) held together by pipes (the task and result queues) and a
lock in shared memory (a POSIX semaphore). After a restart the workers must
still be the parent's children, with the same pids as before, and no task or
result may be lost or handled twice, or the total comes out wrong.

Usage: pool.py [ITEMS] [DELAY]  -- square 0 .. ITEMS-1 (default 300), each
task sleeping DELAY seconds (default 0.08) in a worker.
Output, one line per result in order (imap):
    item <i> total=<running sum> parent=<pid> worker=<pid> wppid=<worker's getppid>
then "result total=<t> expected=<e> ok" and exit status 0, or
"RESULT WRONG total=<t> expected=<e>" and exit status 3.
"""
import multiprocessing
import os
import sys
import time

DELAY = 0.08


def square(x):
    time.sleep(DELAY)
    return x * x, os.getpid(), os.getppid()


def main():
    global DELAY
    items = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    if len(sys.argv) > 2:
        DELAY = float(sys.argv[2])  # inherited by the forked workers
    expected = sum(x * x for x in range(items))
    total = 0
    # fork (the Linux default before Python 3.14), so the workers see DELAY.
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(2) as pool:
        for i, (value, worker, wppid) in enumerate(pool.imap(square, range(items)), 1):
            total += value
            print(f"item {i} total={total} parent={os.getpid()} worker={worker} wppid={wppid}", flush=True)
    if total != expected:
        print(f"RESULT WRONG total={total} expected={expected}", flush=True)
        sys.exit(3)
    print(f"result total={total} expected={expected} ok", flush=True)


if __name__ == "__main__":
    main()

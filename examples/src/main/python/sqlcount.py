#!/usr/bin/env python3
"""sqlcount.py DB [delete|wal] [N]: a program that keeps committing to an SQLite database.

Why: a database is rewritten in place (pages in the middle, a journal or write-ahead log that
comes and goes), not appended to. After a checkpoint the run that is later killed goes on
committing; a restart that leaves those commits in the file gives the restarted program, whose
memory is from the checkpoint, a database newer than itself: its next insert fails on the
primary key (issue 9). The files plugin must put the database back as it was.

The key is kept in memory, as a program's state would be: it is read from the database only at
the start. Each step inserts row n in a transaction of its own, then prints n. The commits do
not fsync (synchronous=off): a kill is no crash of the machine, and a short transaction keeps the
window small in which a kill leaves a hot journal behind (in delete mode; see
docs/architecture.md, "Files changed in place": a journal made after the checkpoint is a known
limit).

Output: n, one per line, every 250 ms; on an SQLite error "SQLITE ERROR at n: ..." (a bad
marker for the tests) and exit status 3.
"""
import sqlite3
import sys
import time


def main():
    db = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "delete"
    limit = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    con = sqlite3.connect(db, isolation_level=None)
    con.execute(f"pragma journal_mode={mode}")
    con.execute("pragma synchronous=off")
    # In WAL mode fold the log into the database every few pages and begin it again, as a
    # long-running program's database does every 1000 pages: the database and its log are then
    # both rewritten in place, not only appended to, within a test's few seconds.
    con.execute("pragma wal_autocheckpoint=4")
    con.execute("create table if not exists t (k integer primary key, v text not null)")
    n = con.execute("select coalesce(max(k), 0) from t").fetchone()[0]
    pad = "x" * 300  # rows of a few hundred bytes: the table soon spans many pages
    while True:
        n += 1
        try:
            con.execute("begin")
            con.execute("insert into t values (?, ?)", (n, pad + str(n)))
            con.execute("commit")
        except sqlite3.Error as e:
            print(f"SQLITE ERROR at {n}: {e}", flush=True)
            sys.exit(3)
        print(n, flush=True)
        if limit and n >= limit:
            return
        time.sleep(0.25)  # retried after signals by Python itself (PEP 475)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Waits until a receiver has persisted TOTAL messages; prints "COUNT SECONDS".

SECONDS runs from START (a Unix time taken by run.sh just before loggen starts) to the first poll
that saw COUNT >= TOTAL. If the count stops moving for --stall seconds (or --timeout passes) it
prints the count it reached and the time of its last increase, and exits 2.

  wait_count.py --total N --start T file PATH
      lines in PATH (newline bytes, as `wc -l` counts them), read incrementally: each poll reads
      only what was appended since the last one, so polling costs next to nothing
  wait_count.py --total N --start T pg DB 'EXACT SQL' ['CHEAP SQL']
      EXACT SQL (e.g. SELECT count(*) FROM t) through psql; while CHEAP SQL (an upper bound of
      the committed rows, e.g. the id sequence's last_value) is below TOTAL, only it is asked, so
      that counting a growing table does not take a core away from the receiver
  wait_count.py --total N --start T metrics URL NAME
      the counter NAME (summed over its labels) in the Prometheus text at URL
"""
import argparse
import os
import subprocess
import sys
import time
import urllib.request


def file_counter(path):
    state = {"f": None, "n": 0}

    def count():
        if state["f"] is None:
            if not os.path.exists(path):
                return 0
            state["f"] = open(path, "rb")
        while True:
            chunk = state["f"].read(1 << 22)
            if not chunk:
                break
            state["n"] += chunk.count(b"\n")
        return state["n"]

    return count


def psql(db, sql):
    out = subprocess.run(
        ["psql", "-h", os.environ.get("PGHOST", "127.0.0.1"), "-p", os.environ.get("PGPORT", "5432"),
         "-U", os.environ.get("PGUSER", "postgres"), "-d", db, "-XAtqc", sql],
        capture_output=True, text=True)
    if out.returncode != 0:
        return None
    try:
        return int(out.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def pg_counter(db, exact, cheap, total):
    state = {"exact": cheap is None, "n": 0}

    def count():
        if not state["exact"]:
            n = psql(db, cheap)
            if n is not None and n >= total:
                state["exact"] = True
            else:
                # not the committed count, only a sign of progress (for the stall check)
                return min(n or 0, total - 1) if n is not None else state["n"]
        n = psql(db, exact)
        if n is not None:
            state["n"] = n
        return state["n"]

    return count


def metrics_counter(url, name):
    def count():
        try:
            with urllib.request.urlopen(url, timeout=2) as r:
                text = r.read().decode("utf-8", "replace")
        except OSError:
            return None
        n = 0
        seen = False
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            metric = line.split(" ", 1)[0].split("{", 1)[0]
            if metric == name:
                seen = True
                n += int(float(line.rsplit(" ", 1)[-1]))
        return n if seen else 0

    return count


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--total", type=int, required=True)
    ap.add_argument("--start", type=float, required=True)
    ap.add_argument("--interval", type=float, default=0.1, help="seconds between polls")
    ap.add_argument("--stall", type=float, default=60.0)
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("mode", choices=["file", "pg", "metrics"])
    ap.add_argument("args", nargs="+")
    a = ap.parse_args()
    if a.mode == "file":
        count = file_counter(a.args[0])
        final = count
    elif a.mode == "pg":
        cheap = a.args[2] if len(a.args) > 2 else None
        count = pg_counter(a.args[0], a.args[1], cheap, a.total)
        final = lambda: psql(a.args[0], a.args[1])
    else:
        count = metrics_counter(a.args[0], a.args[1])
        final = count

    last_n, last_change = -1, time.time()
    while True:
        n = count()
        now = time.time()
        if n is not None and n != last_n:
            last_n, last_change = n, now
        if n is not None and n >= a.total:
            print(n, f"{now - a.start:.3f}")
            return 0
        if now - last_change > a.stall or now - a.start > a.timeout:
            n = final()
            print(n if n is not None else max(last_n, 0), f"{last_change - a.start:.3f}")
            return 2
        time.sleep(a.interval)


if __name__ == "__main__":
    sys.exit(main())

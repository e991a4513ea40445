#!/usr/bin/env python3
"""Where a request's time goes, from the service's own log: no scratch build, no profiler.

Run the service with
    RUST_LOG=warn,tower_http=debug,sqlx::query=debug landguard serve ... 2> server.log
drive it with one client (wrk -t1 -c1), then
    python3 bench/phases.py server.log
tower_http logs when each request starts and ends (with its latency), sqlx each statement with its elapsed
time (from sending it to its last row). With one client the lines of one request are contiguous, so each
statement is charged to the request around it; what is left is the service's own work (reading the body,
JSON, rules, writing the answer) and waiting for a pooled connection. Logging itself costs a little: compare
phases with each other, not the total with a run without logs.
"""
import re
import statistics
import sys
from datetime import datetime

ANSI = re.compile(r"\x1b\[[0-9;]*m")
STAMP = re.compile(r"^(\S+Z)")
ELAPSED = re.compile(r"elapsed=([0-9.]+)(ns|µs|us|ms|s)\b")
SUMMARY = re.compile(r'summary="([^"]*)"')
UNIT = {"ns": 1e-6, "µs": 1e-3, "us": 1e-3, "ms": 1.0, "s": 1000.0}


def requests(path):
    cur = None
    for raw in open(path, encoding="utf-8", errors="replace"):
        line = ANSI.sub("", raw)
        m = STAMP.match(line)
        if not m:
            continue
        t = datetime.fromisoformat(m.group(1).replace("Z", "+00:00")).timestamp() * 1000
        if "started processing request" in line:
            cur = {"start": t, "statements": []}
        elif cur is None:
            continue
        elif "sqlx::query" in line:
            e, s = ELAPSED.search(line), SUMMARY.search(line)
            if e:
                cur["statements"].append((s.group(1) if s else "?", float(e.group(1)) * UNIT[e.group(2)]))
        elif "finished processing request" in line:
            cur["total"] = t - cur["start"]
            yield cur
            cur = None


def main():
    reqs = list(requests(sys.argv[1]))[5:]  # the first few warm the pool and the statement cache
    if not reqs:
        sys.exit("no complete requests in the log (RUST_LOG=warn,tower_http=debug,sqlx::query=debug?)")
    rows = {}
    for r in reqs:
        for name, ms in r["statements"]:
            rows.setdefault(name, []).append(ms)
        rows.setdefault("(outside statements)", []).append(r["total"] - sum(ms for _, ms in r["statements"]))
        rows.setdefault("(request, total)", []).append(r["total"])
    print(f"{len(reqs)} requests; ms per request")
    print(f"| phase | n | p50 | mean | p90 |\n|---|---:|---:|---:|---:|")
    for name, v in rows.items():
        v = sorted(v)
        print(f"| {name} | {len(v)} | {v[len(v) // 2]:.3f} | {statistics.mean(v):.3f} | {v[len(v) * 9 // 10]:.3f} |")


if __name__ == "__main__":
    main()

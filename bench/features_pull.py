#!/usr/bin/env python3
"""Pull a whole OGC API Features layer by following `next` links, and sample servers' memory meanwhile.

    python3 bench/features_pull.py URL [--pid PID ...] [--interval 0.02]

URL is the first items page (e.g. http://127.0.0.1:18080/collections/farmland_units/items?limit=10000).
Each page is read whole over one keep-alive connection (no compression); the `next` link and
`numberReturned` are found with a regular expression, so the client spends no time parsing JSON and
treats every server alike. With --pid, the resident set size (VmRSS) of those processes (summed) is
sampled every --interval seconds while the pull runs, and their CPU time (user + system) over the pull is
counted: unlike wall clock, a busy machine does not change it. Prints one JSON object: seconds, pages,
features, bytes, and with --pid rss_kb (start, min, max, end, samples) and cpu_s. Standard library only.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import sys
import threading
import time
from urllib.parse import urljoin, urlsplit

NEXT = re.compile(rb'\{[^{}]*"rel"\s*:\s*"next"[^{}]*\}')
HREF = re.compile(rb'"href"\s*:\s*"([^"]+)"')
RETURNED = re.compile(rb'"numberReturned"\s*:\s*(\d+)')


def rss_kb(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/status") as fh:
                for line in fh:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
                        break
        except OSError:
            pass
    return total


def cpu_s(pids: list[int]) -> float:
    """User + system CPU seconds of the processes so far (fields 14 and 15 of /proc/PID/stat)."""
    ticks = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
        except (OSError, IndexError, ValueError):
            pass
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--pid", type=int, action="append", default=[])
    ap.add_argument("--interval", type=float, default=0.02)
    args = ap.parse_args()

    samples: list[tuple[float, int]] = []
    done = threading.Event()
    t0 = time.monotonic()

    def sampler() -> None:
        while not done.is_set():
            samples.append((time.monotonic() - t0, rss_kb(args.pid)))
            done.wait(args.interval)

    if args.pid:
        samples.append((0.0, rss_kb(args.pid)))
        threading.Thread(target=sampler, daemon=True).start()

    url = args.url
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=600)
    pages = features = nbytes = 0
    cpu0 = cpu_s(args.pid)
    start = time.monotonic()
    while url:
        p = urlsplit(url)
        path = p.path + ("?" + p.query if p.query else "")
        conn.request("GET", path, headers={"Accept": "application/geo+json", "Accept-Encoding": "identity"})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 200:
            print(f"HTTP {resp.status} for {url}: {body[:300]!r}", file=sys.stderr)
            return 1
        pages += 1
        nbytes += len(body)
        m = RETURNED.search(body[-4096:]) or RETURNED.search(body)
        features += int(m.group(1)) if m else body.count(b'"type":"Feature"')
        nxt = NEXT.search(body[-8192:]) or NEXT.search(body)
        url = urljoin(url, HREF.search(nxt.group(0)).group(1).decode().replace("&amp;", "&")) if nxt else None
    seconds = time.monotonic() - start
    cpu = cpu_s(args.pid) - cpu0
    done.set()
    if args.pid:
        samples.append((time.monotonic() - t0, rss_kb(args.pid)))
    out = {"seconds": round(seconds, 3), "pages": pages, "features": features, "bytes": nbytes}
    if samples:
        vals = [s[1] for s in samples]
        out["rss_kb"] = {"start": vals[0], "min": min(vals), "max": max(vals), "end": vals[-1],
                         "samples": len(vals)}
        out["cpu_s"] = round(cpu, 2)
        out["rss_series"] = [[round(t, 2), v] for t, v in samples[:: max(1, len(samples) // 60)]]
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""CPU time spent while a command runs, by a service process and by the PostgreSQL backends of one database.

    python3 bench/cpu_during.py --db NAME [--pid PID ...] -- COMMAND ARGS...

Runs COMMAND (wrk, pgbench), sampling every 20 ms the user + system CPU time (/proc/PID/stat) of each --pid
and of every backend whose process title names database NAME ("postgres: USER NAME HOST ..."), including
backends that start and end during the run (pgbench's). Prints COMMAND's output, then one line
`CPU service_s=... backends_s=... wall_s=...`. A backend's time is counted from its first sample (or from
zero when it first appears after the start: its connection set-up) to its last, so what it spends in its
last 20 ms is missed: at most a few ms per backend. Not run by the tests (bench/pages_cpu.sh uses it).
"""
import argparse
import os
import subprocess
import sys
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        # fields[0] is the state (field 3 of stat): utime and stime are fields 14 and 15
        return (int(fields[11]) + int(fields[12])) / TICK
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return None


def backends(db):
    prefix = b"postgres: "
    out = []
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/cmdline", "rb") as f:
                title = f.read()
        except OSError:
            continue
        if title.startswith(prefix):
            parts = title[len(prefix):].split(b" ")
            if len(parts) >= 2 and parts[1] == db:
                out.append(int(d))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--db", required=True)
    ap.add_argument("--pid", type=int, action="append", default=[])
    ap.add_argument("cmd", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    cmd = a.cmd[1:] if a.cmd and a.cmd[0] == "--" else a.cmd
    db = a.db.encode()
    first, last = {}, {}
    svc0 = {p: cpu_s(p) for p in a.pid}
    for b in backends(db):
        c = cpu_s(b)
        if c is not None:
            first[b], last[b] = c, c
    stop = threading.Event()

    def sample():
        while not stop.is_set():
            for b in backends(db):
                c = cpu_s(b)
                if c is None:
                    continue
                first.setdefault(b, 0.0)
                last[b] = c
            time.sleep(0.02)

    t = threading.Thread(target=sample, daemon=True)
    t0 = time.monotonic()
    t.start()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
    stop.set()
    t.join()
    wall = time.monotonic() - t0
    svc = sum((cpu_s(p) or 0.0) - (svc0[p] or 0.0) for p in a.pid)
    be = sum(last[b] - first[b] for b in last)
    sys.stdout.write(proc.stdout)
    print(f"CPU service_s={svc:.2f} backends_s={be:.2f} wall_s={wall:.2f}")
    sys.exit(proc.returncode)


if __name__ == "__main__":
    main()

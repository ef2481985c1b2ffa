#!/usr/bin/env python3
"""Peak memory of a PostgreSQL cluster: every 50 ms, the sum of PSS (proportional set size, so shared
buffers count once) over the postmaster and all its children; the running maximum (kB) goes to OUT.
Usage: pss.py POSTMASTER_PID OUT   (stop with SIGTERM)"""
import os, signal, sys, time

pm, out = int(sys.argv[1]), sys.argv[2]
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))


def pss(pid):
    try:
        for line in open(f"/proc/{pid}/smaps_rollup"):
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


peak = 0
while True:
    total = pss(pm)
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                if int(open(f"/proc/{d}/stat").read().rsplit(")", 1)[1].split()[1]) == pm:
                    total += pss(d)
            except (OSError, IndexError, ValueError):
                pass
    if total > peak:
        peak = total
        with open(out, "w") as f:
            f.write(f"{peak}\n")
    time.sleep(0.05)

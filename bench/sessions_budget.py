#!/usr/bin/env python3
"""Quiet when closed, measured end to end (issue #14): kis-engine against its embedded
simulator on the 2026 calendar ([sim] start), REST permits by class read from /metrics.json at
chosen market times. Two runs:
  night  03:00 KST at speed 60: one market hour in one real minute, after start-up;
  open   07:58:00 KST at speed 1, 120 symbols: the minute before Nextrade's pre-market (the
         wake-up at 07:59 and its warm-up) and the first minute after the 08:00 open;
  close  19:59:00 KST at speed 1: Nextrade's last minute of after-market, then the 20:00 close
         and the first closed minute.
The market time of a scrape is the start plus speed x the real time since the engine was
launched (the simulator's clock starts within a few ms of that).

    bench/sessions_budget.py [build dir]        e.g. bench/sessions_budget.py build/release
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

CLASSES = ["order", "cancel_revise", "pretrade", "account_query", "market_data", "history"]


def permits(url):
    snap = json.load(urllib.request.urlopen(url + "/metrics.json", timeout=5))
    out = dict.fromkeys(CLASSES, 0)
    registrations = 0
    for a in snap["actors"]:
        for v in a["values"]:
            if v["name"] == "permits_granted_total":
                out[{l["name"]: l["value"] for l in v["labels"]}["class"]] += v["value"]
            if v["name"] == "ws_registrations":
                registrations = v["value"]
    return out, registrations


def run(engine, work, name, start, speed, symbols, marks):
    """marks: [(label, market seconds after start)]; returns [(label, permits, registrations)]."""
    cfg = os.path.join(work, name + ".toml")
    with open(cfg, "w") as f:
        f.write(f'mode = "sim"\ndata_dir = "{work}/{name}"\n[sim]\nstart = "2026-03-10 {start}"\n'
                f"speed = {speed}\n[analyzers]\nsymbol_count = {symbols}\n")
    err = open(os.path.join(work, name + ".err"), "w+")
    t0 = time.monotonic()
    last = max(m for _, m in marks) / speed + 5
    p = subprocess.Popen([engine, "run", "-c", cfg, "--metrics-port", "0", "--duration",
                          f"{int(last)}s"], stdout=subprocess.DEVNULL, stderr=err)
    url = None
    while url is None and p.poll() is None:
        time.sleep(0.1)
        err.seek(0)
        for line in err:
            if "metrics on " in line:
                url = line.split("metrics on ")[1].split("/metrics")[0]
    rows = []
    for label, at in marks:
        wait = t0 + at / speed - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        rows.append((label, *permits(url)))
        print(f"  {name}: {label:<28} {rows[-1][1]}  registrations {rows[-1][2]:.0f}",
              file=sys.stderr)
    p.wait()
    return rows


def delta(a, b):
    return {k: b[k] - a[k] for k in CLASSES}


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build/release"
    engine = os.path.realpath(os.path.join(build, "runtime", "kis-engine"))
    with tempfile.TemporaryDirectory() as work:
        night = run(engine, work, "night", "03:00:00", 60, 120,
                    [("after start-up (03:05)", 300), ("one market hour later", 3900)])
        opening = run(engine, work, "open", "07:58:00", 1, 120,
                      [("07:58:30", 30), ("07:59:00 (wake-up)", 60), ("08:00:00 (NXT open)", 120),
                       ("08:01:00", 180)])
        close = run(engine, work, "close", "19:59:00", 1, 120,
                    [("19:59:20", 20), ("20:00:00 (the close)", 60), ("20:01:00", 120)])
    hour = delta(night[0][1], night[1][1])
    print("| stretch | " + " | ".join(CLASSES) + " | total | registrations at its end |")
    print("|---" * (len(CLASSES) + 3) + "|")

    def row(label, d, regs):
        print(f"| {label} | " + " | ".join(f"{d[k]:.0f}" for k in CLASSES) +
              f" | **{sum(d.values()):.0f}** | {regs:.0f} |")

    row("start-up at 03:00 (token, balance, fills, chk-holiday)", night[0][1], night[0][2])
    row("a closed hour, 03:05-04:05", hour, night[1][2])
    row("start at 07:58:00 to 07:59:00: start-up only", opening[1][1], opening[1][2])
    row("07:59-08:00: wake-up and warm-up", delta(opening[1][1], opening[2][1]), opening[2][2])
    row("08:00-08:01: the first minute of the open", delta(opening[2][1], opening[3][1]),
        opening[3][2])
    row("start at 19:59:00 to 19:59:20 (start-up, after-market)", close[0][1], close[0][2])
    row("19:59:20-20:00:00: Nextrade's last 40 s", delta(close[0][1], close[1][1]), close[1][2])
    row("20:00-20:01: the first closed minute", delta(close[1][1], close[2][1]), close[2][2])


if __name__ == "__main__":
    main()

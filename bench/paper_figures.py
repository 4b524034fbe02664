#!/usr/bin/env python3
"""Figures of one engine run from its /metrics.json (bench/paper_run.sh): REST permits by class,
signals and orders, and p50/p99 of the order's permit wait and of signal -> KIS's answer. A
quantile is the upper bound of the histogram bucket it falls in (buckets 1-2.5-5 per decade)."""
import json
import sys


def quantile(h, q):
    if not h or h["count"] == 0:
        return None
    need = q * h["count"]
    for bound, cum in zip(h["bounds"], h["counts"]):
        if cum >= need:
            return bound
    return float("inf")


def fmt(x):
    if x is None:
        return "-"
    return f"<= {x * 1000:.0f} ms" if x < 10 else f"> {x:.0f} s"


def main(path):
    snap = json.load(open(path))
    by_class, waits, to_ack = {}, None, None
    for a in snap["actors"]:
        for v in a["values"]:
            if v["name"] == "permits_granted_total":
                cls = {l["name"]: l["value"] for l in v["labels"]}["class"]
                by_class[cls] = by_class.get(cls, 0) + v["value"]
        for h in a["histograms"]:
            labels = {l["name"]: l["value"] for l in h["labels"]}
            if h["name"] == "permit_wait_seconds" and labels.get("class") == "order":
                waits = h
            if h["name"] == "order_signal_to_ack_seconds":
                to_ack = h
    s = snap["summary"]
    print("   REST permits by class: " + ", ".join(f"{k} {v:.0f}" for k, v in by_class.items()))
    print(f"   signals {s['signals_total']:.0f}, orders {s['orders']}, fills {s['fills_total']:.0f}")
    print(f"   order permit wait p50 {fmt(quantile(waits, 0.5))}, p99 {fmt(quantile(waits, 0.99))}")
    print(f"   signal -> KIS answer p50 {fmt(quantile(to_ack, 0.5))}, "
          f"p99 {fmt(quantile(to_ack, 0.99))} ({to_ack['count'] if to_ack else 0} orders)")


if __name__ == "__main__":
    main(sys.argv[1])

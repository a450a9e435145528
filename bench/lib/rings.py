#!/usr/bin/env python3
"""Splits a cluster run's history into client operations invoked during a majorities-ring partition and
those invoked outside one, and prints the ok fraction of each and their ratio.

    rings.py FILE...        FILE: a run's --results JSON (its run-dir holds history.jsonl)

The nemesis operations in the history (process -1, start-partition with value.spec, stop-partition) give
the intervals. An operation counts as ok only when it completed ok; one never completed counts as not ok.
Final reads (none on lin-kv) are left out.
"""
import json
import os
import sys


def ring_intervals(ops):
    """[start, stop) in nanoseconds of every majorities-ring partition; one still in force ends at infinity."""
    intervals, began = [], None
    for op in sorted((o for o in ops if o["process"] == -1), key=lambda o: o["timeNanos"]):
        if op["f"] == "start-partition":
            spec = op["value"].get("spec") if isinstance(op["value"], dict) else None
            began = op["timeNanos"] if spec == "majorities-ring" else None
        elif op["f"] == "stop-partition" and began is not None:
            intervals.append((began, op["timeNanos"]))
            began = None
    if began is not None:
        intervals.append((began, float("inf")))
    return intervals


def split(ops):
    """(ok, invoked) for operations invoked during a ring and outside one."""
    rings = ring_intervals(ops)
    ok_invocations = {o["invocation"] for o in ops if o["process"] >= 0 and o["type"] == "OK"}
    counts = {"ring": [0, 0], "outside": [0, 0]}
    for op in ops:
        if op["process"] < 0 or op["type"] != "INVOKE" or op.get("finalRead"):
            continue
        during = any(start <= op["timeNanos"] < stop for start, stop in rings)
        tally = counts["ring" if during else "outside"]
        tally[1] += 1
        if op["index"] in ok_invocations:
            tally[0] += 1
    return counts, sum(min(stop, max(o["timeNanos"] for o in ops)) - start for start, stop in rings)


def fraction(tally):
    return tally[0] / tally[1] if tally[1] else float("nan")


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    print("{:>5} {:>5} {:<8} {:>7} {:>16} {:>16} {:>7} {:>8}".format(
        "nodes", "seed", "verdict", "ring s", "ok during ring", "ok outside", "ratio", "msgs/op"))
    for path in paths:
        with open(path, encoding="utf-8") as f:
            results = json.load(f)
        with open(os.path.join(results["run-dir"], "history.jsonl"), encoding="utf-8") as f:
            ops = [json.loads(line) for line in f if line.strip()]
        counts, ring_nanos = split(ops)
        ring, outside = counts["ring"], counts["outside"]
        ratio = fraction(ring) / fraction(outside) if ring[1] and outside[1] and outside[0] else float("nan")
        valid = results["valid?"]
        print("{:>5} {:>5} {:<8} {:>7.1f} {:>16} {:>16} {:>7.2f} {:>8.3f}".format(
            results["node-count"], results.get("seed", "-"),
            "valid" if valid is True else "INVALID" if valid is False else str(valid), ring_nanos / 1e9,
            "%.3f (%d/%d)" % (fraction(ring), ring[0], ring[1]),
            "%.3f (%d/%d)" % (fraction(outside), outside[0], outside[1]), ratio,
            results["net"]["servers"].get("msgs-per-op", 0.0)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
